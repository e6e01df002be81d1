using System;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Edge.Cloud.Storage;
using Edge.Protocol.Messages;

namespace Edge.Cloud.Ingestion;

/// <summary>The outcome of validating one record: the record to store, or the error and whatever seq could
/// be read (for the <c>rejected</c> list and <c>ackedThrough</c>).</summary>
public sealed record RecordCheck(IngestRecord? Record, long? Seq, string? Error);

/// <summary>
/// Validates one uplink record (docs/uplink.md §2) on its own and derives the rows stored with it. The payload of a
/// node record (telemetry, event, state, ack) is judged by <see cref="NodeMessageValidator"/>, the same code and rules
/// the gateway applies to the node's PUBLISH (docs/schemas/); rule and gateway records are the gateway's own
/// documents and checked here. Errors name the member as a path relative to the record
/// (<c>payload.level: 140 is out of range 0..100</c>). Unknown members are ignored (protocol.md §5.2). Content never
/// throws: a record with invalid UTF-8 (RFC 8259 §8.1) anywhere is rejected on its own, like any other invalid record.
/// </summary>
public static partial class RecordValidator
{
    public const int MaxNodePayloadBytes = 4096; // protocol.md §13
    private const long MaxSafeInteger = MessageShapes.MaxSafeInteger;

