using System.IO.Ports;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>Small helpers for the UART sensors: drop stale bytes, read an exact count with a deadline.</summary>
internal static class SerialFrames
{
    /// <summary>Discards whatever arrived since the last reading, so the next frame is a fresh one.</summary>
    public static void Drain(SerialPort port, byte[] scratch)
    {
        int waiting = port.BytesToRead;
        while (waiting > 0)
        {
            int n = port.Read(scratch, 0, waiting < scratch.Length ? waiting : scratch.Length);
            if (n <= 0) return;
            waiting = port.BytesToRead;
        }
    }

    /// <summary>Reads up to <paramref name="count"/> bytes; returns how many arrived before the port's ReadTimeout.</summary>
    public static int ReadExactly(SerialPort port, byte[] buffer, int count)
    {
        int got = 0;
        while (got < count)
        {
            int n;
            try
            {
                n = port.Read(buffer, got, count - got);
            }
            catch (System.TimeoutException)
            {
                return got;
            }
            if (n <= 0) return got;
            got += n;
        }
        return got;
    }
}
