namespace Edge.Firmware.Lighting;

/// <summary>The lamp's power reading: an INA219 on the driver's DC side, or a mains metering chip.</summary>
public interface IPowerMeter
{
    /// <summary>Reads active power (W) and supply voltage (V); false when the meter did not answer.</summary>
    bool TryRead(out float watts, out float volts);
}
