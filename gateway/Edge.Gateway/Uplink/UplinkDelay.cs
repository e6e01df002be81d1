using System;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Gateway.Uplink;

/// <summary>How the uplink waits between attempts: a delay on the host's <see cref="TimeProvider"/>, replaceable so
/// tests can see every wait, or drive it by moving a fake clock, without wall time.</summary>
public interface IUplinkDelay
{
    Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken);
}

public sealed class SystemUplinkDelay(TimeProvider time) : IUplinkDelay
{
    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, time, cancellationToken);
}
