using System;

namespace Edge.Firmware.Time;

/// <summary>
/// STUB — being implemented. Local time from a POSIX TZ rule (e.g. Greece: EET-2EEST,M3.5.0/3,M10.5.0/4).
/// </summary>
public sealed class PosixTimeZone
{
    public string Rule { get; }

    private PosixTimeZone(string rule) { Rule = rule; }

    /// <summary>Parses a rule; throws FormatException whose message says what is wrong and where.</summary>
    public static PosixTimeZone Parse(string rule) { throw new NotImplementedException(); }

    /// <summary>Offset (local − UTC) in seconds in force at a UTC instant.</summary>
    public int OffsetAt(long utcSeconds) { throw new NotImplementedException(); }

    /// <summary>UTC instant → local wall-clock seconds (as if the wall clock were UTC).</summary>
    public long ToLocal(long utcSeconds) { return utcSeconds + OffsetAt(utcSeconds); }

    /// <summary>
    /// Local wall-clock seconds → UTC instant. A wall time skipped by a spring-forward change is read
    /// with the offset in force before the change (so it lands the gap's length later); a wall time
    /// that occurs twice in an autumn change resolves to its first occurrence.
    /// </summary>
    public long ToUtc(long localSeconds) { throw new NotImplementedException(); }
}
