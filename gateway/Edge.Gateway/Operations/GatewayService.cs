using System;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Broker;
using Edge.Gateway.Registry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Operations;

/// <summary>Starts the node transport with the host and stops it first at shutdown; flushes registry last-seen times.</summary>
public sealed class GatewayService : BackgroundService
{
    readonly INodeTransport _transport;
    readonly NodeRegistry _registry;
    readonly GatewayOptions _options;
    readonly ILogger _logger;

    public GatewayService(INodeTransport transport, NodeRegistry registry, GatewayOptions options, ILogger<GatewayService> logger)
    {
        _transport = transport;
        _registry = registry;
        _options = options;
        _logger = logger;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _logger.LogInformation("Runtime: {Runtime}", RuntimeReport.Describe());
        await _transport.StartAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, _options.Registry.LastSeenFlushSeconds));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try { _registry.FlushLastSeen(); }
                catch (Exception exception) { _logger.LogError(exception, "Could not write last-seen times"); }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await _transport.StopAsync(cancellationToken).ConfigureAwait(false);
        _registry.FlushLastSeen();
        _logger.LogInformation("Gateway stopped");
    }
}
