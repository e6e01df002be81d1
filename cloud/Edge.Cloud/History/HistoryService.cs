using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Commissioning;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;

namespace Edge.Cloud.History;

/// <summary>
/// One stored telemetry row (docs/cloud.md §Tables): the selected numbers ingestion derived from the record, and
/// the node's payload as received, so a reader needs no second request for fields the columns do not carry.
/// </summary>
public sealed record TelemetryInfo(
    string Site, string Node, long Ts, string Type, string Gateway, long Seq,
    long? Level, double? Watts, double? Volts, long? EnergyWh, double? Lux,
    long? LevelMm, long? RateMmH, string? FloodState, double? BatteryV, long? ContentVersion,
    JsonElement Payload);

/// <summary>
/// One stored row of <c>events</c>: node events (<c>lamp.fault</c>, <c>flood.state</c>, …), acks (<c>cmd.ack</c>,
/// with <see cref="CommandId"/>), gateway rule firings (<c>rule.fired</c>) and gateway records. <see cref="Node"/> is
/// null for gateway records.
/// </summary>
public sealed record EventInfo(
    string Gateway, long Seq, string Site, string? Node, long Ts, string RecordKind, string Kind, string? CommandId, JsonElement Payload);

/// <summary>
/// Read access to what nodes and gateways reported: telemetry and events as ingestion stored them. Read-only;
/// newest first; every list is bounded so a careless query cannot pull a whole table through the API.
/// </summary>
public sealed class HistoryService
{
    public const int DefaultLimit = QueryValues.DefaultLimit;
    public const int MaxLimit = QueryValues.MaxLimit;

    private readonly IStorageConnections _connections;

    public HistoryService(IStorageConnections connections) => _connections = connections;

    private const string TelemetrySelect =
        "SELECT site, node, ts, type, gateway, seq, level, watts, volts, energy_wh, lux, level_mm, rate_mm_h, flood_state, battery_v, content_version, payload FROM telemetry";

    private static TelemetryInfo MapTelemetry(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetInt64(5),
        r.Long(6), r.Dbl(7), r.Dbl(8), r.Long(9), r.Dbl(10), r.Long(11), r.Long(12), r.Str(13), r.Dbl(14), r.Long(15),
        Payload(r, 16));

    private const string EventSelect = "SELECT gateway, seq, site, node, ts, record_kind, kind, command_id, payload FROM events";

    private static EventInfo MapEvent(DbDataReader r) => new(
        r.GetString(0), r.GetInt64(1), r.GetString(2), r.Str(3), r.GetInt64(4), r.GetString(5), r.GetString(6), r.Str(7), Payload(r, 8));

    /// <summary>Payloads are TEXT (SQLite) or JSONB (PostgreSQL; Npgsql reads it as text): returned as JSON, not as a string.</summary>
    private static JsonElement Payload(DbDataReader r, int i)
    {
        using var document = JsonDocument.Parse(r.GetString(i));
        return document.RootElement.Clone();
    }

    /// <summary>Telemetry of <paramref name="node"/> — and of the devices it replaced on its pole (<see cref="PoleHistory"/>) —
    /// with <paramref name="from"/> ≤ ts ≤ <paramref name="to"/> (node time, Unix seconds; both optional), newest first.
    /// 404 for a node neither in the inventory nor ever heard from.</summary>
    public async Task<IReadOnlyList<TelemetryInfo>> TelemetryAsync(string node, long? from, long? to, int? limit, CancellationToken ct = default)
    {
        int rows = CheckRange(from, to, limit);
        await using var tx = await Tx.ReadAsync(_connections, ct);
        await RequireNodeAsync(tx, node);
        var (devices, deviceParameters) = await PoleHistory.ConditionAsync(tx, "node", node);
        var where = new List<string> { devices };
        var parameters = new List<(string, object?)> { ("@limit", rows) };
        parameters.AddRange(deviceParameters);
        AddRange(where, parameters, from, to);
        return await tx.QueryAsync(TelemetrySelect + " WHERE " + string.Join(" AND ", where) + " ORDER BY ts DESC, seq DESC LIMIT @limit",
            MapTelemetry, parameters.ToArray());
    }

    /// <summary>Events, newest first (by ts, then gateway sequence); filters: node (404 if unknown; with the devices it
    /// replaced on its pole), kind (e.g.
    /// <c>rule.fired</c>, <c>cmd.ack</c>, <c>lamp.fault</c>), <paramref name="from"/> ≤ ts ≤ <paramref name="to"/>.</summary>
    public async Task<IReadOnlyList<EventInfo>> EventsAsync(string? node, string? kind, long? from, long? to, int? limit, CancellationToken ct = default)
    {
        int rows = CheckRange(from, to, limit);
        await using var tx = await Tx.ReadAsync(_connections, ct);
        var where = new List<string>();
        var parameters = new List<(string, object?)> { ("@limit", rows) };
        if (node is not null)
        {
            await RequireNodeAsync(tx, node);
            var (devices, deviceParameters) = await PoleHistory.ConditionAsync(tx, "node", node);
            where.Add(devices);
            parameters.AddRange(deviceParameters);
        }
        if (kind is not null) { where.Add("kind = @k"); parameters.Add(("@k", kind)); }
        AddRange(where, parameters, from, to);
        return await tx.QueryAsync(EventSelect + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY ts DESC, gateway, seq DESC LIMIT @limit",
            MapEvent, parameters.ToArray());
    }

    private static int CheckRange(long? from, long? to, int? limit)
    {
        QueryValues.Range(from, to);
        return QueryValues.Limit(limit);
    }

    private static void AddRange(List<string> where, List<(string, object?)> parameters, long? from, long? to)
    {
        if (from is { } f) { where.Add("ts >= @from"); parameters.Add(("@from", f)); }
        if (to is { } t) { where.Add("ts <= @to"); parameters.Add(("@to", t)); }
    }

    /// <summary>A node is known if it is in the inventory (removed ones too: their history stays readable) or has
    /// reported (node_state), so data of a node the installer has not registered yet is still reachable.</summary>
    private static async Task RequireNodeAsync(Tx tx, string node)
    {
        var known = await tx.LongAsync(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM nodes WHERE id = @n) OR EXISTS (SELECT 1 FROM node_state WHERE node = @n) THEN 1 ELSE 0 END",
            ("@n", node));
        if (known != 1) throw DomainException.NotFound("node", node);
    }
}
