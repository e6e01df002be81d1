using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Uplink;

namespace Edge.Gateway.Tests.Uplink;

/// <summary>
/// An uplink wait that lasts until the test releases it: every retry then happens because the test allowed it, and
/// while the uplink is waiting nothing is in flight, so what the cloud has seen is stable. Unlike a fake clock moved
/// blindly, a release is given only to a waiting uplink, so one release allows at most one more attempt — also when
/// an attempt failed before reaching the cloud (a refused connection on a loaded machine) and so left no trace there.
/// </summary>
public sealed class GatedUplinkDelay : IUplinkDelay
{
    readonly object _lock = new();
    readonly List<TimeSpan> _waits = new();
    TaskCompletionSource? _pending;

    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _waits.Add(delay);
            _pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _pending.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Every wait the uplink asked for, in order.</summary>
    public TimeSpan[] Waits()
    {
        lock (_lock) return _waits.ToArray();
    }

    public bool IsWaiting
    {
        get { lock (_lock) return _pending is { Task.IsCompleted: false }; }
    }

    /// <summary>Ends the uplink's waits one at a time until <paramref name="condition"/> holds.</summary>
    public Task ReleaseUntilAsync(Func<bool> condition, string what)
        => TestGateway.WaitUntilAsync(() =>
        {
            lock (_lock)
            {
                // Waiting first: then nothing is in flight and the condition cannot change under us.
                var waiting = _pending is { Task.IsCompleted: false };
                if (condition()) return true;
                if (waiting) _pending!.TrySetResult();
                return false;
            }
        }, what);
}
