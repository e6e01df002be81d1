using System;
using System.IO.Ports;
using Edge.Firmware.Protocol;
using Edge.Firmware.Provisioning;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// Serial provisioning on the device (docs/provisioning.md): a node with no usable record (or with its boot button
/// held) listens on its provisioning UART (<see cref="ProvisioningWiring"/>) for an "edge-prov/1" session (<see cref="SerialProvisioningSession"/>, the same code the host node runs over a
/// pseudo-terminal) until the peer commits a record and asks for a reboot. Runs before the node app, once, so the
/// small buffers here are allocated once, never per tick.
/// </summary>
public sealed class SerialProvisioningPort : IProvisioningReply
{
    /// <summary>115200 8N1, what `edge node provision --serial` opens.</summary>
    public const int BaudRate = 115200;

    private readonly SerialPort _port;
    private const int MaxReplyChars = 256;
    private readonly byte[] _out = new byte[3 * MaxReplyChars + 1];

    private SerialProvisioningPort(SerialPort port)
    {
        _port = port;
    }

    public void WriteLine(string line)
    {
        if (line.Length > MaxReplyChars) line = line.Substring(0, MaxReplyChars);
        int n = Utf8.Encode(line, _out, 0);
        _out[n] = (byte)'\n';
        _port.Write(_out, 0, n + 1);
    }

    /// <summary>Serves sessions on the wiring's UART until one ends with REBOOT (the caller then reboots).</summary>
    public static void Run(ProvisioningWiring wiring, IStorage storage, string board, string firmware, string type)
    {
        wiring.BindUart();
        var port = new SerialPort(wiring.Port, BaudRate);
        port.ReadTimeout = 1000;
        port.Open();
        var reply = new SerialProvisioningPort(port);
        var session = new SerialProvisioningSession(storage, reply, board, firmware, type);
        var buffer = new byte[64];
        while (!session.RebootRequested)
        {
            int n = 0;
            try
            {
                n = port.Read(buffer, 0, buffer.Length);
            }
            catch (TimeoutException)
            {
            }
            long now = DateTime.UtcNow.Ticks / TimeSpan.TicksPerMillisecond;
            if (n > 0) session.Feed(buffer, 0, n, now);
            else session.Poll(now);
        }
        port.Close();
    }
}
