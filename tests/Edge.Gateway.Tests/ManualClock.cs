using System;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Gateway.Tests;

/// <summary>Waits that move an injected clock: what the gateway waits for on its clock happens only because the test moves it.</summary>
public static class ManualClock
{
    /// <summary>Until <paramref name="condition"/> holds, moves <paramref name="clock"/> by <paramref name="step"/> (default 0.4 s, the
    /// tests' uplink backoff cap) every poll; fails after the usual hang guard.</summary>
    public static Task WaitMovingAsync(FakeTimeProvider clock, Func<bool> condition, string what, TimeSpan? step = null)
        => TestGateway.WaitUntilAsync(() =>
        {
            if (condition()) return true;
            clock.Advance(step ?? TimeSpan.FromMilliseconds(400));
            return false;
        }, what);
}
