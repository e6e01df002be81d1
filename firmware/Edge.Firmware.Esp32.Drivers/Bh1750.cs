using System;
using System.Device.I2c;
using Edge.Firmware.Lighting;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// ROHM BH1750FVI ambient light sensor (datasheet "BH1750FVI" rev. 2010: instruction set table, "Measurement
/// sequence example"). Continuous high-resolution mode (0x10): 1 lx resolution, a new result every
/// 120 ms (180 ms max); the 16-bit big-endian result divided by 1.2 is lux at the default MTreg.
/// Used to confirm "day burner" faults (lamp on in daylight) and for photocell-style switching.
/// </summary>
public sealed class Bh1750 : ILightSensor
{
    private const byte PowerOn = 0x01;
    private const byte ContinuousHighResolution = 0x10;

    private readonly I2cDevice _device;
    private readonly byte[] _read2 = new byte[2];
    private bool _started;

    /// <param name="busId">pins.json "i2c.bus".</param>
    /// <param name="address">pins.json i2c.devices.lightSensor.address: 0x23 with ADDR low, 0x5C with ADDR high.</param>
    public Bh1750(int busId, int address)
    {
        _device = I2cDevice.Create(new I2cConnectionSettings(busId, address, I2cBusSpeed.StandardMode));
    }

    /// <summary>Latest illuminance; false when the sensor (optional on the board) does not answer.</summary>
    public bool TryReadLux(out float lux)
    {
        lux = 0f;
        if (!_started)
        {
            // Power on, then start continuous measurement; the first result is ready 180 ms later at most.
            if (_device.WriteByte(PowerOn).Status != I2cTransferStatus.FullTransfer) return false;
            if (_device.WriteByte(ContinuousHighResolution).Status != I2cTransferStatus.FullTransfer) return false;
            _started = true;
            System.Threading.Thread.Sleep(180);
        }
        if (_device.Read(new SpanByte(_read2)).Status != I2cTransferStatus.FullTransfer)
        {
            _started = false; // re-initialise next time: the sensor may have lost power
            return false;
        }
        lux = ((_read2[0] << 8) | _read2[1]) / 1.2f;
        return true;
    }
}
