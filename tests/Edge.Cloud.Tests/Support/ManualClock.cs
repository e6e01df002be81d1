using System;
using System.Threading;

namespace Edge.Cloud.Tests.Support;

/// <summary>A clock the test moves by hand (command expiry, offline sweeps).</summary>
public sealed class ManualClock : TimeProvider
{
    public ManualClock(long unixSeconds) => Now = DateTimeOffset.FromUnixTimeSeconds(unixSeconds);

    public DateTimeOffset Now { get; set; }

    public long UnixNow => Now.ToUnixTimeSeconds();

    public void Advance(long seconds) => Now = Now.AddSeconds(seconds);

    public override DateTimeOffset GetUtcNow() => Now;

    /// <summary>Timers of this clock never fire (a <c>Task.Delay</c> on it waits until cancelled): for a test that drives
    /// a background loop's step by hand, so the loop cannot also run it at a real-time tick between two of the test's
    /// steps. Otherwise its timers run in real time, as <see cref="TimeProvider"/>'s do.</summary>
    public bool TimersStopped { get; init; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        TimersStopped ? new StoppedTimer() : base.CreateTimer(callback, state, dueTime, period);

    private sealed class StoppedTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public System.Threading.Tasks.ValueTask DisposeAsync() => default;
    }
}
