namespace Edge.Firmware.Runtime;

/// <summary>
/// The node's clocks: a monotonic millisecond counter for timers (backoff, watchdog, rates) that never
/// jumps, and the RTC wall clock (Unix seconds, UTC) that schedules run on and time sync sets.
/// </summary>
public interface IClock
{
    /// <summary>Milliseconds since an arbitrary start; never goes back, unaffected by <see cref="SetUtc"/>.</summary>
    long MonotonicMs { get; }

    /// <summary>The RTC: seconds since the Unix epoch, UTC. Keeps running while unsynced (protocol §12.4).</summary>
    long UtcSeconds { get; }

    /// <summary>Whether the RTC holds real time: set since power-on (it survives software reboots and deep sleep).</summary>
    bool IsSet { get; }

    /// <summary>Sets the RTC (after SNTP or gateway time).</summary>
    void SetUtc(long utcSeconds, int milliseconds);
}
