using System;
using System.Device.I2c;
using Edge.Firmware.Lighting;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// TI INA219 current/power monitor on the LED driver's DC side (datasheet SBOS448G, §8.5 "Programming" and
/// §8.6 "Register Maps"). Registers are 16-bit big-endian: 0x00 configuration, 0x01 shunt voltage
/// (LSB 10 µV), 0x02 bus voltage (bits 15..3, LSB 4 mV; bit 0 OVF = math overflow), 0x03 power,
/// 0x04 current, 0x05 calibration. Current and power read zero until calibration is written.
/// </summary>
public sealed class Ina219 : IPowerMeter
{
    private const byte RegConfig = 0x00;
    private const byte RegBusVoltage = 0x02;
    private const byte RegPower = 0x03;
    private const byte RegCalibration = 0x05;

    // BRNG = 32 V, PGA = /8 (±320 mV), 12-bit bus and shunt ADC, shunt and bus continuous: the reset value
    // (datasheet table 6), written anyway so a previous owner's settings do not survive a warm reboot.
    private const ushort Configuration = 0x399F;

    private readonly I2cDevice _device;
    private readonly ushort _calibration;
    private readonly float _powerLsbWatts;
    private readonly byte[] _write3 = new byte[3];
    private readonly byte[] _write1 = new byte[1];
    private readonly byte[] _read2 = new byte[2];

    /// <param name="busId">pins.json "i2c.bus".</param>
    /// <param name="address">pins.json i2c.devices.powerMeter.address (7-bit).</param>
    /// <param name="shuntMilliOhm">pins.json i2c.devices.powerMeter.shuntMilliOhm.</param>
    /// <param name="maxAmps">pins.json i2c.devices.powerMeter.maxAmps: the largest current expected.</param>
    public Ina219(int busId, int address, int shuntMilliOhm, float maxAmps)
    {
        _device = I2cDevice.Create(new I2cConnectionSettings(busId, address, I2cBusSpeed.StandardMode));
        // Datasheet §8.5.1: Current_LSB = max expected current / 2^15; Cal = trunc(0.04096 / (Current_LSB × Rshunt));
        // Power_LSB = 20 × Current_LSB. Done once, so double is fine here.
        double currentLsb = maxAmps / 32768.0;
        double cal = 0.04096 / (currentLsb * (shuntMilliOhm / 1000.0));
        if (cal > 0xFFFE) cal = 0xFFFE; // bit 0 of the register is read-only zero
        _calibration = (ushort)((int)cal & 0xFFFE);
        // Recompute the LSB the truncated calibration really gives.
        _powerLsbWatts = (float)(20.0 * 0.04096 / (_calibration * (shuntMilliOhm / 1000.0)));
        WriteRegister(RegConfig, Configuration);
    }

    public bool TryRead(out float watts, out float volts)
    {
        watts = 0f;
        volts = 0f;
        // Rewritten before every read: a brown-out resets the chip's calibration to 0 and power would read 0 W,
        // which the lamp monitor would take for a failed lamp.
        if (!WriteRegister(RegCalibration, _calibration)) return false;
        int bus;
        if (!ReadRegister(RegBusVoltage, out bus)) return false;
        if ((bus & 0x01) != 0) return false; // OVF: current or power out of range, the numbers mean nothing
        int power;
        if (!ReadRegister(RegPower, out power)) return false;
        volts = (bus >> 3) * 0.004f;
        watts = power * _powerLsbWatts;
        return true;
    }

    private bool WriteRegister(byte register, ushort value)
    {
        _write3[0] = register;
        _write3[1] = (byte)(value >> 8);
        _write3[2] = (byte)value;
        return _device.Write(new SpanByte(_write3)).Status == I2cTransferStatus.FullTransfer;
    }

    private bool ReadRegister(byte register, out int value)
    {
        _write1[0] = register;
        value = 0;
        if (_device.WriteRead(new SpanByte(_write1), new SpanByte(_read2)).Status != I2cTransferStatus.FullTransfer) return false;
        value = (_read2[0] << 8) | _read2[1];
        return true;
    }
}
