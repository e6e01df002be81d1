using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Commands;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;

namespace Edge.Cloud.Desired;

public sealed record DesiredConfigItem(string Node, long Version, JsonElement Document);

public sealed record DesiredCommandItem(string Node, JsonObject Command);

public sealed record DesiredDisplayItem(string Node, long Version, JsonElement Document);

/// <summary>A node's credentials and zone for the gateway's broker and rules; <see cref="SecretHash"/> is null
/// until a secret was provisioned.</summary>
public sealed record DesiredNodeItem(string Node, string Type, string? Zone, string? SecretHash, bool Removed);

/// <summary>The answer to <c>GET /api/v1/gateways/{id}/desired</c> (uplink.md §3).</summary>
public sealed record DesiredResponse(
    int V, string Cursor, bool Full, IReadOnlyList<DesiredConfigItem> Configs, IReadOnlyList<DesiredCommandItem> Commands,
    IReadOnlyList<DesiredDisplayItem> Displays, IReadOnlyList<DesiredNodeItem> Nodes, IReadOnlyList<FloodRule> Rules);

/// <summary>
/// Computes what a gateway must learn after a cursor (uplink.md §3). The cursor is <c>c:&lt;seq&gt;</c> of
/// <c>desired_changes</c>; an empty cursor (first poll), or one ahead of the log (the cloud's database was
/// replaced), gets <c>full: true</c> with everything of the gateway. Otherwise each change names an item
/// (node, config, display, command, rule) and the answer carries that item's CURRENT state — the newest config
/// per node, not every version. Commands are marked delivered when an answer carries them; an answer lost
/// on the way is repeated because the gateway polls again with its old cursor.
/// </summary>
public sealed class DownlinkService
{
    private readonly IStorageConnections _connections;
    private readonly TimeProvider _time;

    public DownlinkService(IStorageConnections connections, TimeProvider time)
    {
        _connections = connections;
        _time = time;
    }

    /// <summary>null for "nothing yet" (or a malformed cursor: <see cref="DomainException"/>).</summary>
    public static long? ParseCursor(string? after)
    {
        if (string.IsNullOrEmpty(after)) return null;
        if (after.StartsWith("c:", StringComparison.Ordinal) && long.TryParse(after.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var seq)) return seq;
        throw DomainException.Invalid($"after: '{after}' is not a cursor this cloud issued (expected c:<number> or empty)");
    }

    public async Task TouchAsync(string gateway, CancellationToken ct)
    {
        await using var tx = await Tx.BeginAsync(_connections, ct);
        await tx.ExecAsync("INSERT INTO gateway_polls (gateway, last_poll_at) VALUES (@g, @at) ON CONFLICT (gateway) DO UPDATE SET last_poll_at = excluded.last_poll_at",
            ("@g", gateway), ("@at", _time.GetUtcNow().ToUnixTimeSeconds()));
        await tx.CommitAsync();
    }

