using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;

namespace Edge.Cloud.OpenData;

/// <summary>A node as open data may show it: where it is and what it last reported. Deliberately no installer,
/// no secret, no gateway: the SELECT below names every column that can reach a public response.</summary>
public sealed record PublicNode(
    string Id, string Type, GeoPoint Point, string? Group, string? Zone, string? Pole, string? Model, string? Firmware,
    string? GaugeConfig, long? InstalledAt, long UpdatedAt, string? Status, string? ReportedFirmware, int? Rssi, long? LastSeen,
    long? StateAt, LatestReading? Latest);

/// <summary>A node's newest telemetry row (the columns ingestion derived, and a light's active faults from the payload).</summary>
public sealed record LatestReading(long Ts, long? Level, double? Watts, double? Volts, long? EnergyWh, long? LevelMm, string? FloodState,
    double? BatteryV, IReadOnlyList<string> Faults);

public sealed record PublicGroup(string Id, string Name, string? Profile, long UpdatedAt);

/// <summary>The last switch-on and switch-off a light's telemetry shows (level from 0 to above, and back).</summary>
public sealed record Switching(long? LastOn, long? LastOff);

/// <summary>Everything the entity builders need, read in one go from one connection.</summary>
public sealed record OpenDataSnapshot(IReadOnlyList<PublicNode> Nodes, IReadOnlyList<PublicGroup> Groups, IReadOnlyDictionary<string, Switching> Switching)
{
    /// <summary>How far back switching times are looked for: a light that did not switch in two days shows none.</summary>
    public const long SwitchingWindowS = 2 * 86400;

    /// <summary>Nodes without a position are not published: every Smart Data Model here requires a location.
    /// <paramref name="switching"/>: also the lights' switching times (only the light types show them).</summary>
    public static async Task<OpenDataSnapshot> ReadAsync(IStorageConnections connections, long now, bool switching, CancellationToken ct)
    {
        await using var tx = await Tx.ReadAsync(connections, ct);
        var latest = await LatestAsync(tx);
        var nodes = await tx.QueryAsync(
            "SELECT n.id, n.type, n.lat, n.lon, n.grp, n.zone, n.pole, n.model, n.firmware, n.gauge_config, n.installed_at, n.updated_at, " +
            "s.status, s.fw, s.state, s.last_seen, s.state_at FROM nodes n LEFT JOIN node_state s ON s.site = n.site AND s.node = n.id " +
            "WHERE n.removed = 0 AND n.lat IS NOT NULL AND n.lon IS NOT NULL ORDER BY n.id",
            r => new PublicNode(r.GetString(0), r.GetString(1), new GeoPoint(r.Dbl(3)!.Value, r.Dbl(2)!.Value), r.Str(4), r.Str(5), r.Str(6),
                r.Str(7), r.Str(8), r.Str(9), r.Long(10), r.GetInt64(11), r.Str(12), r.Str(13), Rssi(r.Str(14)), r.Long(15), r.Long(16),
                latest.GetValueOrDefault(r.GetString(0))));
        var groups = await tx.QueryAsync("SELECT id, name, profile, updated_at FROM node_groups ORDER BY id",
            r => new PublicGroup(r.GetString(0), r.GetString(1), r.Str(2), r.GetInt64(3)));
        return new OpenDataSnapshot(nodes, groups, switching ? await SwitchingAsync(tx, now - SwitchingWindowS) : new Dictionary<string, Switching>());
    }

    private static int? Rssi(string? state)
    {
        if (state is null) return null;
        using var document = JsonDocument.Parse(state);
        return document.RootElement.TryGetProperty("rssi", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var rssi) ? rssi : null;
    }

    private static async Task<Dictionary<string, LatestReading>> LatestAsync(Tx tx)
    {
        var rows = await tx.QueryAsync(
            "SELECT t.node, t.ts, t.level, t.watts, t.volts, t.energy_wh, t.level_mm, t.flood_state, t.battery_v, t.payload " +
            "FROM nodes n JOIN telemetry t ON t.site = n.site AND t.node = n.id " +
            "WHERE n.removed = 0 AND t.ts = (SELECT MAX(x.ts) FROM telemetry x WHERE x.site = n.site AND x.node = n.id) ORDER BY t.node, t.seq",
            r => (Node: r.GetString(0), Reading: Reading(r.GetInt64(1), r.Long(2), r.Dbl(3), r.Dbl(4), r.Long(5), r.Long(6), r.Str(7), r.Dbl(8), r.GetString(9))));
        var latest = new Dictionary<string, LatestReading>();
        foreach (var (node, reading) in rows) latest[node] = reading; // of equal ts the highest seq wins
        return latest;
    }

    private static LatestReading Reading(long ts, long? level, double? watts, double? volts, long? energy, long? levelMm, string? flood, double? battery, string payload)
    {
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        var faults = new List<string>();
        if (root.TryGetProperty("faults", out var f) && f.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in f.EnumerateArray()) if (item.ValueKind == JsonValueKind.String) faults.Add(item.GetString()!);
        }
        return new LatestReading(ts, level, watts, volts, energy, levelMm, flood, battery, faults);
    }

    /// <summary>Found in the database (a window function both SQLite and PostgreSQL have): a town's two days of light
    /// telemetry stay there, one row per light comes back.</summary>
    private static async Task<Dictionary<string, Switching>> SwitchingAsync(Tx tx, long since)
    {
        var rows = await tx.QueryAsync(
            "SELECT node, MAX(CASE WHEN prev = 0 AND level > 0 THEN ts END), MAX(CASE WHEN prev > 0 AND level = 0 THEN ts END) FROM " +
            "(SELECT node, ts, level, LAG(level) OVER (PARTITION BY node ORDER BY ts, seq) AS prev FROM telemetry " +
            " WHERE type = 'streetlight' AND ts >= @since AND level IS NOT NULL) AS readings GROUP BY node",
            r => (Node: r.GetString(0), On: r.Long(1), Off: r.Long(2)), ("@since", since));
        return rows.ToDictionary(r => r.Node, r => new Switching(r.On, r.Off));
    }
}
