using System;

namespace Edge.Firmware.Lighting;

/// <summary>
/// Thresholds and confirmation times for <see cref="LampMonitor"/>. A plain class with public fields so
/// it can be filled from the node's configuration document; the defaults suit a 60 W LED luminaire on
/// 230 V mains. Call <see cref="Validate"/> after filling it (the monitor's constructor does, too).
/// Every confirmation time applies both ways: a fault is raised only after its condition has held at
/// every reading for that long, and cleared only after the opposite has held for that long.
/// </summary>
public sealed class LampMonitorSettings
{
    /// <summary>Power the lamp draws at full output (duty 1.0), in watts.</summary>
    public float RatedWatts = 60f;

    /// <summary>
    /// Least power the lamp draws whenever it is lit, however low it is dimmed (LED drivers do not go
    /// linearly to zero). Expected power is max(RatedWatts × duty, DriverFloorWatts). 0 = no floor.
    /// </summary>
    public float DriverFloorWatts = 0f;

    /// <summary>Above this measured power the lamp counts as lit (switch-on, burning hours).</summary>
    public float LitAboveWatts = 3f;

    /// <summary>
    /// Below this measured power a lit lamp counts as dark again. Lower than <see cref="LitAboveWatts"/>
    /// so a reading wobbling around one threshold is not counted as many switchings; covers the
    /// driver's standby draw.
    /// </summary>
    public float DarkBelowWatts = 1.5f;

    /// <summary>
    /// Time a lamp is given to follow an on/off command (ignite, or go dark) before lamp failure and
    /// day burner are judged; measured on/off transitions within it are expected, not cycling.
    /// Also applies after start-up and after every low-supply reading (a hot HPS lamp needs minutes to
    /// restrike: raise this for HPS).
    /// </summary>
    public int SwitchGraceSeconds = 60;

    /// <summary>Lamp failure: commanded on, but draws less than this fraction of the expected power.</summary>
    public float LampFailureBelowFraction = 0.3f;
    public int LampFailureConfirmSeconds = 120;

    /// <summary>Day burner: commanded off, but lit (above <see cref="LitAboveWatts"/>) for this long.</summary>
    public int DayBurnerConfirmSeconds = 120;

    /// <summary>Cycling: this many unexpected on/off transitions (either direction) ...</summary>
    public int CyclingTransitions = 4;
    /// <summary>... within this window raise it; it clears after the lamp was commanded on this long with no unexpected transition.</summary>
    public int CyclingWindowSeconds = 1800;

    /// <summary>Dimming failure: |measured − expected| greater than this fraction of <see cref="RatedWatts"/> ...</summary>
    public float DimmingToleranceFraction = 0.15f;
    /// <summary>... judged only once the commanded level has been steady this long (fades excluded) ...</summary>
    public int DimmingSettleSeconds = 60;
    /// <summary>... and confirmed for this long.</summary>
    public int DimmingFailureConfirmSeconds = 300;

    /// <summary>
    /// Supply loss: measured supply voltage below this. 0 disables supply monitoring (for meters that do
    /// not measure voltage; the volts argument is then ignored).
    /// </summary>
    public float SupplyLossBelowVolts = 170f;
    public int SupplyLossConfirmSeconds = 10;

    /// <summary>
    /// Readings further apart than this (or a clock that went backwards) are not bridged: the interval
    /// adds no energy or burning time, and pending confirmations start over.
    /// </summary>
    public int MaxReadingGapSeconds = 300;

    private const float MaxWatts = 100000f;
    private const float MaxVolts = 1000f;
    private const int MaxSeconds = 7 * 24 * 3600;

    /// <summary>
    /// Returns null when every setting is usable, otherwise a message naming the first bad setting (by
    /// its camelCase configuration name), its value and the allowed range.
    /// </summary>
    public string? Validate()
    {
        // Comparisons are written so that NaN fails them.
        if (!(RatedWatts > 0f && RatedWatts <= MaxWatts))
            return Range("ratedWatts", RatedWatts, "greater than 0 and at most 100000");
        if (!(DriverFloorWatts >= 0f && DriverFloorWatts < RatedWatts))
            return Range("driverFloorWatts", DriverFloorWatts, "0 or more and below ratedWatts");
        if (!(LitAboveWatts > 0f && LitAboveWatts < RatedWatts))
            return Range("litAboveWatts", LitAboveWatts, "greater than 0 and below ratedWatts");
        if (!(DarkBelowWatts > 0f && DarkBelowWatts <= LitAboveWatts))
            return Range("darkBelowWatts", DarkBelowWatts, "greater than 0 and at most litAboveWatts");
        if (!(SwitchGraceSeconds >= 0 && SwitchGraceSeconds <= MaxSeconds))
            return Range("switchGraceSeconds", SwitchGraceSeconds, "0..604800");
        if (!(LampFailureBelowFraction > 0f && LampFailureBelowFraction < 1f))
            return Range("lampFailureBelowFraction", LampFailureBelowFraction, "greater than 0 and below 1");
        string? problem = Confirmation("lampFailureConfirmSeconds", LampFailureConfirmSeconds);
        if (problem != null) return problem;
        problem = Confirmation("dayBurnerConfirmSeconds", DayBurnerConfirmSeconds);
        if (problem != null) return problem;
        if (!(CyclingTransitions >= 2 && CyclingTransitions <= 32))
            return Range("cyclingTransitions", CyclingTransitions, "2..32");
        if (!(CyclingWindowSeconds >= 60 && CyclingWindowSeconds <= MaxSeconds))
            return Range("cyclingWindowSeconds", CyclingWindowSeconds, "60..604800");
        if (!(DimmingToleranceFraction > 0f && DimmingToleranceFraction <= 1f))
            return Range("dimmingToleranceFraction", DimmingToleranceFraction, "greater than 0 and at most 1");
        if (!(DimmingSettleSeconds >= 0 && DimmingSettleSeconds <= MaxSeconds))
            return Range("dimmingSettleSeconds", DimmingSettleSeconds, "0..604800");
        problem = Confirmation("dimmingFailureConfirmSeconds", DimmingFailureConfirmSeconds);
        if (problem != null) return problem;
        if (!(SupplyLossBelowVolts >= 0f && SupplyLossBelowVolts <= MaxVolts))
            return Range("supplyLossBelowVolts", SupplyLossBelowVolts, "0 (off) to 1000");
        problem = Confirmation("supplyLossConfirmSeconds", SupplyLossConfirmSeconds);
        if (problem != null) return problem;
        if (!(MaxReadingGapSeconds >= 1 && MaxReadingGapSeconds <= 86400))
            return Range("maxReadingGapSeconds", MaxReadingGapSeconds, "1..86400");
        return null;
    }

    /// <summary>Throws an ArgumentException carrying <see cref="Validate"/>'s message when a setting is unusable.</summary>
    public void ThrowIfInvalid()
    {
        string? problem = Validate();
        if (problem != null)
            throw new ArgumentException(problem);
    }

    // At least one second, so that a single reading can never raise or clear a fault by itself.
    private static string? Confirmation(string name, int seconds)
    {
        return seconds >= 1 && seconds <= MaxSeconds ? null : Range(name, seconds, "1..604800");
    }

    private static string Range(string name, float value, string allowed)
    {
        return name + ": " + value.ToString() + " is out of range; must be " + allowed;
    }

    private static string Range(string name, int value, string allowed)
    {
        return name + ": " + value.ToString() + " is out of range " + allowed;
    }
}
