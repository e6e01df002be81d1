using System;

namespace Edge.Gateway.Uplink;

/// <summary>
/// Exponential backoff with full jitter (docs/uplink.md §2 rule 5): attempt n waits uniformly in
/// [0, min(cap, base·2^n)). Full jitter spreads many gateways retrying after a cloud outage over the whole window
/// instead of in waves. A server's <c>Retry-After</c> replaces the jittered wait (up to an hour): the server knows
/// when it can take the batch, and a backoff grown during an outage must not keep the uplink idle for minutes
/// after the cloud said "come back in 1 s".
/// </summary>
public sealed class Backoff
{
    readonly TimeSpan _base;
    readonly TimeSpan _cap;
    readonly Random _random;
    int _failures;

    /// <summary>The longest Retry-After obeyed, so a wrong header cannot park the uplink for days.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    public Backoff(TimeSpan @base, TimeSpan cap, Random? random = null)
    {
        _base = @base;
        _cap = cap;
        _random = random ?? Random.Shared;
    }

    public int Failures => _failures;

    /// <summary>The ceiling of the jitter window for the next wait.</summary>
    public TimeSpan Ceiling => TimeSpan.FromMilliseconds(Math.Min(_cap.TotalMilliseconds, _base.TotalMilliseconds * Math.Pow(2, Math.Min(_failures, 30))));

    /// <summary>Records a failure and returns how long to wait before the next attempt.</summary>
    public TimeSpan NextDelay(TimeSpan? retryAfter = null)
    {
        var jitter = TimeSpan.FromMilliseconds(_random.NextDouble() * Ceiling.TotalMilliseconds);
        _failures++;
        if (retryAfter is { } after) return after < TimeSpan.Zero ? TimeSpan.Zero : after > MaxRetryAfter ? MaxRetryAfter : after;
        return jitter;
    }

    public void Reset() => _failures = 0;
}
