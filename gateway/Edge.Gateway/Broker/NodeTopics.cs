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

    /// <summary>The leaf a node may PUBLISH to (one of the constants above), or null when <paramref name="topic"/> is outside its list (§2.4).</summary>
    public static string? PublishLeaf(string site, string nodeId, string topic)
        => LeafOf(site, nodeId, topic) switch
        {
            Telemetry => Telemetry,
            Event => Event,
            State => State,
            CmdAck => CmdAck,
            _ => null,
        };

    /// <summary>True when a node may SUBSCRIBE to <paramref name="filter"/> (§2.4): exactly one of its own downstream topics, no wildcards.</summary>
    public static bool MaySubscribe(string site, string nodeId, string filter)
    {
        if (filter.AsSpan().IndexOfAny('+', '#') >= 0) return false;
        return LeafOf(site, nodeId, filter) is Config or Cmd or Display or Time;
    }

    /// <summary>What follows <c>edge/{site}/{nodeId}/</c> in <paramref name="topic"/> (empty when the topic is not
    /// under that prefix). Compared in place: this runs for every node PUBLISH, so it allocates nothing.</summary>
    static ReadOnlySpan<char> LeafOf(string site, string nodeId, string topic)
    {
        var rest = topic.AsSpan();
        if (!Skip(ref rest, "edge/") || !Skip(ref rest, site) || !Skip(ref rest, "/") || !Skip(ref rest, nodeId) || !Skip(ref rest, "/")) return default;
        return rest;
    }

    static bool Skip(ref ReadOnlySpan<char> text, string part)
    {
        if (!text.StartsWith(part, StringComparison.Ordinal)) return false;
        text = text[part.Length..];
        return true;
    }
}
