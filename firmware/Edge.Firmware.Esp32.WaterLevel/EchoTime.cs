namespace Edge.Firmware.Esp32.WaterLevel;

/// <summary>
/// Turns an ultrasonic echo pulse measured by the RMT peripheral into a distance. Sound travels to the water
/// and back, so a millimetre of distance is 2 mm / 343 m/s = 5.83 µs of echo (at 20 °C). The RMT counts
/// 1 µs ticks (80 MHz APB clock / 80) exactly, whatever managed code is doing meanwhile.
/// </summary>
public static class EchoTime
{
    /// <summary>Speed of sound at 20 °C in mm per second. ±0.17 % per °C: the sun shield keeps the air column near ambient.</summary>
    public const int SoundMmPerSecond = 343000;

    /// <summary>Longest echo an RMT item holds (15-bit duration): 32.767 ms ≈ 5.6 m, beyond the JSN-SR04T's 4.5 m.</summary>
    public const int MaxPulseUs = 32767;

    /// <summary>Shortest echo kept: 250 mm (the sensor's blind zone) is ≈ 1,458 µs; shorter pulses are noise.</summary>
    public const int MinPulseUs = 1000;

    /// <summary>The distance in mm for an echo of <paramref name="microseconds"/>, or 0 when the pulse cannot be an echo.</summary>
    public static int MillimetresFor(int microseconds)
    {
        if (microseconds < MinPulseUs || microseconds >= MaxPulseUs) return 0;
        return (int)((long)microseconds * SoundMmPerSecond / 2000000);
    }

    /// <summary>
    /// The echo in a received RMT item: the first level held high. <paramref name="level0"/>/<paramref name="duration0"/>
    /// are the item's first half; the receiver starts at the echo's rising edge, so that half is the echo
    /// unless the line was already high (then nothing usable was seen: 0).
    /// </summary>
    public static int MillimetresFor(bool level0, int duration0)
    {
        return level0 ? MillimetresFor(duration0) : 0;
    }
}
