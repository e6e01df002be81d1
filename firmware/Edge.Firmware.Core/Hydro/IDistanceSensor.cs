namespace Edge.Firmware.Hydro;

/// <summary>An ultrasonic (or radar) distance sensor looking down at the water.</summary>
public interface IDistanceSensor
{
    /// <summary>
    /// One reading in millimetres from the sensor face to the target; zero or less when the sensor heard
    /// no echo or timed out. Must not allocate.
    /// </summary>
    int ReadDistanceMm();
}
