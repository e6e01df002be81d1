using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Edge.Cloud.Domain;

namespace Edge.Cloud.Inventory;

/// <summary>
/// What a technician asks first about a node, from its latest telemetry (protocol.md §6): a light's level and
/// what set it (<c>schedule</c>, <c>override</c>, <c>rule</c>, <c>lux</c> photocell fallback, <c>default</c>) and
/// its active faults; a gauge's level and flood state and its sensor; a stop's shown content version. Members
/// the node's type does not report are null. <see cref="At"/> is the telemetry's node time.
/// </summary>
public sealed record NodeCondition(
    long At, int? Level, string? Source, IReadOnlyList<string>? Faults, int? LevelMm, string? FloodState, string? Sensor,
    long? ContentVersion, bool? Stale)
{
    public static NodeCondition From(long at, JsonElement payload) => new(
        at, Int(payload, "level") is { } l ? (int)l : null, Str(payload, "source"),
        payload.TryGetProperty("faults", out var f) && f.ValueKind == JsonValueKind.Array
            ? f.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList() : null,
        Int(payload, "levelMm") is { } mm ? (int)mm : null, Str(payload, "state"), Str(payload, "sensor"),
        Int(payload, "contentVersion"), payload.TryGetProperty("stale", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False ? s.GetBoolean() : null);

    private static long? Int(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;

    private static string? Str(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>The latest telemetry of each node <paramref name="where"/> selects (<c>n.…</c> conditions on
    /// <c>nodes n</c>), by node id: one query for a whole list (the (site, node, ts) index finds each newest row).
    /// <c>CROSS JOIN</c> makes SQLite loop over the nodes and look each newest row up in that index (site, node and ts
    /// all known); with a plain join it scanned every telemetry row and ran the subquery for each — 27 s for the map of
    /// 10,000 lights with 30 days of history each (docs/console.md, page benchmark). PostgreSQL plans either form alike.</summary>
    public static async Task<Dictionary<string, NodeCondition>> LatestAsync(Tx tx, string where, params (string, object?)[] parameters)
    {
        var rows = await tx.QueryAsync(
            "SELECT t.node, t.ts, t.seq, t.payload FROM nodes n CROSS JOIN telemetry t " +
            "WHERE " + where + " AND t.site = n.site AND t.node = n.id AND t.ts = (SELECT MAX(x.ts) FROM telemetry x WHERE x.site = n.site AND x.node = n.id) " +
            "ORDER BY t.node, t.seq",
            r => (Node: r.GetString(0), At: r.GetInt64(1), Payload: r.GetString(3)), parameters);
        var latest = new Dictionary<string, NodeCondition>();
        foreach (var row in rows)
        {
            using var document = JsonDocument.Parse(row.Payload);
            latest[row.Node] = From(row.At, document.RootElement); // the last of equal ts (highest seq) wins
        }
        return latest;
    }
}
