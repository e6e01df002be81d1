using System;
using System.Threading;
using Edge.Cloud.Alarms;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Edge.Cloud.Tests.Domain;

/// <summary>The record feed's coalescing window (<see cref="FeedPacing"/>, <c>Alarms:CoalesceMs</c>) on a clock the test moves.</summary>
public sealed class FeedPacingTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1767304800));

    [Fact]
    public void Records_arriving_within_the_window_of_a_pass_that_applied_records_wait_for_its_end_and_after_a_quiet_moment_not_at_all()
    {
        var pacing = new FeedPacing(_time, () => 100);
        // Nothing applied yet: at once.
        Assert.True(pacing.WaitAsync(TimeSpan.FromHours(1), CancellationToken.None).IsCompleted);

        // A pass that applied records, 30 ms long: the next arrivals wait until 100 ms after its start.
        var started = pacing.PassStarting();
        _time.Advance(TimeSpan.FromMilliseconds(30));
        pacing.PassDone(started, applied: true);
        var wait = pacing.WaitAsync(TimeSpan.FromHours(1), CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(69));
        Assert.False(wait.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(wait.IsCompleted);

        // A pass that found nothing opens no window; the last applying pass's window is over: a quiet moment, at once.
        started = pacing.PassStarting();
        pacing.PassDone(started, applied: false);
        Assert.True(pacing.WaitAsync(TimeSpan.FromHours(1), CancellationToken.None).IsCompleted);
    }

    [Fact]
    public void A_sweep_falling_due_within_the_window_cuts_the_wait_and_a_window_of_zero_never_waits()
    {
        var window = 100;
        var pacing = new FeedPacing(_time, () => window);
        pacing.PassDone(pacing.PassStarting(), applied: true);
        var wait = pacing.WaitAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(19));
        Assert.False(wait.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(wait.IsCompleted);

        // The option is read at each wait: 0 is a pass per wake-up, the behaviour before the window.
        pacing.PassDone(pacing.PassStarting(), applied: true);
        window = 0;
        Assert.True(pacing.WaitAsync(TimeSpan.FromHours(1), CancellationToken.None).IsCompleted);
    }
}
