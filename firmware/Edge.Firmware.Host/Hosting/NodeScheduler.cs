using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Firmware.Host.Hosting;

/// <summary>
/// Ticks every node from one loop on one timer: no thread per node, so a simulator can run hundreds in
/// one process (each node's MQTT traffic runs on MQTTnet's pooled tasks). A node whose tick throws is
/// restarted, as a panic reboots a device (protocol §15 W2); the others carry on.
/// </summary>
public sealed class NodeScheduler : BackgroundService
{
    private readonly NodeHostOptions _options;
    private readonly Func<IReadOnlyList<IHostedNode>> _createNodes;
    private readonly ILogger<NodeScheduler> _logger;
    private IReadOnlyList<IHostedNode> _nodes = Array.Empty<IHostedNode>();

    public NodeScheduler(IOptions<NodeHostOptions> options, Func<IReadOnlyList<IHostedNode>> createNodes, ILogger<NodeScheduler> logger)
    {
        _options = options.Value;
        _createNodes = createNodes;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _nodes = _createNodes();
        _logger.LogInformation("running {Count} node(s), ticking every {Interval} ms", _nodes.Count, _options.TickInterval.TotalMilliseconds);
        using var timer = new PeriodicTimer(_options.TickInterval);
        do
        {
            foreach (IHostedNode node in _nodes)
            {
                try
                {
                    node.Tick();
                }
                catch (Exception e)
                {
                    _logger.LogError(e, "{NodeId}: unhandled exception in the control loop", node.NodeId);
                }
            }
        }
        while (await WaitForNextTick(timer, stoppingToken));
    }

    /// <summary>
    /// A clean host stop is a planned stop of every node (protocol §4.3): each publishes <c>offline</c> /
    /// <c>shutdown</c> and disconnects, ticked quickly so the whole fleet is done in well under a second on
    /// a healthy broker; a node still busy after <see cref="NodeHostOptions.StopTimeout"/> is cut off.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (IHostedNode node in _nodes) Guard(node, node.BeginStop, "stop");
        var deadline = DateTime.UtcNow + _options.StopTimeout;
        while (DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
        {
            bool all = true;
            foreach (IHostedNode node in _nodes)
            {
                if (node.Stopped) continue;
                all = false;
                Guard(node, node.Tick, "tick while stopping");
            }
            if (all) break;
            await Task.Delay(10, CancellationToken.None);
        }
        var closing = new List<Task>(_nodes.Count);
        foreach (IHostedNode node in _nodes)
        {
            if (!node.Stopped) _logger.LogWarning("{NodeId}: planned stop did not finish in time; connection cut", node.NodeId);
            try { closing.Add(node.CompleteStopAsync()); }
            catch (Exception e) { _logger.LogWarning(e, "{NodeId}: stop failed", node.NodeId); }
        }
        await Task.WhenAny(Task.WhenAll(closing), Task.Delay(_options.StopTimeout, CancellationToken.None));
    }

    private void Guard(IHostedNode node, Action action, string what)
    {
        try { action(); }
        catch (Exception e) { _logger.LogWarning(e, "{NodeId}: {What} failed", node.NodeId, what); }
    }

    private static async Task<bool> WaitForNextTick(PeriodicTimer timer, CancellationToken token)
    {
        try { return await timer.WaitForNextTickAsync(token); }
        catch (OperationCanceledException) { return false; }
    }
}
