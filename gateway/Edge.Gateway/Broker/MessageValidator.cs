using System;
using System.Text.Json;
using Edge.Gateway.Registry;
using Edge.Protocol.Messages;

namespace Edge.Gateway.Broker;

/// <summary>Outcome of checking one node → gateway payload.</summary>
/// <param name="Discriminator">A valid telemetry's <c>type</c> or event's <c>kind</c>, as the shared validator read it.</param>
public sealed record ValidatedMessage(string Leaf, long Boot, long Seq, NodeStateReport? State, string? RejectReason, string? RejectDetail, string? Discriminator = null)
{
    public bool IsValid => RejectReason is null;

    public static ValidatedMessage Reject(string leaf, string reason, string detail) => new(leaf, 0, 0, null, reason, detail);
}

/// <summary>
/// The gateway's checks of node payloads: the shared <see cref="NodeMessageValidator"/> (the same verdict the cloud
/// gives, docs/schemas/), plus, for <c>state</c>, the report the registry applies (§8). Reject reasons (metric label):
/// malformed, bad_version, missing_member, invalid_member (<see cref="RejectReasons"/>).
/// </summary>
public static class MessageValidator
{
    public static ValidatedMessage Validate(string leaf, ReadOnlySpan<byte> payload)
    {
        var check = NodeMessageValidator.Validate(leaf, payload);
        if (!check.IsValid) return ValidatedMessage.Reject(leaf, check.Reason!, check.Error!);
        return leaf == NodeTopics.State
            ? new ValidatedMessage(leaf, 0, 0, StateReport(payload), null, null)
            : new ValidatedMessage(leaf, check.Boot, check.Seq, null, null, null, check.Discriminator);
    }

    /// <summary>The registry's view of a valid <c>state</c> (births and heartbeats: rare, so a document is fine here).</summary>
    static NodeStateReport StateReport(ReadOnlySpan<byte> payload)
    {
        var reader = new Utf8JsonReader(payload);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        var status = String(root, "status") switch
        {
            "online" => NodeStatus.Online,
            "offline" => NodeStatus.Offline,
            _ => NodeStatus.Asleep,
        };
        return new NodeStateReport(status, String(root, "reason"), String(root, "type"), String(root, "fw"), String(root, "hw"),
            Long(root, "configVersion"), Long(root, "displayVersion"), Long(root, "wakeTs"), Long(root, "boot"));
    }

    static string? String(JsonElement root, string name)
        => root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    static long? Long(JsonElement root, string name)
        => root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var value) ? value : null;
}
