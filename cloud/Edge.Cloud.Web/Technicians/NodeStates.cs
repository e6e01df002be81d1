using Edge.Cloud.Inventory;

namespace Edge.Cloud.Web.Technicians;

/// <summary>
/// The one-word state of a node on the map and in tables: <c>offline</c> / <c>asleep</c> as the node (or the
/// cloud's offline sweep) last said, <c>alarm</c> when its latest telemetry reports a fault, <c>warning</c> when the
/// node says what it shows is stale or the config it runs is not the one the cloud wants, <c>ok</c> otherwise,
/// <c>unknown</c> before it ever reported.
/// </summary>
public static class NodeStates
{
    public static readonly string[] All = { "ok", "warning", "alarm", "offline", "asleep", "unknown" };

    public static string Of(NodeInfo node)
    {
        if (node.Status is null) return "unknown";
        if (node.Status is "offline" or "lost") return "offline";
        if (node.Status == "asleep") return "asleep";
        if (node.Condition?.Faults is { Count: > 0 }) return "alarm";
        if (node.Condition?.Stale == true || (node.DesiredConfigVersion is { } want && node.AppliedConfigVersion is { } have && have != want)) return "warning";
        return "ok";
    }
}
