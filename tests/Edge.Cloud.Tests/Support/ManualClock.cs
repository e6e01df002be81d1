using System;

namespace Edge.Cloud.Tests.Support;

/// <summary>A clock the test moves by hand (command expiry, offline sweeps).</summary>
public sealed class ManualClock : TimeProvider
{
    public ManualClock(long unixSeconds) => Now = DateTimeOffset.FromUnixTimeSeconds(unixSeconds);

    public DateTimeOffset Now { get; set; }

    public long UnixNow => Now.ToUnixTimeSeconds();

    public void Advance(long seconds) => Now = Now.AddSeconds(seconds);

    public override DateTimeOffset GetUtcNow() => Now;
}
