using System;

namespace Edge.Gateway.Broker;

/// <summary>The topic tree of protocol.md §3 and the access list of §2.4.</summary>
public static class NodeTopics
{
    public const string Telemetry = "telemetry";
    public const string Event = "event";
    public const string State = "state";
    public const string CmdAck = "cmd/ack";
    public const string Config = "config";
    public const string Cmd = "cmd";
    public const string Display = "display";
    public const string Time = "time";

    public static string For(string site, string nodeId, string leaf) => $"edge/{site}/{nodeId}/{leaf}";

    /// <summary>The leaf a node may PUBLISH to, or null when <paramref name="topic"/> is outside its list (§2.4).</summary>
    public static string? PublishLeaf(string site, string nodeId, string topic)
    {
        var leaf = LeafOf(site, nodeId, topic);
        return leaf is Telemetry or Event or State or CmdAck ? leaf : null;
    }

    /// <summary>True when a node may SUBSCRIBE to <paramref name="filter"/> (§2.4): exactly one of its own downstream topics, no wildcards.</summary>
    public static bool MaySubscribe(string site, string nodeId, string filter)
    {
        if (filter.AsSpan().IndexOfAny('+', '#') >= 0) return false;
        return LeafOf(site, nodeId, filter) is Config or Cmd or Display or Time;
    }

    static string? LeafOf(string site, string nodeId, string topic)
    {
        var prefix = $"edge/{site}/{nodeId}/";
        return topic.StartsWith(prefix, StringComparison.Ordinal) ? topic[prefix.Length..] : null;
    }
}
