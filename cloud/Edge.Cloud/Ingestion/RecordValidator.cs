using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Edge.Cloud.Storage;

namespace Edge.Cloud.Ingestion;

/// <summary>The outcome of validating one record: the record to store, or the error and whatever seq could
/// be read (for the <c>rejected</c> list and <c>ackedThrough</c>).</summary>
public sealed record RecordCheck(IngestRecord? Record, long? Seq, string? Error);

/// <summary>
/// Validates one uplink record (docs/uplink.md §2) and its payload (protocol.md §6–§10) on its own, and
/// derives the rows stored with it. Errors name the member as a path relative to the record
/// (<c>payload.level: 140 is out of range 0..100</c>). Unknown members are ignored (protocol.md §5.2).
/// </summary>
public static partial class RecordValidator
{
    public const int MaxNodePayloadBytes = 4096; // protocol.md §13
    private const long MaxSafeInteger = 9007199254740992; // 2^53, protocol.md §5.3 "long"
    private const long UIntMax = uint.MaxValue;

    public static readonly string[] RecordKinds = ["telemetry", "event", "state", "ack", "rule", "gateway"];
    private static readonly string[] NodeTypes = ["streetlight", "waterlevel", "busstop"];
    // protocol.md §7.2–§7.9: keep in step with the node firmware's EventEncoder.
    private static readonly string[] EventKinds = ["lamp.fault", "flood.state", "flood.rate", "node.boot", "node.watchdog", "config.rejected", "hw.fault", "message.rejected"];
    private static readonly string[] Statuses = ["online", "offline", "asleep"];
    private static readonly string[] FloodStates = ["normal", "watch", "warning", "alarm"];
    private static readonly string[] AckResults = ["ok", "expired", "duplicate", "rejected", "unsupported", "failed"];

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,31}$")]
    private static partial Regex IdPattern(); // protocol.md §2.1

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,64}$")]
    private static partial Regex CommandIdPattern(); // protocol.md §10.1

    public static RecordCheck Validate(string gateway, JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object) return new RecordCheck(null, null, $"expected an object, got {JsonFields.Describe(record)}");
        var error = JsonFields.Integer(record, "seq", "", 0, MaxSafeInteger, true, out var seqValue);
        if (error is not null) return new RecordCheck(null, null, error);
        var seq = seqValue!.Value;
        RecordCheck Fail(string message) => new(null, seq, message);

        if ((error = JsonFields.OneOf(record, "kind", "", true, RecordKinds, out var kind)) is not null) return Fail(error);
        if ((error = Id(record, "site", true, out var site)) is not null) return Fail(error);
        var nodeRequired = kind is "telemetry" or "event" or "state" or "ack";
        if ((error = Id(record, "node", nodeRequired, out var node)) is not null) return Fail(error);
        if ((error = JsonFields.Integer(record, "receivedAt", "", 0, JsonFields.MaxTs, true, out var receivedAtValue)) is not null) return Fail(error);
        var receivedAt = receivedAtValue!.Value;

        if (!record.TryGetProperty("payload", out var payload) || payload.ValueKind == JsonValueKind.Null) return Fail("payload: required");
        if (payload.ValueKind != JsonValueKind.Object) return Fail($"payload: expected an object, got {JsonFields.Describe(payload)}");
        if ((error = JsonFields.Integer(payload, "v", "payload.", long.MinValue, long.MaxValue, true, out var v)) is not null) return Fail(error);
        if (v != 1) return Fail($"payload.v: {v} is not a known schema version (expected 1)");
        var payloadJson = payload.GetRawText();
        if (nodeRequired && Encoding.UTF8.GetByteCount(payloadJson) > MaxNodePayloadBytes)
        {
            return Fail($"payload: {Encoding.UTF8.GetByteCount(payloadJson)} bytes exceeds the {MaxNodePayloadBytes}-byte limit of protocol.md §13");
        }

        var stored = new IngestRecord(gateway, seq, node, site!, kind!, receivedAt, payloadJson);
        error = kind switch
        {
            "telemetry" => Telemetry(payload, receivedAt, ref stored),
            "event" => Event(payload, receivedAt, ref stored),
            "state" => State(payload, receivedAt, ref stored),
            "ack" => Ack(payload, receivedAt, ref stored),
            "rule" => Rule(payload, receivedAt, ref stored),
            _ => GatewayRecord(payload, receivedAt, ref stored),
        };
        if (error is not null) return Fail(error);
        if (node is not null && stored.State is null) stored = stored with { State = new NodeStateUpdate(receivedAt) };
        return new RecordCheck(stored, seq, null);
    }

    private static string? Telemetry(JsonElement p, long receivedAt, ref IngestRecord record)
    {
        string? e;
        if ((e = JsonFields.OneOf(p, "type", "payload.", true, NodeTypes, out var type)) is not null) return e;
        if ((e = Identity(p, out var ts)) is not null) return e;
        var row = new TelemetryRow(ts == 0 ? receivedAt : ts, type!);
        switch (type)
        {
            case "streetlight":
                if ((e = JsonFields.Integer(p, "level", "payload.", 0, 100, true, out var level)) is not null) return e;
                if ((e = JsonFields.Number(p, "watts", "payload.", false, out var watts)) is not null) return e;
                if ((e = JsonFields.Number(p, "volts", "payload.", false, out var volts)) is not null) return e;
                if ((e = JsonFields.Integer(p, "energyWh", "payload.", 0, MaxSafeInteger, false, out var energy)) is not null) return e;
                if ((e = JsonFields.Number(p, "lux", "payload.", false, out var lux)) is not null) return e;
                row = row with { Level = (int)level!.Value, Watts = watts, Volts = volts, EnergyWh = energy, Lux = lux };
                break;
            case "waterlevel":
                // protocol.md §6.3: omitted until the gauge's first accepted sample (a new or blind gauge still reports).
                if ((e = JsonFields.Integer(p, "levelMm", "payload.", int.MinValue, int.MaxValue, false, out var levelMm)) is not null) return e;
                if ((e = JsonFields.OneOf(p, "state", "payload.", true, FloodStates, out var flood)) is not null) return e;
                if ((e = JsonFields.Integer(p, "rateMmH", "payload.", int.MinValue, int.MaxValue, false, out var rate)) is not null) return e;
                if ((e = JsonFields.Number(p, "batteryV", "payload.", false, out var battery)) is not null) return e;
                row = row with { LevelMm = (int?)levelMm, FloodState = flood, RateMmH = (int?)rate, BatteryV = battery };
                break;
            default:
                if ((e = JsonFields.Integer(p, "contentVersion", "payload.", 0, UIntMax, true, out var content)) is not null) return e;
                if ((e = JsonFields.Boolean(p, "stale", "payload.", out _)) is not null) return e;
                if ((e = JsonFields.Number(p, "volts", "payload.", false, out var busVolts)) is not null) return e;
                row = row with { ContentVersion = content, Volts = busVolts };
                break;
        }
        record = record with { Telemetry = row, State = new NodeStateUpdate(record.ReceivedAt) { Type = type } };
        return null;
    }

    private static string? Event(JsonElement p, long receivedAt, ref IngestRecord record)
    {
        string? e;
        if ((e = JsonFields.OneOf(p, "kind", "payload.", true, EventKinds, out var kind)) is not null) return e;
        if ((e = Identity(p, out var ts)) is not null) return e;
        if (kind is "lamp.fault" or "hw.fault" or "flood.rate" && (e = RequireBoolean(p, "active")) is not null) return e;
        if (kind == "flood.state")
        {
            if ((e = JsonFields.OneOf(p, "from", "payload.", true, FloodStates, out _)) is not null) return e;
            if ((e = JsonFields.OneOf(p, "to", "payload.", true, FloodStates, out _)) is not null) return e;
        }
        record = record with { Event = new EventRow(ts == 0 ? receivedAt : ts, kind!, null) };
        return null;
    }

    private static string? State(JsonElement p, long receivedAt, ref IngestRecord record)
    {
        string? e;
        if ((e = JsonFields.OneOf(p, "status", "payload.", true, Statuses, out var status)) is not null) return e;
        if ((e = JsonFields.Integer(p, "ts", "payload.", 0, JsonFields.MaxTs, false, out _)) is not null) return e;
        if ((e = JsonFields.OneOf(p, "type", "payload.", false, NodeTypes, out var type)) is not null) return e;
        if ((e = JsonFields.Integer(p, "configVersion", "payload.", 0, MaxSafeInteger, false, out var config)) is not null) return e;
        if ((e = JsonFields.Integer(p, "displayVersion", "payload.", 0, MaxSafeInteger, false, out var display)) is not null) return e;
        if ((e = JsonFields.Text(p, "fw", "payload.", false, out var fw)) is not null) return e;
        record = record with
        {
            State = new NodeStateUpdate(receivedAt)
            {
                Type = type,
                Status = status,
                // An asleep node counts as online until it misses its wake-up (protocol.md §4.6); the
                // offline-after-wakeTs check belongs to the alarm logic, which knows the clock.
                Online = status != "offline",
                ConfigVersion = config,
                DisplayVersion = display,
                Fw = fw,
                StateJson = record.PayloadJson,
            },
        };
        return null;
    }

    private static string? Ack(JsonElement p, long receivedAt, ref IngestRecord record)
    {
        string? e;
        if ((e = JsonFields.Text(p, "id", "payload.", true, out var id)) is not null) return e;
        if (!CommandIdPattern().IsMatch(id!)) return $"payload.id: \"{id}\" does not match {CommandIdPattern()}";
        if ((e = JsonFields.OneOf(p, "result", "payload.", true, AckResults, out _)) is not null) return e;
        if ((e = Identity(p, out var ts)) is not null) return e;
        record = record with { Event = new EventRow(ts == 0 ? receivedAt : ts, "cmd.ack", id) };
        return null;
    }

    private static string? Rule(JsonElement p, long receivedAt, ref IngestRecord record)
    {
        string? e;
        if ((e = JsonFields.Text(p, "rule", "payload.", true, out _)) is not null) return e;
        if ((e = JsonFields.Integer(p, "ts", "payload.", 0, JsonFields.MaxTs, false, out var ts)) is not null) return e;
        record = record with { Event = new EventRow(ts is > 0 ? ts.Value : receivedAt, "rule.fired", null) };
        return null;
    }

    private static string? GatewayRecord(JsonElement p, long receivedAt, ref IngestRecord record)
    {
        string? e;
        if ((e = JsonFields.Text(p, "kind", "payload.", false, out var kind)) is not null) return e;
        if ((e = JsonFields.Integer(p, "ts", "payload.", 0, JsonFields.MaxTs, false, out var ts)) is not null) return e;
        record = record with { Event = new EventRow(ts is > 0 ? ts.Value : receivedAt, string.IsNullOrEmpty(kind) ? "gateway" : kind, null) };
        return null;
    }

    /// <summary><c>ts</c>, <c>boot</c>, <c>seq</c> of telemetry, events and acks (protocol.md §5.4).</summary>
    private static string? Identity(JsonElement p, out long ts)
    {
        ts = 0;
        string? e;
        if ((e = JsonFields.Integer(p, "ts", "payload.", 0, JsonFields.MaxTs, true, out var value)) is not null) return e;
        if ((e = JsonFields.Integer(p, "boot", "payload.", 0, UIntMax, true, out _)) is not null) return e;
        if ((e = JsonFields.Integer(p, "seq", "payload.", 0, UIntMax, true, out _)) is not null) return e;
        ts = value!.Value;
        return null;
    }

    private static string? RequireBoolean(JsonElement p, string name)
    {
        var e = JsonFields.Boolean(p, name, "payload.", out var value);
        return e ?? (value is null ? $"payload.{name}: required" : null);
    }

    private static string? Id(JsonElement record, string name, bool required, out string? value)
    {
        var e = JsonFields.Text(record, name, "", required, out value);
        if (e is not null || value is null) return e;
        return IdPattern().IsMatch(value) ? null : $"{name}: \"{value}\" does not match {IdPattern()}";
    }
}