    /// <summary>The changes after <paramref name="after"/>, or null when there are none.</summary>
    public async Task<DesiredResponse?> PollAsync(string gateway, long? after, CancellationToken ct)
    {
        long max;
        await using (var read = await Tx.ReadAsync(_connections, ct))
        {
            max = await read.LongAsync("SELECT MAX(seq) FROM desired_changes") ?? 0;
            if (after is { } cursor && cursor <= max &&
                await read.LongAsync("SELECT COUNT(*) FROM desired_changes WHERE gateway = @g AND seq > @after AND seq <= @max",
                    ("@g", gateway), ("@after", cursor), ("@max", max)) == 0)
            {
                return null;
            }
        }
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var full = after is null || after > max;
        var nodes = new SortedDictionary<string, DesiredNodeItem>(StringComparer.Ordinal);
        var configs = new SortedDictionary<string, DesiredConfigItem>(StringComparer.Ordinal);
        var displays = new SortedDictionary<string, DesiredDisplayItem>(StringComparer.Ordinal);
        var commands = new Dictionary<string, CommandInfo>(StringComparer.Ordinal);
        var rules = new SortedDictionary<string, FloodRule>(StringComparer.Ordinal);

        if (full)
        {
            foreach (var node in await tx.QueryAsync("SELECT id FROM nodes WHERE gateway = @g AND removed = 0 ORDER BY id", r => r.GetString(0), ("@g", gateway)))
            {
                await AddNodeAsync(tx, gateway, node, nodes, configs, displays);
            }
            foreach (var command in await CommandService.OpenForGatewayAsync(tx, gateway, now)) commands[command.Id] = command;
            foreach (var rule in await FloodRuleService.ForZonesAsync(tx, gateway)) rules[rule.Id] = rule;
        }
        else
        {
            var items = await tx.QueryAsync("SELECT DISTINCT kind, item FROM desired_changes WHERE gateway = @g AND seq > @after AND seq <= @max",
                r => (Kind: r.GetString(0), Item: r.GetString(1)), ("@g", gateway), ("@after", after!.Value), ("@max", max));
            var open = (await CommandService.OpenForGatewayAsync(tx, gateway, now)).ToDictionary(c => c.Id);
            foreach (var (kind, item) in items)
            {
                switch (kind)
                {
                    case DesiredChangeLog.Node:
                        if (await AddNodeAsync(tx, gateway, item, nodes, configs, displays) is { } zone)
                        {
                            foreach (var rule in await tx.QueryAsync("SELECT document FROM flood_rules WHERE zone = @z", FloodRuleService.Map, ("@z", zone))) rules[rule.Id] = rule;
                        }
                        foreach (var command in open.Values.Where(c => c.Node == item)) commands[command.Id] = command;
                        break;
                    case DesiredChangeLog.Config:
                        if (await OnGatewayAsync(tx, gateway, item) && await DesiredConfigs.GetAsync(tx, item) is { Document: { } document } config)
                        {
                            configs[item] = new DesiredConfigItem(item, config.Version, document);
                        }
                        break;
                    case DesiredChangeLog.Display:
                        if (await OnGatewayAsync(tx, gateway, item) && await DisplayService.GetAsync(tx, item) is { } display)
                        {
                            displays[item] = new DesiredDisplayItem(item, display.Version, display.Document);
                        }
                        break;
                    case DesiredChangeLog.Command:
                        if (open.TryGetValue(item, out var issued)) commands[item] = issued;
                        break;
                    case DesiredChangeLog.Rule:
                        foreach (var rule in await tx.QueryAsync("SELECT document FROM flood_rules WHERE id = @id", FloodRuleService.Map, ("@id", item))) rules[rule.Id] = rule;
                        break;
                }
            }
        }
        var ordered = commands.Values.OrderBy(c => c.Issued).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var command in ordered) await CommandService.MarkDeliveredAsync(tx, command.Id, nowMs);
        await tx.CommitAsync();
        return new DesiredResponse(1, "c:" + max.ToString(CultureInfo.InvariantCulture), full,
            configs.Values.ToList(), ordered.Select(c => new DesiredCommandItem(c.Node, CommandService.Document(c))).ToList(),
            displays.Values.ToList(), nodes.Values.ToList(), rules.Values.ToList());
    }

    /// <summary>An empty answer: nothing changed while the poll waited.</summary>
    public static DesiredResponse Empty(string cursor) => new(1, cursor, false, [], [], [], [], []);

    private static async Task<bool> OnGatewayAsync(Tx tx, string gateway, string node) =>
        await tx.LongAsync("SELECT COUNT(*) FROM nodes WHERE id = @n AND gateway = @g AND removed = 0", ("@n", node), ("@g", gateway)) > 0;

    /// <summary>Adds the node's entry (removed when it left this gateway or the inventory) and, if it is still
    /// here, its config and display; returns its zone when it is here.</summary>
    private static async Task<string?> AddNodeAsync(Tx tx, string gateway, string node, IDictionary<string, DesiredNodeItem> nodes,
        IDictionary<string, DesiredConfigItem> configs, IDictionary<string, DesiredDisplayItem> displays)
    {
        var row = await tx.SingleAsync("SELECT type, zone, secret_hash, gateway, removed FROM nodes WHERE id = @n",
            r => new NodeRow(r.GetString(0), r.Str(1), r.Str(2), r.Str(3), r.Bool(4)), ("@n", node));
        if (row is null) return null;
        var here = !row.Removed && row.Gateway == gateway;
        nodes[node] = new DesiredNodeItem(node, row.Type, row.Zone, here ? row.SecretHash : null, !here);
        if (!here) return null;
        if (await DesiredConfigs.GetAsync(tx, node) is { Document: { } document } config) configs[node] = new DesiredConfigItem(node, config.Version, document);
        if (await DisplayService.GetAsync(tx, node) is { } display) displays[node] = new DesiredDisplayItem(node, display.Version, display.Document);
        return row.Zone;
    }

    private sealed record NodeRow(string Type, string? Zone, string? SecretHash, string? Gateway, bool Removed);
}
