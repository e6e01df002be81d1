namespace Edge.Firmware.Hydro;

/// <summary>One flood threshold: the level that enters the state, and how the state is left again.</summary>
public sealed class ThresholdConfig
{
    public ThresholdConfig(int levelMm, int hysteresisMm, int dwellS)
    {
        LevelMm = levelMm;
        HysteresisMm = hysteresisMm;
        DwellS = dwellS;
    }

    /// <summary>The state is entered as soon as an accepted sample is at or above this level.</summary>
    public int LevelMm { get; }

    /// <summary>The state is left only below <see cref="LevelMm"/> − this (the release level).</summary>
    public int HysteresisMm { get; }

    /// <summary>… and only after the level has stayed below the release level for this many seconds.</summary>
    public int DwellS { get; }

    public int ReleaseLevelMm { get { return LevelMm - HysteresisMm; } }
}
