using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Domain;
using Edge.Cloud.Gateways;
using Edge.Cloud.Storage;

namespace Edge.Cloud.Web.Technicians;

/// <summary>A gateway as the console shows it. <see cref="Behind"/>: at its last batch, how old the oldest record in it
/// was (seconds from the gateway receiving it to the cloud storing it) — a gateway drains its backlog oldest first, so
/// this is how far behind its uplink is. <see cref="Alarms"/>: its uncleared gateway alarms (offline, clock, storage
/// reset, …) with their messages. <see cref="Version"/> and <see cref="Backlog"/>: the software version and the records
/// waiting in its outbox behind its latest batch, as the gateway said with it (<see cref="GatewayUplinkReports"/>).</summary>
public sealed record GatewayRow(string Id, string Name, string Status, long? LastBatch, int? LastBatchRecords, long? Behind,
    long? LastPoll, long? ClockOffsetS, IReadOnlyList<string> Alarms)
{
    public string? Version { get; init; }
    public long? Backlog { get; init; }
}

/// <summary>
/// The gateways page: each registered gateway with what the cloud knows of it — its last batch (the newest record of
/// its newest outbox epoch, as the offline sweep reads it), its last downlink poll, its clock error, and its status from
/// the cloud's own gateway alarms (<c>gateway.offline</c> is raised by the offline sweep after
/// <c>Alarms:GatewayOfflineMinutes</c> of silence or a planned stop that did not come back).
/// </summary>
public sealed class GatewayBoards(IGatewayStore gateways, IStorageConnections connections)
{
    public async Task<IReadOnlyList<GatewayRow>> ListAsync(CancellationToken ct = default)
    {
        var rows = new List<GatewayRow>();
        await using var tx = await Tx.ReadAsync(connections, ct);
        var alarms = (await tx.QueryAsync("SELECT gateway, kind, message FROM alarms WHERE gateway IS NOT NULL AND node IS NULL AND status IN ('open', 'acknowledged') ORDER BY id",
            r => (Gateway: r.GetString(0), Kind: r.GetString(1), Message: r.GetString(2)))).ToLookup(a => a.Gateway);
        var reports = await GatewayUplinkReports.ListAsync(tx);
        foreach (var gateway in (await gateways.ListAsync(ct)).OrderBy(g => g.Id, System.StringComparer.Ordinal))
        {
            var batch = await tx.SingleAsync(
                "SELECT stored_at, COUNT(*), MIN(received_at) FROM records WHERE gateway = @g AND stored_at = (SELECT stored_at FROM records WHERE gateway = @g AND epoch = " +
                OfflineSweep.NewestEpoch + " ORDER BY seq DESC LIMIT 1) GROUP BY stored_at",
                r => new Batch(r.GetInt64(0), r.GetInt32(1), r.GetInt64(2)), ("@g", gateway.Id));
            var poll = await tx.LongAsync("SELECT last_poll_at FROM gateway_polls WHERE gateway = @g", ("@g", gateway.Id));
            var clock = await tx.LongAsync("SELECT offset_s FROM gateway_clock WHERE gateway = @g", ("@g", gateway.Id));
            var open = alarms[gateway.Id].ToList();
            var status = open.Any(a => a.Kind == "gateway.offline") ? "offline"
                : batch is null && poll is null ? "never"
                : open.Count > 0 ? "warning" : "online";
            rows.Add(new GatewayRow(gateway.Id, gateway.Name, status, batch?.At, batch?.Records, batch is null ? null : System.Math.Max(0, batch.At - batch.Oldest),
                poll, clock, open.Select(a => a.Message).ToList())
            {
                Version = reports.GetValueOrDefault(gateway.Id)?.Version,
                Backlog = reports.GetValueOrDefault(gateway.Id)?.OutboxDepth,
            });
        }
        return rows;
    }

    private sealed record Batch(long At, int Records, long Oldest);
}
