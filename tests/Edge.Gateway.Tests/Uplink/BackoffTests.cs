using System;
using System.Linq;
using Edge.Gateway.Uplink;

namespace Edge.Gateway.Tests.Uplink;

/// <summary>docs/uplink.md §2 rule 5: 1 s doubling to 5 min, full jitter, Retry-After honoured.</summary>
public sealed class BackoffTests
{
    [Fact]
    public void Waits_are_full_jitter_under_a_doubling_ceiling_capped_at_five_minutes()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), new Random(42));
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var ceiling = Math.Min(300.0, Math.Pow(2, attempt)); // computed here, not read from the class
            var delay = backoff.NextDelay();
            Assert.InRange(delay.TotalSeconds, 0, ceiling);
        }
        // Full jitter: over many draws at the cap the waits spread over the whole window, not just its upper half.
        var draws = Enumerable.Range(0, 400).Select(_ => backoff.NextDelay().TotalSeconds).ToArray();
        Assert.Contains(draws, d => d < 75);
        Assert.Contains(draws, d => d > 225);
        backoff.Reset();
        Assert.InRange(backoff.NextDelay().TotalSeconds, 0, 1);
    }

    [Fact]
    public void Retry_After_is_a_floor()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), new Random(7));
        Assert.Equal(TimeSpan.FromSeconds(30), backoff.NextDelay(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Retry_After_replaces_a_backoff_grown_during_an_outage()
    {
        // Ten network failures grow the jitter window to the 5-minute cap; then the cloud is back and says "in 1 s".
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), new Random(7));
        for (var i = 0; i < 10; i++) backoff.NextDelay();
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.NextDelay(TimeSpan.FromSeconds(1)));
        // A Retry-After beyond an hour is held to an hour, so a wrong header cannot park the uplink for days.
        Assert.Equal(TimeSpan.FromHours(1), backoff.NextDelay(TimeSpan.FromDays(6)));
    }
}
