using System;
using System.Text.Json;
using Edge.Gateway.Registry;

namespace Edge.Gateway.Broker;

/// <summary>Outcome of checking one node → gateway payload.</summary>
public sealed record ValidatedMessage(string Leaf, long Boot, long Seq, NodeStateReport? State, string? RejectReason, string? RejectDetail)
{
    public bool IsValid => RejectReason is null;

    public static ValidatedMessage Reject(string leaf, string reason, string detail) => new(leaf, 0, 0, null, reason, detail);
}

/// <summary>
/// The gateway's checks of node payloads: protocol.md §5.1 (one UTF-8 JSON object, no BOM, no trailing data),
/// §5.2 (<c>"v": 1</c>), §5.4 (<c>boot</c>/<c>seq</c> on telemetry, event, cmd/ack) and the members each leaf
/// needs before the gateway can store or act on it (§6.1, §7.1, §8.1, §10.3). Unknown members are ignored (§5.2).
/// Deeper checks of type-specific members are the cloud's business: the gateway forwards what it cannot judge.
/// Reject reasons (metric label): malformed, bad_version, missing_member.
/// </summary>
public static class MessageValidator
{
    public static ValidatedMessage Validate(string leaf, ReadOnlySpan<byte> payload)
    {
        if (payload.Length >= 3 && payload[0] == 0xEF && payload[1] == 0xBB && payload[2] == 0xBF)
        {
            return ValidatedMessage.Reject(leaf, "malformed", "byte-order mark (protocol.md §5.1)");
        }
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 16 });
            document = JsonDocument.ParseValue(ref reader);
            if (reader.BytesConsumed != payload.Length && !IsWhitespace(payload[(int)reader.BytesConsumed..]))
            {
                document.Dispose();
                return ValidatedMessage.Reject(leaf, "malformed", $"trailing data at byte {reader.BytesConsumed}");
            }
        }
        catch (JsonException exception)
        {
            return ValidatedMessage.Reject(leaf, "malformed", exception.Message);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return ValidatedMessage.Reject(leaf, "malformed", "not a JSON object");
            if (!root.TryGetProperty("v", out var v) || v.ValueKind != JsonValueKind.Number) return ValidatedMessage.Reject(leaf, "missing_member", "v: missing");
            if (!v.TryGetInt32(out var version) || version != 1) return ValidatedMessage.Reject(leaf, "bad_version", $"v: {v.GetRawText()} is not 1");

            return leaf switch
            {
                NodeTopics.Telemetry => Counted(leaf, root, "type", "ts"),
                NodeTopics.Event => Counted(leaf, root, "kind", "ts"),
                NodeTopics.CmdAck => Counted(leaf, root, "id", "result", "ts"),
                NodeTopics.State => State(root),
                _ => ValidatedMessage.Reject(leaf, "unknown_topic", leaf),
            };
        }
    }

    static ValidatedMessage Counted(string leaf, JsonElement root, params string[] required)
    {
        foreach (var name in required)
        {
            if (!root.TryGetProperty(name, out _)) return ValidatedMessage.Reject(leaf, "missing_member", $"{name}: missing");
        }
        if (!TryUInt(root, "boot", out var boot, out var error) || !TryUInt(root, "seq", out var seq, out error))
        {
            return ValidatedMessage.Reject(leaf, "missing_member", error!);
        }
        return new ValidatedMessage(leaf, boot, seq, null, null, null);
    }

    static ValidatedMessage State(JsonElement root)
    {
        if (!root.TryGetProperty("status", out var statusElement) || statusElement.ValueKind != JsonValueKind.String)
        {
            return ValidatedMessage.Reject(NodeTopics.State, "missing_member", "status: missing");
        }
        NodeStatus status;
        switch (statusElement.GetString())
        {
            case "online": status = NodeStatus.Online; break;
            case "offline": status = NodeStatus.Offline; break;
            case "asleep": status = NodeStatus.Asleep; break;
            default: return ValidatedMessage.Reject(NodeTopics.State, "missing_member", $"status: '{statusElement.GetString()}' is not online, offline or asleep");
        }
        var type = String(root, "type");
        if (type is not null && !NodeIds.IsValidType(type)) type = null;
        var report = new NodeStateReport(status, String(root, "reason"), type, String(root, "fw"), String(root, "hw"),
            Long(root, "configVersion"), Long(root, "displayVersion"), Long(root, "wakeTs"));
        return new ValidatedMessage(NodeTopics.State, 0, 0, report, null, null);
    }

    static bool TryUInt(JsonElement root, string name, out long value, out string? error)
    {
        value = 0;
        error = null;
        if (!root.TryGetProperty(name, out var element)) { error = $"{name}: missing"; return false; }
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out value) || value < 0 || value > uint.MaxValue)
        {
            error = $"{name}: {element.GetRawText()} is not a uint";
            return false;
        }
        return true;
    }

    static string? String(JsonElement root, string name)
        => root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    static long? Long(JsonElement root, string name)
        => root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var value) ? value : null;

    static bool IsWhitespace(ReadOnlySpan<byte> rest)
    {
        foreach (var b in rest)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        }
        return true;
    }
}
