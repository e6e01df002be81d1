using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Gateway.Downlink;

/// <summary>
/// Overrides as desired state (protocol.md §10.5): an <c>override</c> a node acked <c>ok</c> is kept until its
/// <c>until</c>, an acked <c>override.clear</c> forgets the node's overrides, and after every birth the kept ones are
/// sent again — same <c>id</c> and <c>issued</c> (so the newest-issued rule and the node's dedupe still hold), with a
/// fresh <c>expires</c>, because the original delivery window has long passed when a node comes back. A node that
/// kept them in flash answers <c>duplicate</c>; one that lost its flash (a swapped board) takes them up again.
/// </summary>
public sealed class OverrideLedger
{
    /// <summary>Delivery window of a re-sent override: like a fresh command from the cloud.</summary>
    public const long ResendWindowSeconds = 300;
    const long MaxLifetimeSeconds = 7 * 86400; // protocol.md §10.1: expires − issued ≤ 7 days

    readonly DownlinkStore _store;

    public OverrideLedger(DownlinkStore store) => _store = store;

    /// <summary>Learns from a node's ack; <paramref name="result"/> is the effective result (a duplicate's original).</summary>
    public void OnAck(string node, string id, string result)
    {
        if (result != "ok") return;
        var command = _store.Command(id);
        if (command is null || command.Node != node) return;
        using var document = JsonDocument.Parse(command.Payload);
        var root = document.RootElement;
        var kind = root.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        if (kind == "override.clear")
        {
            _store.ClearOverrides(node);
        }
        else if (kind == "override" && root.TryGetProperty("args", out var args) && args.TryGetProperty("until", out var until) && until.TryGetInt64(out var untilTs))
        {
            _store.KeepOverride(command, untilTs);
        }
    }

    /// <summary>The node's overrides still in force, as <c>cmd</c> payloads ready to send again at <paramref name="nowUnixSeconds"/>.</summary>
    public IReadOnlyList<byte[]> Resends(string node, long nowUnixSeconds)
    {
        var result = new List<byte[]>();
        foreach (var kept in _store.ActiveOverrides(node, nowUnixSeconds))
        {
            if (JsonNode.Parse(kept.Payload) is not JsonObject command || command["issued"]?.GetValue<long>() is not { } issued) continue;
            long expires = Math.Min(kept.Until, Math.Min(nowUnixSeconds + ResendWindowSeconds, issued + MaxLifetimeSeconds));
            if (expires <= nowUnixSeconds) continue; // past the 7-day delivery limit: the node could not accept it
            command["expires"] = expires;
            result.Add(JsonSerializer.SerializeToUtf8Bytes(command));
        }
        return result;
    }
}
