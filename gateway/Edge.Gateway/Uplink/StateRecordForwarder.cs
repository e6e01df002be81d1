using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Broker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Uplink;

/// <summary>
/// Turns every accepted node <c>state</c> (birth, heartbeat, offline, asleep, last will) into a <c>state</c> record in
/// the outbox, because the cloud learns applied config/display versions and online/offline only from them
/// (docs/uplink.md §3 last paragraph). The broker keeps state out of the outbox on the node path (protocol.md §8);
/// this appends it after the registry applied it, so a crash in between can lose one state record — the next
/// heartbeat or birth repeats the node's whole condition.
/// </summary>
public sealed class StateRecordForwarder : BackgroundService
{
    readonly INodeMessageFeed _feed;
    readonly GatewayRecords _records;
    readonly ILogger _logger;

    public StateRecordForwarder(INodeMessageFeed feed, GatewayRecords records, ILogger<StateRecordForwarder> logger)
    {
        _feed = feed;
        _records = records;
        _logger = logger;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // At start, so no state between start and the loop is missed; only state, so telemetry never wakes this loop.
        _subscription = _feed.Subscribe(m => m.Leaf == NodeTopics.State);
        return base.StartAsync(cancellationToken);
    }

    NodeMessageSubscription? _subscription;

    /// <summary>
    /// Stops taking new states and forwards those already accepted before it returns, so the clean stop's
    /// <c>gateway.stopping</c> record (<see cref="PlannedStopReporter"/>, stopped after this) is the last record of the
    /// outbox: a state queued behind it would make the cloud see an outage instead of a planned stop.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose(); // completes the channel: the loop ends once it has read what was accepted before
        if (ExecuteTask is { } draining)
        {
            try { await draining.WaitAsync(cancellationToken).ConfigureAwait(false); }
            catch (System.OperationCanceledException) { } // the host's stop timeout: give up the rest (next heartbeat repeats it)
        }
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = _subscription!;
        try
        {
            await foreach (var message in subscription.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                if (message.Leaf != NodeTopics.State) continue;
                try
                {
                    await _records.AppendStateAsync(message.Site, message.NodeId, message.Payload).ConfigureAwait(false);
                }
                catch (System.Exception exception) when (exception is not System.OperationCanceledException)
                {
                    _logger.LogError(exception, "Could not queue the state of {NodeId} for the cloud", message.NodeId);
                }
            }
        }
        catch (System.OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
