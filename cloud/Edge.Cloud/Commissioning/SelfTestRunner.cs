using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

namespace Edge.Cloud.Commissioning;

/// <summary>
/// Runs self-tests in the background of the app (a run takes a minute: the installer's request must not wait for it)
/// and, when the app stops, cancels them and waits for them to write down that they were interrupted.
/// </summary>
public sealed class SelfTestRunner : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, bool> _running = new();

    public void Start(Func<CancellationToken, Task> run)
    {
        var task = Task.Run(() => run(_stopping.Token));
        _running[task] = true;
        task.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_running.Keys).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public void Dispose() => _stopping.Dispose();
}
