namespace Edge.Firmware.Lighting;

/// <summary>What a switch point is anchored to.</summary>
public enum SwitchTrigger
{
    /// <summary>A fixed local wall-clock time (the night runs noon to noon: 18:00 is the evening, 01:00 the morning after).</summary>
    FixedTime = 0,
    /// <summary>The evening's sunset ± offset.</summary>
    Sunset = 1,
    /// <summary>The next morning's sunrise ± offset.</summary>
    Sunrise = 2,
    /// <summary>The midpoint between the evening's sunset and the next sunrise ± offset.</summary>
    VirtualMidnight = 3,
}

/// <summary>One step of a dimming profile: from this moment of the night, go to this level.</summary>
public sealed class SwitchPoint
{
    public SwitchTrigger Trigger;
    /// <summary>For <see cref="SwitchTrigger.FixedTime"/>: seconds after local midnight (0–86399).</summary>
    public int TimeOfDay;
    /// <summary>For sun-relative triggers: seconds added to the anchor (negative = before).</summary>
    public int Offset;
    /// <summary>Target level in percent of full output, 0–100 (0 = off).</summary>
    public float Level;
    /// <summary>Seconds taken to move from the previous level to <see cref="Level"/>.</summary>
    public int FadeSeconds;
}
