using System.IO.Ports;
using Edge.Firmware.Hydro;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// DFRobot A02YYUW waterproof ultrasonic sensor, UART output (product wiki SKU SEN0311, "Communication
/// protocol"): 9600 8N1, 4-byte frames 0xFF, Data_H, Data_L, SUM with SUM = (0xFF + Data_H + Data_L) &amp; 0xFF;
/// distance in mm = Data_H × 256 + Data_L (range 30–4500 mm). The sensor streams frames on its own
/// (every ~100 ms in processed mode), so a reading is: drop old bytes, then take the first valid frame.
/// </summary>
public sealed class A02yyuw : IDistanceSensor
{
    private const int SearchBytes = 24; // six frames' worth: enough to resynchronise after a partial frame

    private readonly SerialPort _port;
    private readonly byte[] _bytes = new byte[SearchBytes];
    private readonly byte[] _scratch = new byte[32];

    /// <param name="port">pins.json "uart.port".</param>
    /// <param name="rxGpio">pins.json usUartRx (the sensor's TX).</param>
    /// <param name="txGpio">pins.json usUartTx (the sensor's RX, its mode-select input).</param>
    public A02yyuw(string port, int rxGpio, int txGpio)
    {
        Bl0942.SetUartPins(port, rxGpio, txGpio);
        _port = new SerialPort(port, 9600, Parity.None, 8, StopBits.One);
        _port.ReadTimeout = 300; // three frame periods
        _port.Open();
    }

    public int ReadDistanceMm()
    {
        SerialFrames.Drain(_port, _scratch);
        int got = SerialFrames.ReadExactly(_port, _bytes, SearchBytes);
        for (int i = 0; i + 3 < got; i++)
        {
            if (_bytes[i] != 0xFF) continue;
            int high = _bytes[i + 1];
            int low = _bytes[i + 2];
            if (((0xFF + high + low) & 0xFF) != _bytes[i + 3]) continue;
            return high * 256 + low;
        }
        return 0; // no valid frame: the gauge counts it as a failed reading
    }
}
