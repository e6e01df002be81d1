using System.Text.Json.Nodes;

namespace Edge.Cloud.Tests.Support;

/// <summary>Uplink records as a gateway writes them (docs/uplink.md §2), built as JSON.</summary>
public static class Records
{
    public const string Site = "igoumenitsa";

    public static JsonObject Streetlight(long seq, string node, long ts, int level, double watts = 38.4) => Record(seq, node, "telemetry", ts,
        new JsonObject { ["v"] = 1, ["type"] = "streetlight", ["ts"] = ts, ["boot"] = 17, ["seq"] = seq, ["level"] = level, ["source"] = "schedule", ["watts"] = watts, ["volts"] = 230.1, ["energyWh"] = 412873, ["faults"] = new JsonArray() });

    public static JsonObject Water(long seq, string node, long ts, int levelMm, string state) => Record(seq, node, "telemetry", ts,
        new JsonObject { ["v"] = 1, ["type"] = "waterlevel", ["ts"] = ts, ["boot"] = 5, ["seq"] = seq, ["levelMm"] = levelMm, ["distanceMm"] = 3200 - levelMm, ["state"] = state, ["rateMmH"] = 120, ["batteryV"] = 3.27 });

    public static JsonObject LampFault(long seq, string node, long ts) => Record(seq, node, "event", ts,
        new JsonObject { ["v"] = 1, ["kind"] = "lamp.fault", ["ts"] = ts, ["boot"] = 17, ["seq"] = seq, ["fault"] = "lamp-failure", ["active"] = true, ["level"] = 60, ["watts"] = 0.8, ["volts"] = 229.7 });

    public static JsonObject State(long seq, string node, long receivedAt, string status, long? configVersion, string? reason = null)
    {
        var payload = new JsonObject { ["v"] = 1, ["status"] = status };
        if (reason is not null) payload["reason"] = reason;
        if (status != "offline") payload["ts"] = receivedAt;
        if (configVersion is { } version) { payload["type"] = "streetlight"; payload["fw"] = "1.2.0"; payload["configVersion"] = version; }
        return Record(seq, node, "state", receivedAt, payload);
    }

    public static JsonObject Ack(long seq, string node, long ts, string commandId) => Record(seq, node, "ack", ts,
        new JsonObject { ["v"] = 1, ["id"] = commandId, ["result"] = "ok", ["ts"] = ts, ["boot"] = 17, ["seq"] = seq });

    public static JsonObject Rule(long seq, long receivedAt) => Record(seq, null, "rule", receivedAt,
        new JsonObject { ["v"] = 1, ["rule"] = "flood-zone-3", ["trigger"] = "wl-0003", ["state"] = "warning", ["actions"] = new JsonArray("banner", "lights") });

    /// <summary>The gateway's own record (docs/uplink.md §2), e.g. <c>gateway.stopping</c>.</summary>
    public static JsonObject GatewayEvent(long seq, long receivedAt, string name) => Record(seq, null, "gateway", receivedAt,
        new JsonObject { ["v"] = 1, ["event"] = name });

    public static JsonObject Record(long seq, string? node, string kind, long receivedAt, JsonObject payload) => new()
    {
        ["seq"] = seq, ["node"] = node, ["site"] = Site, ["kind"] = kind, ["receivedAt"] = receivedAt, ["payload"] = payload,
    };

    public static JsonObject Batch(string gateway, params JsonObject[] records) => new()
    {
        ["v"] = 1, ["gateway"] = gateway, ["sentAt"] = 1767304802, ["records"] = new JsonArray(records),
    };
}
