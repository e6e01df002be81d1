using System;

namespace Edge.Firmware.Lighting;

/// <summary>
/// Converts a level in percent into the fraction of full output the driver must produce.
/// Logarithmic follows IEC 62386-102 (DALI): arc power n = 1…254 gives light
/// X(n) = 10^((n − 1)·3/253 − 1) %, so n = 1 is 0.1 % and n = 254 is 100 %. A level of p % maps to
/// n = 1 + 253·p/100; level 0 is off. The curve is tabulated once (double, at start-up) so that the
/// per-tick conversion is float interpolation only.
/// </summary>
public static class DimmingCurves
{
    public const int MinArcPower = 1;
    public const int MaxArcPower = 254;

    // Output fraction at each whole percent 0..100 on the logarithmic curve.
    private static readonly float[] LogTable = BuildLogTable();

    /// <summary>Fraction of full output (0–1) for a level in percent on the given curve.</summary>
    public static float ToOutput(float level, DimmingCurve curve)
    {
        if (level <= 0) return 0;
        if (level >= 100) return 1;
        if (curve == DimmingCurve.Linear) return level / 100f;
        int i = (int)level;
        float frac = level - i;
        return LogTable[i] + (LogTable[i + 1] - LogTable[i]) * frac;
    }

    /// <summary>Light output in percent for a DALI arc power level (IEC 62386-102 formula); 0 is off.</summary>
    public static double ArcPowerToPercent(double arcPower)
    {
        if (arcPower <= 0) return 0;
        return Math.Pow(10, (arcPower - 1) * 3 / 253 - 1);
    }

    /// <summary>The DALI arc power level (1–254, fractional) that a level in percent stands for; 0 is off.</summary>
    public static double LevelToArcPower(double level)
    {
        if (level <= 0) return 0;
        return MinArcPower + (MaxArcPower - MinArcPower) * level / 100;
    }

    private static float[] BuildLogTable()
    {
        var table = new float[101];
        // Entry 0 is the curve's lower end (arc power 1, 0.1 %), so levels just above 0 interpolate
        // from there; level 0 itself is off and never reads the table.
        for (int p = 0; p <= 100; p++)
        {
            table[p] = (float)(ArcPowerToPercent(p == 0 ? MinArcPower : LevelToArcPower(p)) / 100);
        }
        return table;
    }
}
