namespace Edge.Firmware.Lighting;

/// <summary>An ambient light sensor (BH1750 on the street-light board): photocell fallback and day-burner confirmation.</summary>
public interface ILightSensor
{
    /// <summary>Illuminance in lux; false when the sensor did not answer.</summary>
    bool TryReadLux(out float lux);
}
