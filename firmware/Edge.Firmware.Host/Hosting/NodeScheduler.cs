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

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (IHostedNode node in _nodes)
        {
            try { node.Stop(); }
            catch (Exception e) { _logger.LogWarning(e, "{NodeId}: stop failed", node.NodeId); }
        }
    }

    private static async Task<bool> WaitForNextTick(PeriodicTimer timer, CancellationToken token)
    {
        try { return await timer.WaitForNextTickAsync(token); }
        catch (OperationCanceledException) { return false; }
    }
}
