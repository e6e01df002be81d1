using System;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Gateway.Uplink;

/// <summary>How the uplink waits between attempts: <see cref="Task.Delay(TimeSpan, CancellationToken)"/>, replaceable
/// so tests can see and drive every wait without wall time.</summary>
public interface IUplinkDelay
{
    Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken);
}

public sealed class SystemUplinkDelay : IUplinkDelay
{
    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);
}
