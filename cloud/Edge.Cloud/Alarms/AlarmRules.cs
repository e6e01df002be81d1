using System.Text.Json;
using System.Threading.Tasks;
using Edge.Cloud.Domain;

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

    public static async Task ApplyAsync(Tx tx, string gateway, string site, string node, string recordKind, JsonElement payload, long at)
    {
        var target = site + "/" + node;
        if (recordKind == "state")
        {
            var status = Text(payload, "status");
            var key = Key("node.offline", null, target);
            // An offline state raises nothing here: a lost node waits out the grace period and may be grouped with
            // its gateway's other nodes, a planned offline raises nothing at all (OfflineSweep).
            if (status is "online" or "asleep")
            {
                await AlarmService.ClearAsync(tx, key, at);
            }
            return;
        }
        if (recordKind != "event") return;
        switch (Text(payload, "kind"))
        {
            case "lamp.fault":
            {
                var fault = Text(payload, "fault") ?? "unknown";
                var key = Key("lamp.fault", fault, target);
                if (Bool(payload, "active"))
                {
                    var severity = fault is "lamp-failure" or "supply-loss" ? "major" : "minor";
                    await AlarmService.RaiseAsync(tx, site, node, gateway, "lamp.fault", key, severity, Text(payload, "msg") ?? fault, at);
                }
                else
                {
                    await AlarmService.ClearAsync(tx, key, at);
                }
                break;
            }
            case "hw.fault":
            {
                var part = Text(payload, "part") ?? "unknown";
                var key = Key("hw.fault", part, target);
                if (Bool(payload, "active")) await AlarmService.RaiseAsync(tx, site, node, gateway, "hw.fault", key, part == "battery" ? "minor" : "major", Text(payload, "msg") ?? part, at);
                else await AlarmService.ClearAsync(tx, key, at);
                break;
            }
            case "flood.state":
            {
                var to = Text(payload, "to");
                var key = Key("flood.state", null, target);
                var level = payload.TryGetProperty("levelMm", out var mm) && mm.ValueKind == JsonValueKind.Number ? $" at {mm.GetRawText()} mm" : "";
                if (to is "warning" or "alarm") await AlarmService.RaiseAsync(tx, site, node, gateway, "flood.state", key, to == "alarm" ? "critical" : "major", $"flood {to}{level}", at);
                else await AlarmService.ClearAsync(tx, key, at);
                break;
            }
            case "flood.rate":
            {
                var key = Key("flood.rate", null, target);
                if (Bool(payload, "active")) await AlarmService.RaiseAsync(tx, site, node, gateway, "flood.rate", key, "major", "water rising fast", at);
                else await AlarmService.ClearAsync(tx, key, at);
                break;
            }
        }
    }

    internal static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool Bool(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
}
