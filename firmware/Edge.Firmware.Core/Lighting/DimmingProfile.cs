namespace Edge.Firmware.Lighting;

/// <summary>How a level in percent becomes driver output.</summary>
public enum DimmingCurve
{
    /// <summary>Output proportional to the level.</summary>
    Linear = 0,
    /// <summary>IEC 62386-102 (DALI) logarithmic arc-power curve: equal steps look equal to the eye.</summary>
    Logarithmic = 1,
}

/// <summary>A named night: an ordered list of switch points plus how the driver is dimmed.</summary>
public sealed class DimmingProfile
{
    public string Id = "";
    public string Name = "";
    public DimmingCurve Curve;
    /// <summary>Lowest level the lamp driver holds steadily; any level above 0 and below this is raised to it.</summary>
    public float MinLevel;
    public SwitchPoint[] Points = new SwitchPoint[0];
}
