using System;
using nanoFramework.Networking;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// Wall-clock time on the node: nanoFramework's SNTP client sets the system clock (UTC); the core works in
/// seconds since the Unix epoch (Time/CivilTime). Until SNTP has answered once, the clock is at the firmware's
/// build-time default (year 1970/2018-ish), which <see cref="IsSet"/> detects so the runtime can take the
/// gateway's time instead (protocol: time sync).
/// </summary>
public static class SntpTime
{
    private static readonly long UnixEpochTicks = new DateTime(1970, 1, 1).Ticks;

    // Anything before 2024-01-01 cannot be a real current time for this fleet.
    public const long Earliest = 1704067200;

    /// <summary>Now, in seconds since 1970-01-01T00:00:00Z.</summary>
    public static long UnixSeconds()
    {
        return (DateTime.UtcNow.Ticks - UnixEpochTicks) / TimeSpan.TicksPerSecond;
    }

    /// <summary>True once the clock holds a plausible current time.</summary>
    public static bool IsSet()
    {
        return UnixSeconds() >= Earliest;
    }
}
