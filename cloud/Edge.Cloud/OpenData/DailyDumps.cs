using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using CsvHelper;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Edge.Firmware.Protocol;

namespace Edge.Cloud.OpenData;

/// <summary>One dump: its rows (column → value, in column order) with each row's position.</summary>
public sealed record DumpTable(IReadOnlyList<string> Columns, IReadOnlyList<(GeoPoint Point, object?[] Values)> Rows);

/// <summary>
/// The daily bulk dumps (docs/open-data.md §Dumps), for one UTC day, as CSV (RFC 4180, header row) or GeoJSON
/// (a FeatureCollection of Points with the same columns as properties):
/// <c>streetlights</c> — each light with the energy it used in the 365 days up to the end of the day;
/// <c>gauges</c> — each gauge with the day's highest level; <c>stops</c> — each bus stop with its name.
/// </summary>
public sealed class DailyDumps
{
    public static readonly IReadOnlyList<string> Names = ["streetlights", "gauges", "stops"];

    private readonly IStorageConnections _connections;

    public DailyDumps(IStorageConnections connections) => _connections = connections;

    public async Task<DumpTable> BuildAsync(string name, DateOnly day, CancellationToken ct)
    {
        var end = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(1).ToUnixTimeSeconds();
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return name switch
        {
            "streetlights" => await LightsAsync(tx, day, end),
            "gauges" => await GaugesAsync(tx, day, end),
            "stops" => await StopsAsync(tx),
            _ => throw NgsiProblem.NotFound($"no dump '{name}'; dumps: {string.Join(", ", Names)}"),
        };
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private const string Located = "n.removed = 0 AND n.lat IS NOT NULL AND n.lon IS NOT NULL AND n.type = @type";

    /// <summary>The energy counter (energyWh, never decreasing) at the last reading of the window minus at its first.</summary>
    private static async Task<DumpTable> LightsAsync(Tx tx, DateOnly day, long end)
    {
        var rows = await tx.QueryAsync(
            "SELECT n.id, n.lat, n.lon, n.grp, n.pole, MAX(t.energy_wh) - MIN(t.energy_wh) FROM nodes n " +
            "LEFT JOIN telemetry t ON t.site = n.site AND t.node = n.id AND t.ts >= @from AND t.ts < @end AND t.energy_wh IS NOT NULL " +
            $"WHERE {Located} GROUP BY n.id, n.lat, n.lon, n.grp, n.pole ORDER BY n.id",
            r => (new GeoPoint(r.Dbl(2)!.Value, r.Dbl(1)!.Value), new object?[] { r.GetString(0), r.Dbl(1), r.Dbl(2), r.Str(3), r.Str(4), Day(day), r.Long(5) is { } wh ? wh / 1000.0 : null }),
            ("@from", end - 365 * 86400), ("@end", end), ("@type", Wire.TypeStreetLight));
        return new DumpTable(["id", "latitude", "longitude", "group", "pole", "date", "energy_kwh_365d"], rows);
    }

    private static async Task<DumpTable> GaugesAsync(Tx tx, DateOnly day, long end)
    {
        var rows = await tx.QueryAsync(
            "SELECT n.id, n.lat, n.lon, n.zone, MAX(t.level_mm), COUNT(t.level_mm) FROM nodes n " +
            "LEFT JOIN telemetry t ON t.site = n.site AND t.node = n.id AND t.ts >= @from AND t.ts < @end " +
            $"WHERE {Located} GROUP BY n.id, n.lat, n.lon, n.zone ORDER BY n.id",
            r => (new GeoPoint(r.Dbl(2)!.Value, r.Dbl(1)!.Value), new object?[] { r.GetString(0), r.Dbl(1), r.Dbl(2), r.Str(3), Day(day), r.Long(4) is { } mm ? mm / 1000.0 : null, r.Long(5) }),
            ("@from", end - 86400), ("@end", end), ("@type", Wire.TypeWaterLevel));
        return new DumpTable(["id", "latitude", "longitude", "zone", "date", "max_level_m", "readings"], rows);
    }

    /// <summary>A stop's name is the one its display content shows (docs/display-content.md <c>stop.name</c>).</summary>
    private static async Task<DumpTable> StopsAsync(Tx tx)
    {
        var rows = await tx.QueryAsync(
            $"SELECT n.id, n.lat, n.lon, n.zone, n.pole, d.document FROM nodes n LEFT JOIN displays d ON d.node = n.id WHERE {Located} ORDER BY n.id",
            r =>
            {
                var (el, en) = StopName(r.Str(5));
                return (new GeoPoint(r.Dbl(2)!.Value, r.Dbl(1)!.Value), new object?[] { r.GetString(0), r.Dbl(1), r.Dbl(2), r.Str(3), r.Str(4), el, en });
            },
            ("@type", Wire.TypeBusStop));
        return new DumpTable(["id", "latitude", "longitude", "zone", "pole", "name_el", "name_en"], rows);
    }

    private static (string? El, string? En) StopName(string? display)
    {
        if (display is null) return (null, null);
        var name = JsonNode.Parse(display)?["content"]?["stop"]?["name"];
        return (name?["el"]?.GetValue<string>(), name?["en"]?.GetValue<string>());
    }

    public static byte[] Csv(DumpTable table)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, null, leaveOpen: true))
        {
            csv.WriteRecord(table.Columns.ToArray());
            foreach (var (_, values) in table.Rows) csv.WriteRecord(values.Select(Text).ToArray());
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Invariant text of a value; null is an empty field. Doubles round-trip exactly.</summary>
    private static string? Text(object? value) => value switch
    {
        null => null,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    public static byte[] GeoJson(DumpTable table)
    {
        var features = new JsonArray();
        foreach (var (point, values) in table.Rows)
        {
            var properties = new JsonObject();
            for (var i = 0; i < table.Columns.Count; i++)
            {
                if (table.Columns[i] is "latitude" or "longitude") continue;
                properties[table.Columns[i]] = values[i] is null ? null : JsonSerializer.SerializeToNode(values[i]);
            }
            features.Add(new JsonObject { ["type"] = "Feature", ["id"] = (string)values[0]!, ["geometry"] = point.ToGeoJson(), ["properties"] = properties });
        }
        return Encoding.UTF8.GetBytes(new JsonObject { ["type"] = "FeatureCollection", ["features"] = features }.ToJsonString());
    }
}
