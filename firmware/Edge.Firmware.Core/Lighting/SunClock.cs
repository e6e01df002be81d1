using System;

namespace Edge.Firmware.Lighting;

/// <summary>Whether the sun rises and sets on a given day at a given place.</summary>
public enum SunDayKind
{
    /// <summary>The sun rises and sets.</summary>
    Normal = 0,
    /// <summary>The sun stays below the horizon all day (polar night): no sunrise, no sunset.</summary>
    PolarNight = 1,
    /// <summary>The sun stays above the horizon all day (midnight sun): no sunrise, no sunset.</summary>
    MidnightSun = 2,
}

/// <summary>The sun's events for one day at one place, filled in by <see cref="SunClock"/>.</summary>
public sealed class SunTimes
{
    public SunDayKind Kind;
    /// <summary>Official sunrise (zenith 90.833°), seconds since the Unix epoch, UTC; valid when <see cref="Kind"/> is Normal.</summary>
    public long SunriseUtc;
    /// <summary>Official sunset, seconds since the Unix epoch, UTC; valid when <see cref="Kind"/> is Normal.</summary>
    public long SunsetUtc;
    /// <summary>Solar noon (sun at its highest), always valid.</summary>
    public long SolarNoonUtc;
}

/// <summary>STUB — being implemented. Sunrise and sunset computed on the node.</summary>
public static class SunClock
{
    /// <summary>
    /// Computes the sun's events of the solar day centred on local solar noon of the given date at the
    /// given longitude (east positive). Allocates nothing. Throws ArgumentOutOfRangeException on
    /// latitude outside ±90° or longitude outside ±180°.
    /// </summary>
    public static void Compute(double latitude, double longitude, int year, int month, int day, SunTimes result)
    {
        throw new NotImplementedException();
    }
}
