using System;
using System.Diagnostics;

namespace Edge.Firmware.Host.Hardware;

/// <summary>
/// The node's wall clock: real time, or time running <see cref="Speed"/> times faster from a chosen
/// start, so a demo can show a whole night of dimming in minutes. Monotonic: it is derived from a
/// stopwatch, so a host clock step does not jump the node's schedule.
/// </summary>
public sealed class HostClock
{
    private readonly long _startUnixMs;
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();

    /// <param name="speed">1 for real time; 60 makes a minute pass every second.</param>
    /// <param name="startUnixSeconds">Where the clock starts; null for the current UTC time.</param>
    public HostClock(double speed = 1, long? startUnixSeconds = null)
    {
        if (!(speed > 0)) throw new ArgumentOutOfRangeException(nameof(speed), speed, "clock speed must be > 0");
        Speed = speed;
        _startUnixMs = startUnixSeconds.HasValue ? startUnixSeconds.Value * 1000 : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    }

    public double Speed { get; }

    /// <summary>Milliseconds since the Unix epoch, UTC, on this clock.</summary>
    public long UnixMilliseconds => _startUnixMs + (long)(_elapsed.Elapsed.TotalMilliseconds * Speed);

    /// <summary>Seconds since the Unix epoch, UTC, on this clock (the firmware's time unit).</summary>
    public long UnixSeconds => UnixMilliseconds / 1000;

    /// <summary>Milliseconds of real (not accelerated) time since the clock started: for the node's loop timers.</summary>
    public long UptimeMilliseconds => (long)_elapsed.Elapsed.TotalMilliseconds;
}
