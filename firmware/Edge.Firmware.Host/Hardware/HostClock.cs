using System;
using System.Diagnostics;
using System.Threading;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Host.Hardware;

/// <summary>
/// The node's clocks on a host (the runtime's IClock): a monotonic millisecond counter and a wall
/// clock, both running <see cref="Speed"/> times faster than real time when asked, so a demo shows a
/// whole night of dimming in minutes. Derived from a stopwatch, so a step of the host's own clock does
/// not jump the node's schedule; the node sets its wall clock itself (gateway time, protocol §12).
/// </summary>
public sealed class HostClock : IClock
{
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private readonly long _simulationStartMs;
    private long _utcAtStartMs;
    private volatile bool _set;

    /// <param name="speed">1 for real time; 60 makes a minute pass every second.</param>
    /// <param name="startUnixSeconds">Where the wall clock starts; null for the current UTC time.</param>
    /// <param name="set">Whether the wall clock counts as synchronised from the start (a host has NTP).</param>
    public HostClock(double speed = 1, long? startUnixSeconds = null, bool set = true)
    {
        if (!(speed > 0)) throw new ArgumentOutOfRangeException(nameof(speed), speed, "clock speed must be > 0");
        Speed = speed;
        _utcAtStartMs = startUnixSeconds.HasValue ? startUnixSeconds.Value * 1000 : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _simulationStartMs = _utcAtStartMs;
        _set = set;
    }

    public double Speed { get; }

    /// <summary>Milliseconds since start, accelerated like the wall clock; never goes back.</summary>
    public long MonotonicMs => (long)(_elapsed.Elapsed.TotalMilliseconds * Speed);

    /// <summary>Milliseconds since the Unix epoch, UTC.</summary>
    public long UtcMilliseconds => Interlocked.Read(ref _utcAtStartMs) + MonotonicMs;

    public long UtcSeconds => UtcMilliseconds / 1000;

    /// <summary>
    /// Where the wall clock runs when nothing sets it: the start plus the accelerated time since. For a clock faster
    /// than real time this is the only right time there is (<see cref="SimulationTimeServer"/>).
    /// </summary>
    public long SimulationUtcMilliseconds => _simulationStartMs + MonotonicMs;

    public bool IsSet => _set;

    public void SetUtc(long utcSeconds, int milliseconds)
    {
        Interlocked.Exchange(ref _utcAtStartMs, utcSeconds * 1000 + milliseconds - MonotonicMs);
        _set = true;
    }
}
