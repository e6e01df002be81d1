using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Cloud.Storage;

/// <summary>
/// Stores validated uplink records (docs/uplink.md §2) and the rows derived from them. Implemented by
/// <see cref="SqliteIngestStore"/> and <see cref="PostgresIngestStore"/>; the same storage test suite runs
/// against both.
/// </summary>
public interface IIngestStore
{
    /// <summary>
    /// Stores each record at most once per <c>(Gateway, Epoch, Seq)</c>, in one transaction. Only records that are
    /// new write their derived rows (telemetry, event), so a retried batch changes nothing. A record whose key is
    /// already stored — or appears earlier in the same list — counts as a duplicate, whatever its content.
    /// <c>node_state</c> is not written here: <see cref="NodeStateFeed"/> derives it from the stored records after
    /// the commit (the record feed runs it as soon as ingestion signals new records), so a node's state lags its
    /// records by that step.
    /// </summary>
    Task<StoreResult> StoreAsync(IReadOnlyList<IngestRecord> records, CancellationToken cancellationToken = default);
}

/// <summary>How many of the records were new and how many were already stored.</summary>
public readonly record struct StoreResult(int Stored, int Duplicates);

/// <summary>
/// One validated record, ready to store. <paramref name="PayloadJson"/> is the payload object as received.
/// At most one of <see cref="Telemetry"/> / <see cref="Event"/> is set, by record kind. <see cref="State"/> is not
/// set by ingestion: <see cref="NodeStateFeed"/> derives it from the stored record.
/// </summary>
public sealed record IngestRecord(
    string Gateway,
    long Seq,
    string? Node,
    string Site,
    string Kind,
    long ReceivedAt,
    string PayloadJson)
{
    /// <summary>The gateway outbox's epoch (docs/uplink.md §2 <c>epoch</c>; empty for gateways that send none):
    /// part of the idempotency key, because a recreated outbox starts its <c>seq</c> again.</summary>
    public string Epoch { get; init; } = "";

    public TelemetryRow? Telemetry { get; init; }
    public EventRow? Event { get; init; }
    /// <summary>What the record tells about its node (<see cref="NodeStateUpdate.Of"/>): set by
    /// <see cref="NodeStateFeed"/> on the records it reads back, not by ingestion (the stores do not write
    /// <c>node_state</c>).</summary>
    public NodeStateUpdate? State { get; init; }
}

/// <summary>A <c>telemetry</c> row: the selected numeric columns of protocol.md §6 (null when the node type
/// does not have them) next to the full payload. <see cref="Ts"/> is the node's measurement time, or the
/// gateway's receive time when the node clock was not set (<c>ts = 0</c>).</summary>
public sealed record TelemetryRow(long Ts, string Type)
{
    public int? Level { get; init; }
    public double? Watts { get; init; }
    public double? Volts { get; init; }
    public long? EnergyWh { get; init; }
    public double? Lux { get; init; }
    public int? LevelMm { get; init; }
    public int? RateMmH { get; init; }
    public string? FloodState { get; init; }
    public double? BatteryV { get; init; }
    public long? ContentVersion { get; init; }
}

/// <summary>An <c>events</c> row for records of kind <c>event</c>, <c>ack</c>, <c>rule</c> and
/// <c>gateway</c>. <see cref="Kind"/>: the node event kind (<c>lamp.fault</c>, <c>flood.state</c>, …),
/// <c>cmd.ack</c>, <c>rule.fired</c>, or the gateway document's <c>kind</c> (else <c>gateway</c>).
/// <see cref="CommandId"/> is set for acks.</summary>
public sealed record EventRow(long Ts, string Kind, string? CommandId);

/// <summary>What a record tells about its node. <see cref="Status"/> and the fields after it come only from
/// <c>state</c> records; null fields keep the stored value (the last will carries no versions).</summary>
public sealed record NodeStateUpdate(long SeenAt)
{
    /// <summary>What a stored record of <paramref name="kind"/> tells about its node: a <c>state</c> payload its status
    /// and versions (the fields ingestion validated, protocol.md §4.6), telemetry its node type, anything else only
    /// that the node was seen at <paramref name="receivedAt"/>.</summary>
    public static NodeStateUpdate Of(string kind, long receivedAt, string? statePayloadJson, string? telemetryType)
    {
        if (kind != "state" || statePayloadJson is null) return new NodeStateUpdate(receivedAt) { Type = kind == "telemetry" ? telemetryType : null };
        using var document = JsonDocument.Parse(statePayloadJson);
        var p = document.RootElement;
        var status = Str(p, "status");
        return new NodeStateUpdate(receivedAt)
        {
            Type = Str(p, "type"),
            Status = status,
            // An asleep node counts as online until it misses its wake-up; the offline-after-wakeTs check is the
            // alarm sweep's, which knows the clock.
            Online = status != "offline",
            ConfigVersion = Int(p, "configVersion"),
            DisplayVersion = Int(p, "displayVersion"),
            Fw = Str(p, "fw"),
            StateJson = statePayloadJson,
        };
    }

    private static string? Str(JsonElement p, string name) => p.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    private static long? Int(JsonElement p, string name) => p.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var v) ? v : null;

    public string? Type { get; init; }
    public string? Status { get; init; }
    public bool? Online { get; init; }
    public long? ConfigVersion { get; init; }
    public long? DisplayVersion { get; init; }
    public string? Fw { get; init; }
    /// <summary>The state payload, set for <c>state</c> records only.</summary>
    public string? StateJson { get; init; }
}
