using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Outbox;
using Edge.Gateway.Registry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Uplink;

/// <summary>
/// Tells the cloud that a clean stop is a planned stop, not an outage (docs/uplink.md §2 "kind" <c>gateway</c>): at
/// shutdown it appends <c>{"v":1,"event":"gateway.stopping"}</c> behind everything already queued (the nodes' own
/// planned offline states included) and gives the uplink up to <see cref="UplinkOptions.StopFlushSeconds"/> to deliver
/// it. Registered after the uplink, so the host stops it first, while the uplink still runs; and before the
/// <see cref="StateRecordForwarder"/>, which is stopped (drained) before it, so no node state follows this record. A record not delivered in
/// time is not lost: it is in the durable outbox and goes up at the next start, behind nothing newer.
/// </summary>
public sealed class PlannedStopReporter : IHostedService
{
    public const string StoppingEvent = "gateway.stopping";

    readonly GatewayRecords _records;
    readonly IOutboxReader _outbox;
    readonly NodeRegistry _registry;
    readonly UplinkOptions _options;
    readonly ILogger _logger;

    public PlannedStopReporter(GatewayRecords records, IOutboxReader outbox, NodeRegistry registry, UplinkOptions options, ILogger<PlannedStopReporter> logger)
    {
        _records = records;
        _outbox = outbox;
        _registry = registry;
        _options = options;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var site = _registry.List().Select(n => n.Site).FirstOrDefault() ?? "";
        var appended = await _records.AppendGatewayAsync(site, GatewayRecords.Json(w => w.WriteString("event", StoppingEvent))).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(Math.Max(0, _options.StopFlushSeconds));
        while (_outbox.ForwardedUpTo < appended.GatewaySeq && DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
        {
            try { await Task.Delay(20, cancellationToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
        }
        if (_outbox.ForwardedUpTo >= appended.GatewaySeq) _logger.LogInformation("Planned stop reported to the cloud");
        else _logger.LogWarning("Planned stop not yet delivered to the cloud; it waits in the outbox for the next start");
    }
}
