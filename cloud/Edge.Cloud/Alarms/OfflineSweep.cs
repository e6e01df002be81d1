using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;

namespace Edge.Cloud.Alarms;

/// <summary>
/// The offline alarms, decided from what the cloud knows now rather than record by record (docs/cloud.md
/// "Offline alarms"): a node whose last state is the last will (<c>offline</c>/<c>lost</c>) is alarmed only once
/// it has stayed lost for <see cref="AlarmOptions.OfflineGraceS"/> (a Wi-Fi blip or a quick reconnect raises
/// nothing); when most of a gateway's nodes are lost together, one grouped <c>gateway.offline</c> alarm stands for
/// all of them instead of one per node; a planned offline (<c>reboot</c>, <c>update</c>, <c>shutdown</c>) raises
/// nothing. A gateway whose newest record is its own <c>gateway.stopping</c> (uplink.md §2) stopped on purpose: no
/// alarm for it or its nodes until <see cref="AlarmOptions.PlannedStopHours"/> pass without it coming back. Plus the
/// asleep nodes past their wake time and the silent gateways.
/// </summary>
public sealed class OfflineSweep
{
    // A gateway's newest outbox epoch: after a storage reset its seq restarts, so "last record" means the
    // highest seq of that epoch, not of all epochs.
    public const string NewestEpoch =
        "(SELECT epoch FROM gateway_epochs WHERE gateway = @g ORDER BY first_seen_at DESC, epoch DESC LIMIT 1)";

    public const string GatewayStopping = "gateway.stopping"; // docs/uplink.md §2, sent by the gateway at a clean stop

    private readonly AlarmOptions _options;

    public OfflineSweep(AlarmOptions options) => _options = options;

    public async Task RunAsync(Tx tx, IReadOnlyList<string> gateways, long now)
    {
        var stopped = new HashSet<string>();
        var plannedStops = new Dictionary<string, long?>();
        foreach (var gateway in gateways)
        {
            plannedStops[gateway] = await PlannedStopAsync(tx, gateway);
            if (plannedStops[gateway] is { } stoppedAt && now - stoppedAt <= _options.PlannedStopHours * 3600L) stopped.Add(gateway);
        }
        await SweepSleepersAsync(tx, stopped, now);
        var lost = (await tx.QueryAsync("SELECT site, node, gateway, state_at, state FROM node_state WHERE status = 'offline'",
                r => new Offline(r.GetString(0), r.GetString(1), r.GetString(2), r.Long(3) ?? 0, r.Str(4))))
            .Where(o => !IsPlanned(o.State)).ToList();
        var fleet = (await tx.QueryAsync("SELECT gateway, COUNT(*) FROM node_state GROUP BY gateway",
            r => (Gateway: r.GetString(0), Nodes: Convert.ToInt64(r.GetValue(1))))).ToDictionary(g => g.Gateway, g => g.Nodes);
        foreach (var gateway in gateways)
        {
            long? plannedStop = plannedStops[gateway];
            if (stopped.Contains(gateway))
            {
                await AlarmService.ClearAsync(tx, AlarmRules.Key("gateway.offline", null, gateway), now);
                await AlarmService.ClearAsync(tx, AlarmRules.Key("gateway.offline", "nodes", gateway), now);
                continue;
            }
            // A gateway that is itself offline stands for its nodes: their states cannot reach the cloud anyway.
            if (await SweepSilentGatewayAsync(tx, gateway, plannedStop, now))
            {
                await AlarmService.ClearAsync(tx, AlarmRules.Key("gateway.offline", "nodes", gateway), now);
                continue;
            }
            await SweepLostNodesAsync(tx, gateway, lost.Where(o => o.Gateway == gateway).ToList(), fleet.GetValueOrDefault(gateway), now);
        }
    }

    private async Task SweepLostNodesAsync(Tx tx, string gateway, IReadOnlyList<Offline> lost, long fleetSize, long now)
    {
        var due = lost.Where(o => now - o.Since >= _options.OfflineGraceS).ToList();
        var groupKey = AlarmRules.Key("gateway.offline", "nodes", gateway);
        bool together = lost.Count >= Math.Max(2, _options.GroupMinNodes) && lost.Count >= _options.GroupFraction * fleetSize;
        if (together && due.Count > 0)
        {
            var since = lost.Min(o => o.Since);
            await AlarmService.RaiseAsync(tx, lost[0].Site, null, gateway, "gateway.offline", groupKey, "major",
                $"{lost.Count} of {fleetSize} nodes of gateway {gateway} lost since {DateTimeOffset.FromUnixTimeSeconds(since):u}", now);
            return;
        }
        await AlarmService.ClearAsync(tx, groupKey, now);
        foreach (var node in due)
        {
            await AlarmService.RaiseAsync(tx, node.Site, node.Node, gateway, "node.offline", AlarmRules.NodeKey("node.offline", node.Site, node.Node),
                "major", $"node offline (lost) since {DateTimeOffset.FromUnixTimeSeconds(node.Since):u}", now);
        }
    }

