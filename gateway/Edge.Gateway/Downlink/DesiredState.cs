using System;
using System.Collections.Generic;
using System.Text.Json;

namespace Edge.Gateway.Downlink;

/// <summary>One answer of the desired-state long poll (docs/uplink.md §3). Documents are kept as the cloud's bytes.</summary>
public sealed record DesiredState(
    string Cursor,
    bool Full,
    IReadOnlyList<DesiredDocument> Configs,
    IReadOnlyList<DesiredCommand> Commands,
    IReadOnlyList<DesiredDocument> Displays,
    IReadOnlyList<DesiredNode> Nodes,
    IReadOnlyList<DesiredRule> Rules)
{
    /// <summary>Parses and checks a response; a FormatException says what and where.</summary>
    public static DesiredState Parse(byte[] json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("desired state: not a JSON object");
        if (!root.TryGetProperty("v", out var v) || v.ValueKind != JsonValueKind.Number || v.GetInt32() != 1) throw new FormatException("v: must be 1");
        var cursor = root.TryGetProperty("cursor", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : throw new FormatException("cursor: required string");
        var full = root.TryGetProperty("full", out var f) && f.ValueKind == JsonValueKind.True;

        var configs = new List<DesiredDocument>();
        foreach (var (item, path) in Items(root, "configs")) configs.Add(Document(item, path));
        var displays = new List<DesiredDocument>();
        foreach (var (item, path) in Items(root, "displays")) displays.Add(Document(item, path));
        var commands = new List<DesiredCommand>();
        foreach (var (item, path) in Items(root, "commands"))
        {
            var node = Str(item, "node", path);
            var command = item.TryGetProperty("command", out var cmd) && cmd.ValueKind == JsonValueKind.Object ? cmd : throw new FormatException($"{path}.command: required object");
            var id = Str(command, "id", path + ".command");
            var expires = command.TryGetProperty("expires", out var e) && e.TryGetInt64(out var exp) ? exp : throw new FormatException($"{path}.command.expires: required ts");
            commands.Add(new DesiredCommand(node, id, expires, JsonSerializer.SerializeToUtf8Bytes(command)));
        }
        var nodes = new List<DesiredNode>();
        foreach (var (item, path) in Items(root, "nodes"))
        {
            nodes.Add(new DesiredNode(Str(item, "node", path), OptStr(item, "site"), OptStr(item, "type"), OptStr(item, "zone"), OptStr(item, "secretHash"),
                OptStr(item, "location"), item.TryGetProperty("removed", out var r) && r.ValueKind == JsonValueKind.True));
        }
        var rules = new List<DesiredRule>();
        foreach (var (item, path) in Items(root, "rules"))
        {
            rules.Add(new DesiredRule(Str(item, "id", path), JsonSerializer.SerializeToUtf8Bytes(item)));
        }
        return new DesiredState(cursor, full, configs, commands, displays, nodes, rules);
    }

    static IEnumerable<(JsonElement Item, string Path)> Items(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var list) || list.ValueKind == JsonValueKind.Null) yield break;
        if (list.ValueKind != JsonValueKind.Array) throw new FormatException($"{name}: must be an array");
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) throw new FormatException($"{name}[{i}]: must be an object");
            yield return (item.Clone(), $"{name}[{i}]");
            i++;
        }
    }

    static DesiredDocument Document(JsonElement item, string path)
    {
        var node = Str(item, "node", path);
        var document = item.TryGetProperty("document", out var d) && d.ValueKind == JsonValueKind.Object ? d : throw new FormatException($"{path}.document: required object");
        var version = document.TryGetProperty("version", out var dv) && dv.TryGetInt64(out var ver) ? ver
            : item.TryGetProperty("version", out var iv) && iv.TryGetInt64(out ver) ? ver : throw new FormatException($"{path}.document.version: required integer");
        return new DesiredDocument(node, version, JsonSerializer.SerializeToUtf8Bytes(document));
    }

    static string Str(JsonElement item, string name, string path)
        => item.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String && p.GetString() is { Length: > 0 } s ? s : throw new FormatException($"{path}.{name}: required string");

    static string? OptStr(JsonElement item, string name) => item.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
}

/// <summary>A node's config (protocol.md §9) or display content (docs/display-content.md) with its version.</summary>
public sealed record DesiredDocument(string Node, long Version, byte[] Document);

/// <summary>A one-shot command (protocol.md §10.1) for a node; <see cref="Payload"/> is the <c>cmd</c> payload.</summary>
public sealed record DesiredCommand(string Node, string Id, long Expires, byte[] Payload);

/// <summary>Provisioning of a node: credential hash, type, zone for local rules (docs/uplink.md §3 <c>nodes</c>).</summary>
public sealed record DesiredNode(string Node, string? Site, string? Type, string? Zone, string? SecretHash, string? Location, bool Removed);

/// <summary>A local rule; parsed by the rule engine (<c>Edge.Gateway.Rules.RuleDefinition</c>).</summary>
public sealed record DesiredRule(string Id, byte[] Document);
