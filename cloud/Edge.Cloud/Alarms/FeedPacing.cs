using System;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Cloud.Alarms;

/// <summary>
/// When the record feed's next pass that arriving records wake may start (<see cref="AlarmOptions.CoalesceMs"/>): not
/// before the coalescing window since the start of the last pass that applied records has passed. Under a sustained ingest
/// the feed so runs one pass per window, each applying every batch stored meanwhile, instead of one pass per batch; after
/// a quiet moment (nothing applied for a window's length) records are applied at once. Times come from the feed's
/// <see cref="TimeProvider"/>.
/// </summary>
public sealed class FeedPacing
{
    private readonly TimeProvider _time;
    private readonly Func<int> _windowMs;
    private long? _lastApplied;

    /// <param name="time">the feed's clock</param>
    /// <param name="windowMs">read at each wait, so a changed option applies to the next one</param>
    public FeedPacing(TimeProvider time, Func<int> windowMs)
    {
        _time = time;
        _windowMs = windowMs;
    }

    /// <summary>The timestamp to pass to <see cref="PassDone"/> when the pass ends.</summary>
    public long PassStarting() => _time.GetTimestamp();

    /// <summary>A pass that began at <paramref name="started"/> ended; <paramref name="applied"/>: it applied records.</summary>
    public void PassDone(long started, bool applied)
    {
        if (applied) _lastApplied = started;
    }

    /// <summary>What is left of the window now (zero after a quiet moment).</summary>
    public TimeSpan Remaining => _lastApplied is { } start && TimeSpan.FromMilliseconds(_windowMs()) - _time.GetElapsedTime(start) is var left && left > TimeSpan.Zero
        ? left
        : TimeSpan.Zero;

    /// <summary>Waits out the rest of the window, at most <paramref name="atMost"/> (the time until the feed's next sweep).</summary>
    public Task WaitAsync(TimeSpan atMost, CancellationToken cancellationToken)
    {
        var wait = Remaining;
        if (atMost < wait) wait = atMost;
        return wait > TimeSpan.Zero ? Task.Delay(wait, _time, cancellationToken) : Task.CompletedTask;
    }
}
