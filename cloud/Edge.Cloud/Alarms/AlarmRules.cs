using System.Text.Json;

namespace Edge.Cloud.Alarms;

/// <summary>
/// What an ingested node record means for alarms (protocol.md §7, §8): a lamp fault or hardware fault raised
/// opens an alarm and its clear event clears it; a flood state of warning/alarm opens (or escalates) the
/// gauge's flood alarm and a lower state clears it; the rate-of-rise alarm likewise; any online/asleep state
/// clears the node-offline alarm, which <see cref="OfflineSweep"/> raises.
/// </summary>
public static class AlarmRules
{
    public static string Key(string kind, string? detail, string target) => kind + (detail is null ? "" : ":" + detail) + "@" + target;

    /// <summary>The target of a node's alarms: its site and id.</summary>
    public static string NodeTarget(string site, string node) => site + "/" + node;

    /// <summary>The key of a node's alarm of <paramref name="kind"/> with no detail (node.offline, node.commissioning …).</summary>
    public static string NodeKey(string kind, string site, string node) => Key(kind, null, NodeTarget(site, node));

    /// <summary>The alarm change <paramref name="payload"/> of a node record means, or null (most records mean none).
    /// Pure: <see cref="AlarmChanges"/> writes the changes of a whole batch of records together.</summary>
    public static AlarmChange? Decide(string gateway, string site, string node, string recordKind, JsonElement payload, long at)
    {
        var target = NodeTarget(site, node);
        AlarmChange Raise(string kind, string key, string severity, string message) => new(key, at, new AlarmRaise(site, node, gateway, kind, severity, message));
        AlarmChange Clear(string key) => new(key, at, null);
        if (recordKind == "state")
        {
            // An offline state raises nothing here: a lost node waits out the grace period and may be grouped with
            // its gateway's other nodes, a planned offline raises nothing at all (OfflineSweep).
            return Text(payload, "status") is "online" or "asleep" ? Clear(Key("node.offline", null, target)) : null;
        }
        if (recordKind != "event") return null;
        switch (Text(payload, "kind"))
        {
            case "lamp.fault":
            {
                var fault = Text(payload, "fault") ?? "unknown";
                var key = Key("lamp.fault", fault, target);
                if (!Bool(payload, "active")) return Clear(key);
                var severity = fault is "lamp-failure" or "supply-loss" ? "major" : "minor";
                return Raise("lamp.fault", key, severity, Text(payload, "msg") ?? fault);
            }
            case "hw.fault":
            {
                var part = Text(payload, "part") ?? "unknown";
                var key = Key("hw.fault", part, target);
                return Bool(payload, "active") ? Raise("hw.fault", key, part == "battery" ? "minor" : "major", Text(payload, "msg") ?? part) : Clear(key);
            }
            case "flood.state":
            {
                var to = Text(payload, "to");
                var key = Key("flood.state", null, target);
                var level = payload.TryGetProperty("levelMm", out var mm) && mm.ValueKind == JsonValueKind.Number ? $" at {mm.GetRawText()} mm" : "";
                return to is "warning" or "alarm" ? Raise("flood.state", key, to == "alarm" ? "critical" : "major", $"flood {to}{level}") : Clear(key);
            }
            case "flood.rate":
            {
                var key = Key("flood.rate", null, target);
                return Bool(payload, "active") ? Raise("flood.rate", key, "major", "water rising fast") : Clear(key);
            }
            default:
                return null;
        }
    }

    internal static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool Bool(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
}