    public static readonly string[] RecordKinds = ["telemetry", "event", "state", "ack", "rule", "gateway"];

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,31}$")]
    internal static partial Regex IdPattern(); // protocol.md §2.1

    public static RecordCheck Validate(string gateway, JsonElement record)
    {
        var members = record.ValueKind == JsonValueKind.Object ? RecordMembers.Of(record) : default;
        var seq = members.Seq.ValueKind == JsonValueKind.Number && members.Seq.TryGetInt64(out var n) && n >= 0 && n <= MaxSafeInteger ? n : (long?)null;
        // The one scan that makes every later GetString safe: JsonDocument does not check UTF-8 while parsing.
        if (JsonText.FindInvalidText(JsonMarshal.GetRawUtf8Value(record)) is { } text) return new RecordCheck(null, seq, "record: " + text);
        try
        {
            return ValidateText(gateway, record, members);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
        {
            // A content problem nobody foresaw is still this record's problem, never the batch's (no 500 for content).
            return new RecordCheck(null, seq, "record: could not be read: " + e.Message);
        }
    }

    private static RecordCheck ValidateText(string gateway, JsonElement record, RecordMembers members)
    {
        if (record.ValueKind != JsonValueKind.Object) return new RecordCheck(null, null, $"expected an object, got {JsonFields.Describe(record)}");
        var error = JsonFields.IntegerValue(members.Seq, "seq", "", 0, MaxSafeInteger, true, out var seqValue);
        if (error is not null) return new RecordCheck(null, null, error);
        var seq = seqValue!.Value;
        RecordCheck Fail(string message) => new(null, seq, message);

        if ((error = JsonFields.OneOfValue(members.Kind, "kind", "", true, RecordKinds, out var kind)) is not null) return Fail(error);
        if ((error = Id(members.Site, "site", true, out var site)) is not null) return Fail(error);
        var nodeRequired = kind is "telemetry" or "event" or "state" or "ack";
        if ((error = Id(members.Node, "node", nodeRequired, out var node)) is not null) return Fail(error);
        if ((error = JsonFields.IntegerValue(members.ReceivedAt, "receivedAt", "", 0, JsonFields.MaxTs, true, out var receivedAtValue)) is not null) return Fail(error);
        var receivedAt = receivedAtValue!.Value;

        var payload = members.Payload;
        if (payload.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return Fail("payload: required");
        if (payload.ValueKind != JsonValueKind.Object) return Fail($"payload: expected an object, got {JsonFields.Describe(payload)}");
        var version = payload.TryGetProperty("v"u8, out var member) ? member : default;
        if ((error = JsonFields.IntegerValue(version, "v", "payload.", long.MinValue, long.MaxValue, true, out var v)) is not null) return Fail(error);
        if (v != 1) return Fail($"payload.v: {v} is not a known schema version (expected 1)");
        // The payload's own bytes: the record's scan above found them valid UTF-8, so their count is the text's UTF-8 size.
        var payloadUtf8 = JsonMarshal.GetRawUtf8Value(payload);
        if (nodeRequired && payloadUtf8.Length > MaxNodePayloadBytes)
        {
            return Fail($"payload: {payloadUtf8.Length} bytes exceeds the {MaxNodePayloadBytes}-byte limit of protocol.md §13");
        }

        var verdict = default(NodeMessageCheck);
        if (nodeRequired)
        {
            var leaf = kind == "ack" ? "cmd/ack" : kind!;
            verdict = NodeMessageValidator.Validate(leaf, payloadUtf8);
            if (!verdict.IsValid) return Fail("payload." + verdict.Error);
        }

        // The derived row first, then the record once (no copies of it per derived row).
        TelemetryRow? telemetry = null;
        EventRow? eventRow = null;
        switch (kind)
        {
            case "telemetry": telemetry = Telemetry(payload, verdict, receivedAt); break;
            case "event": eventRow = new EventRow(At(verdict, receivedAt), verdict.Discriminator!, null); break;
            case "state": break; // derives no row here: node_state comes from the stored record afterwards (NodeStateFeed)
            case "ack": eventRow = new EventRow(At(verdict, receivedAt), "cmd.ack", Str(payload, "id"u8)); break;
            case "rule": error = Rule(payload, receivedAt, out eventRow); break;
            default: error = GatewayRecord(payload, receivedAt, out eventRow); break;
        }
        if (error is not null) return Fail(error);
        return new RecordCheck(new IngestRecord(gateway, seq, node, site!, kind!, receivedAt, payload.GetRawText()) { Telemetry = telemetry, Event = eventRow }, seq, null);
    }

    // The node kinds below only derive the stored rows: NodeMessageValidator has already judged the payload, so
    // every member read here is present when required and of its documented type when present. Its verdict carries
    // ts and the type / kind (the table's own string: no copy of the payload's); the other members are looked up by
    // their UTF-8 names: a lookup by a string name transcodes it first, at every call.

    /// <summary>The node's ts, or the gateway's receivedAt when the node had no time yet (ts 0, protocol.md §5.4).</summary>
    private static long At(in NodeMessageCheck verdict, long receivedAt) => verdict.Ts is > 0 and var ts ? ts : receivedAt;

    private static TelemetryRow Telemetry(JsonElement p, in NodeMessageCheck verdict, long receivedAt)
    {
        var type = verdict.Discriminator!;
        var ts = At(verdict, receivedAt);
        return type switch
        {
            "streetlight" => new TelemetryRow(ts, type) { Level = (int?)Int(p, "level"u8), Watts = Num(p, "watts"u8), Volts = Num(p, "volts"u8), EnergyWh = Int(p, "energyWh"u8), Lux = Num(p, "lux"u8) },
            // rateMmH and batteryV are not protocol members (riseMm, batteryMv are); kept for older gateways' records.
            "waterlevel" => new TelemetryRow(ts, type)
            {
                LevelMm = (int?)Int(p, "levelMm"u8), FloodState = Str(p, "state"u8), RateMmH = (int?)Int(p, "rateMmH"u8),
                BatteryV = Num(p, "batteryV"u8) ?? Int(p, "batteryMv"u8) / 1000.0,
            },
            _ => new TelemetryRow(ts, type) { ContentVersion = Int(p, "contentVersion"u8), Volts = Num(p, "volts"u8) },
        };
    }

    private static string? Str(JsonElement p, ReadOnlySpan<byte> name) => p.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    private static long? Int(JsonElement p, ReadOnlySpan<byte> name) => p.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var v) ? v : null;

    private static double? Num(JsonElement p, ReadOnlySpan<byte> name) => p.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var v) ? v : null;

    private static string? Rule(JsonElement p, long receivedAt, out EventRow? row)
    {
        row = null;
        string? e;
        if ((e = JsonFields.Text(p, "rule", "payload.", true, out _)) is not null) return e;
        if ((e = JsonFields.Integer(p, "ts", "payload.", 0, JsonFields.MaxTs, false, out var ts)) is not null) return e;
        row = new EventRow(ts is > 0 ? ts.Value : receivedAt, "rule.fired", null);
        return null;
    }

    private static string? GatewayRecord(JsonElement p, long receivedAt, out EventRow? row)
    {
        row = null;
        string? e;
        if ((e = JsonFields.Text(p, "kind", "payload.", false, out var kind)) is not null) return e;
        if (kind is null && (e = JsonFields.Text(p, "event", "payload.", false, out kind)) is not null) return e; // GatewayRecords write "event"
        if ((e = JsonFields.Integer(p, "ts", "payload.", 0, JsonFields.MaxTs, false, out var ts)) is not null) return e;
        row = new EventRow(ts is > 0 ? ts.Value : receivedAt, string.IsNullOrEmpty(kind) ? "gateway" : kind, null);
        return null;
    }

    private static string? Id(JsonElement member, string name, bool required, out string? value)
    {
        var e = JsonFields.TextValue(member, name, "", required, out value);
        if (e is not null || value is null) return e;
        return IdPattern().IsMatch(value) ? null : $"{name}: \"{value}\" does not match {IdPattern()}";
    }

    /// <summary>The record's members read here, found in one pass over its properties: a lookup by name walks the
    /// properties again for every member. The last of a duplicated name counts, as with TryGetProperty. An absent
    /// member stays the undefined element.</summary>
    private readonly struct RecordMembers
    {
        public JsonElement Seq { get; private init; }
        public JsonElement Kind { get; private init; }
        public JsonElement Site { get; private init; }
        public JsonElement Node { get; private init; }
        public JsonElement ReceivedAt { get; private init; }
        public JsonElement Payload { get; private init; }

        public static RecordMembers Of(JsonElement record)
        {
            JsonElement seq = default, kind = default, site = default, node = default, receivedAt = default, payload = default;
            foreach (var property in record.EnumerateObject())
            {
                if (property.NameEquals("seq"u8)) seq = property.Value;
                else if (property.NameEquals("kind"u8)) kind = property.Value;
                else if (property.NameEquals("site"u8)) site = property.Value;
                else if (property.NameEquals("node"u8)) node = property.Value;
                else if (property.NameEquals("receivedAt"u8)) receivedAt = property.Value;
                else if (property.NameEquals("payload"u8)) payload = property.Value;
            }
            return new RecordMembers { Seq = seq, Kind = kind, Site = site, Node = node, ReceivedAt = receivedAt, Payload = payload };
        }
    }
}
