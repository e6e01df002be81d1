using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Edge.Firmware.Protocol;

namespace Edge.Cloud.Desired;

/// <summary>A node's desired config (protocol.md §9): the envelope as the gateway publishes it.</summary>
public sealed record DesiredConfig(string Node, long Version, long Issued, JsonElement? Document);

/// <summary>
/// Builds each node's desired config from what feeds it — the node (type, position, gateway), its site's
/// time zone, the lighting profile (the node's own assignment, else its group's), the gauge or bus-stop
/// settings — and gives it a new version, strictly increasing per node, whenever its content changes.
/// Every envelope is checked with the firmware's own <see cref="ConfigDecoder"/> before it is stored, so the
/// cloud never issues a config a node would reject; a change that would produce one is refused with the
/// node's errors.
/// </summary>
public sealed class DesiredConfigs
{
    public const string DefaultTz = "EET-2EEST,M3.5.0/3,M10.5.0/4";

    private readonly IStorageConnections _connections;
    private readonly DesiredChangeLog _changes;
    private readonly TimeProvider _time;

    public DesiredConfigs(IStorageConnections connections, DesiredChangeLog changes, TimeProvider time)
    {
        _connections = connections;
        _changes = changes;
        _time = time;
    }

    public async Task<DesiredConfig?> GetAsync(string node, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await GetAsync(tx, node);
    }

    public static Task<DesiredConfig?> GetAsync(Tx tx, string node) =>
        tx.SingleAsync("SELECT node, version, issued, document FROM desired_configs WHERE node = @n", Map, ("@n", node));

    public static DesiredConfig Map(System.Data.Common.DbDataReader r) =>
        new(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.Str(3) is { } d ? JsonDocument.Parse(d).RootElement.Clone() : null);

    /// <summary>Nodes whose config depends on a group (members) / a profile (direct or through their group).</summary>
    public static Task<List<string>> NodesOfGroupAsync(Tx tx, string group) =>
        tx.QueryAsync("SELECT id FROM nodes WHERE grp = @g AND removed = 0 ORDER BY id", r => r.GetString(0), ("@g", group));

    public static Task<List<string>> NodesUsingProfileAsync(Tx tx, string profile) =>
        tx.QueryAsync(
            "SELECT n.id FROM nodes n LEFT JOIN node_groups g ON g.id = n.grp WHERE n.removed = 0 AND (n.profile = @p OR (n.profile IS NULL AND g.profile = @p)) ORDER BY n.id",
            r => r.GetString(0), ("@p", profile));

    public static Task<List<string>> NodesOfSiteAsync(Tx tx, string site) =>
        tx.QueryAsync("SELECT id FROM nodes WHERE site = @s AND removed = 0 ORDER BY id", r => r.GetString(0), ("@s", site));

    /// <summary>Rebuilds the configs of <paramref name="nodes"/>; returns those that got a new version.
    /// Throws <see cref="DomainException"/> (400) listing, per node, why a node would reject its config.</summary>
    public async Task<IReadOnlyList<DesiredConfig>> RefreshAsync(Tx tx, IEnumerable<string> nodes)
    {
        var changed = new List<DesiredConfig>();
        var errors = new List<string>();
        foreach (var id in nodes.Distinct())
        {
            var source = await tx.SingleAsync(
                """
                SELECT n.type, n.gateway, n.lat, n.lon, n.removed, COALESCE(s.tz, @tz),
                       COALESCE(n.profile, g.profile), p.document, n.gauge_config, n.busstop_config
                FROM nodes n
                LEFT JOIN sites s ON s.id = n.site
                LEFT JOIN node_groups g ON g.id = n.grp
                LEFT JOIN profiles p ON p.id = COALESCE(n.profile, g.profile)
                WHERE n.id = @n
                """,
                r => new Source(r.GetString(0), r.Str(1), r.Dbl(2), r.Dbl(3), r.Bool(4), r.GetString(5), r.Str(6), r.Str(7), r.Str(8), r.Str(9)),
                ("@n", id), ("@tz", DefaultTz));
            if (source is null || source.Removed) continue;
            var part = source.Type switch
            {
                Wire.TypeStreetLight => ("lighting", source.ProfileDocument),
                Wire.TypeWaterLevel => ("water", source.GaugeConfig),
                Wire.TypeBusStop => ("busstop", source.BusStopConfig),
                _ => ("", null),
            };
            // Without its type-specific part a node keeps its built-in defaults (protocol.md §9.6): nothing to send.
            if (part.Item2 is null) continue;

            var settings = new JsonObject { ["tz"] = source.Tz };
            if (source.Lat is { } lat && source.Lon is { } lon)
            {
                settings["lat"] = lat;
                settings["lon"] = lon;
            }
            var content = new JsonObject
            {
                ["type"] = source.Type,
                ["node"] = settings,
                [part.Item1] = JsonNode.Parse(part.Item2),
            };
            var current = await GetAsync(tx, id);
            if (current?.Document is { } stored && SameContent(stored, content)) continue;

            var version = (current?.Version ?? 0) + 1;
            var issued = _time.GetUtcNow().ToUnixTimeSeconds();
            var envelope = new JsonObject { ["v"] = 1, ["version"] = version, ["type"] = source.Type, ["issued"] = issued };
            foreach (var (key, value) in content) if (key != "type") envelope[key] = value?.DeepClone();
            var json = envelope.ToJsonString();
            var bytes = Encoding.UTF8.GetBytes(json);
            try
            {
                new ConfigDecoder().Decode(bytes, 0, bytes.Length, source.Type);
            }
            catch (JsonFormatException e)
            {
                var messages = e is MessageFormatException m ? m.Errors.Where(x => x is not null).ToArray() : new[] { e.Message };
                errors.AddRange(messages.Select(x => $"node {id}: {x}"));
                continue;
            }
            await tx.ExecAsync(
                """
                INSERT INTO desired_configs (node, version, document, issued) VALUES (@n, @v, @d, @i)
                ON CONFLICT (node) DO UPDATE SET version = excluded.version, document = excluded.document, issued = excluded.issued
                """,
                ("@n", id), ("@v", version), ("@d", json), ("@i", issued));
            await _changes.AppendAsync(tx, source.Gateway, DesiredChangeLog.Config, id);
            changed.Add(new DesiredConfig(id, version, issued, JsonDocument.Parse(json).RootElement.Clone()));
        }
        if (errors.Count > 0)
        {
            throw new DomainException(400, "Config would be rejected",
                $"the change would give {errors.Count} node config error(s) the nodes would reject: {string.Join("; ", errors)}", errors);
        }
        return changed;
    }

    /// <summary>Equal apart from <c>v</c>, <c>version</c> and <c>issued</c>.</summary>
    private static bool SameContent(JsonElement stored, JsonObject content)
    {
        var old = JsonNode.Parse(stored.GetRawText())!.AsObject();
        old.Remove("v");
        old.Remove("version");
        old.Remove("issued");
        return JsonNode.DeepEquals(old, content);
    }

    private sealed record Source(string Type, string? Gateway, double? Lat, double? Lon, bool Removed, string Tz,
        string? Profile, string? ProfileDocument, string? GaugeConfig, string? BusStopConfig);
}