    /// <summary>Raises or clears the gateway's own offline alarm; true when it is offline.</summary>
    private async Task<bool> SweepSilentGatewayAsync(Tx tx, string gateway, long? plannedStop, long now)
    {
        var lastBatch = await tx.LongAsync("SELECT stored_at FROM records WHERE gateway = @g AND epoch = " + NewestEpoch + " ORDER BY seq DESC LIMIT 1", ("@g", gateway));
        var lastPoll = await tx.LongAsync("SELECT last_poll_at FROM gateway_polls WHERE gateway = @g", ("@g", gateway));
        var created = await tx.LongAsync("SELECT created_at FROM gateways WHERE id = @g", ("@g", gateway)) ?? now;
        var lastSeen = Math.Max(created, Math.Max(lastBatch ?? 0, lastPoll ?? 0));
        var key = AlarmRules.Key("gateway.offline", null, gateway);
        if (plannedStop is not null)
        {
            await AlarmService.RaiseAsync(tx, null, null, gateway, "gateway.offline", key, "major",
                $"gateway {gateway} stopped on purpose at {DateTimeOffset.FromUnixTimeSeconds(plannedStop.Value):u} and has not come back", now);
            return true;
        }
        else if (now - lastSeen > _options.GatewayOfflineMinutes * 60L)
        {
            await AlarmService.RaiseAsync(tx, null, null, gateway, "gateway.offline", key, "major",
                $"no batch or poll from gateway {gateway} since {DateTimeOffset.FromUnixTimeSeconds(lastSeen):u}", now);
            return true;
        }
        await AlarmService.ClearAsync(tx, key, now);
        return false;
    }

    /// <summary>When the gateway said it was stopping, if that is the last it said (no record and no poll since); else null.</summary>
    private static async Task<long?> PlannedStopAsync(Tx tx, string gateway)
    {
        var last = await tx.SingleAsync("SELECT kind, stored_at, payload FROM records WHERE gateway = @g AND epoch = " + NewestEpoch + " ORDER BY seq DESC LIMIT 1",
            r => new LastRecord(r.GetString(0), r.GetInt64(1), r.GetString(2)), ("@g", gateway));
        if (last is null || last.Kind != "gateway") return null;
        using (var payload = JsonDocument.Parse(last.Payload))
        {
            if (AlarmRules.Text(payload.RootElement, "event") != GatewayStopping) return null;
        }
        var lastPoll = await tx.LongAsync("SELECT last_poll_at FROM gateway_polls WHERE gateway = @g", ("@g", gateway));
        return lastPoll is { } poll && poll > last.StoredAt ? null : last.StoredAt;
    }

    /// <summary>Asleep nodes past their wake time; not those of a gateway stopped on purpose (they cannot report).</summary>
    private async Task SweepSleepersAsync(Tx tx, IReadOnlySet<string> stoppedGateways, long now)
    {
        foreach (var sleeper in await tx.QueryAsync("SELECT site, node, gateway, state FROM node_state WHERE status = 'asleep'",
                     r => new Sleeper(r.GetString(0), r.GetString(1), r.GetString(2), r.Str(3))))
        {
            if (sleeper.State is null || stoppedGateways.Contains(sleeper.Gateway)) continue;
            using var state = JsonDocument.Parse(sleeper.State);
            if (!state.RootElement.TryGetProperty("wakeTs", out var wake) || !wake.TryGetInt64(out var wakeTs)) continue;
            if (now > wakeTs + _options.AsleepGraceS)
            {
                await AlarmService.RaiseAsync(tx, sleeper.Site, sleeper.Node, sleeper.Gateway, "node.offline",
                    AlarmRules.NodeKey("node.offline", sleeper.Site, sleeper.Node), "major",
                    $"asleep node did not wake up (expected by {DateTimeOffset.FromUnixTimeSeconds(wakeTs):u})", now);
            }
        }
    }

    /// <summary>protocol.md §4.3: only the last will (<c>lost</c>, or an offline state without a reason) is unplanned.</summary>
    public static bool IsPlanned(string? state)
    {
        if (state is null) return false;
        using var document = JsonDocument.Parse(state);
        var reason = AlarmRules.Text(document.RootElement, "reason");
        return reason is not null && reason != "lost";
    }

    private sealed record Offline(string Site, string Node, string Gateway, long Since, string? State);

    private sealed record Sleeper(string Site, string Node, string Gateway, string? State);

    private sealed record LastRecord(string Kind, long StoredAt, string Payload);
}
