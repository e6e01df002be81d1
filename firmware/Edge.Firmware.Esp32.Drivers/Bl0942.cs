using System.IO.Ports;
using Edge.Firmware.Lighting;
using nanoFramework.Hardware.Esp32;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// Shanghai Belling BL0942 single-phase metering IC on UART (datasheet "BL0942 Calibration-free Energy Metering
/// IC" V1.06: §3.2 UART interface, §4 registers, §2.x RMS/active-power formulas). 4800 baud 8N1. The host
/// sends the read command 0x58 (address pins A1/A2 low) and the "full packet" register 0xAA; the chip answers
/// 23 bytes: head 0x55, then I_RMS, V_RMS, I_FAST_RMS, WATT, CF_CNT (3 bytes each, little-endian), FREQ (2)
/// + reserved, STATUS + 2 reserved, and a checksum = ~(0x58 + 0x55 + the 21 data bytes) &amp; 0xFF.
/// Fitted instead of the INA219 when the node meters the lamp's mains side (pins.json meterRx/meterTx).
/// </summary>
public sealed class Bl0942 : IPowerMeter
{
    private const byte ReadCommand = 0x58;
    private const byte FullPacket = 0xAA;
    private const byte PacketHead = 0x55;
    private const int PacketLength = 23;

    // Datasheet constants: Vref = 1.218 V; I_RMS = 305978 × Vshunt / Vref; V_RMS = 73989 × Vpin / Vref;
    // WATT = 3537 × Vshunt × Vpin / Vref².
    private const float Vref = 1.218f;

    private readonly SerialPort _port;
    private readonly byte[] _command = new byte[] { ReadCommand, FullPacket };
    private readonly byte[] _packet = new byte[PacketLength];
    private readonly byte[] _scratch = new byte[32];
    private readonly float _voltsPerCount;
    private readonly float _wattsPerCount;

    /// <param name="port">pins.json "uart.port" (COM2).</param>
    /// <param name="rxGpio">pins.json meterRx.</param>
    /// <param name="txGpio">pins.json meterTx.</param>
    /// <param name="shuntMilliOhm">Current shunt of the metering board (1 mΩ on the common reference design).</param>
    /// <param name="dividerTopOhm">Mains divider upper leg (5 × 390 kΩ on the reference design).</param>
    /// <param name="dividerBottomOhm">Mains divider lower leg (510 Ω on the reference design).</param>
    public Bl0942(string port, int rxGpio, int txGpio, float shuntMilliOhm, float dividerTopOhm, float dividerBottomOhm)
    {
        SetUartPins(port, rxGpio, txGpio);
        _port = new SerialPort(port, 4800, Parity.None, 8, StopBits.One);
        _port.ReadTimeout = 100; // 23 bytes at 4800 baud take 48 ms
        _port.Open();
        float shunt = shuntMilliOhm / 1000f;
        float dividerGain = (dividerTopOhm + dividerBottomOhm) / dividerBottomOhm;
        _voltsPerCount = Vref * dividerGain / 73989f;
        _wattsPerCount = Vref * Vref * dividerGain / (3537f * shunt);
    }

    public bool TryRead(out float watts, out float volts)
    {
        watts = 0f;
        volts = 0f;
        SerialFrames.Drain(_port, _scratch);
        _port.Write(_command, 0, 2);
        if (SerialFrames.ReadExactly(_port, _packet, PacketLength) != PacketLength) return false;
        if (_packet[0] != PacketHead) return false;
        int sum = ReadCommand;
        for (int i = 0; i < PacketLength - 1; i++) sum += _packet[i];
        if ((byte)~sum != _packet[PacketLength - 1]) return false;

        int vRms = _packet[4] | (_packet[5] << 8) | (_packet[6] << 16);
        int watt = _packet[10] | (_packet[11] << 8) | (_packet[12] << 16);
        if ((watt & 0x800000) != 0) watt -= 0x1000000; // WATT is signed 24-bit (negative = power flowing back)
        volts = vRms * _voltsPerCount;
        watts = watt * _wattsPerCount;
        if (watts < 0f) watts = -watts; // a lamp only consumes; a reversed CT/shunt wiring must not read as 0 W
        return true;
    }

    internal static void SetUartPins(string port, int rxGpio, int txGpio)
    {
        if (port == "COM3")
        {
            Configuration.SetPinFunction(rxGpio, DeviceFunction.COM3_RX);
            Configuration.SetPinFunction(txGpio, DeviceFunction.COM3_TX);
        }
        else
        {
            Configuration.SetPinFunction(rxGpio, DeviceFunction.COM2_RX);
            Configuration.SetPinFunction(txGpio, DeviceFunction.COM2_TX);
        }
    }
}
