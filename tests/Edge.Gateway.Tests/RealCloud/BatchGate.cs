using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Edge.Gateway.Tests.RealCloud;

/// <summary>
/// A middleware in front of the real cloud's batch endpoint: logs each batch request's <c>User-Agent</c> and
/// <c>Edge-Outbox-Depth</c> as they arrived, and holds the batches whose arrival number (1-based) is in
/// <c>hold</c> until the test calls <see cref="Release"/>, so a test can look at the cloud between two batches.
/// </summary>
public sealed class BatchGate(params int[] hold) : IStartupFilter
{
    readonly object _lock = new();
    readonly List<(string UserAgent, string Depth)> _arrived = new();
    TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How many batch requests reached the gate so far.</summary>
    public int Arrived
    {
        get { lock (_lock) return _arrived.Count; }
    }

    /// <summary>The headers of every batch request, in arrival order.</summary>
    public IReadOnlyList<(string UserAgent, string Depth)> Headers()
    {
        lock (_lock) return _arrived.ToList();
    }

    /// <summary>Lets the held batch through (and the next held one waits for the next call).</summary>
    public void Release()
    {
        TaskCompletionSource open;
        lock (_lock)
        {
            open = _open;
            _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        open.SetResult();
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, proceed) =>
        {
            if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Value?.EndsWith("/batches", StringComparison.Ordinal) == true)
            {
                Task wait;
                lock (_lock)
                {
                    _arrived.Add((context.Request.Headers.UserAgent.ToString(), context.Request.Headers["Edge-Outbox-Depth"].ToString()));
                    wait = hold.Contains(_arrived.Count) ? _open.Task : Task.CompletedTask;
                }
                await wait.WaitAsync(TimeSpan.FromSeconds(60), context.RequestAborted);
            }
            await proceed(context);
        });
        next(app);
    };
}
