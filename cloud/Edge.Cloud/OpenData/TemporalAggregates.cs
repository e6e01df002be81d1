using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;

namespace Edge.Cloud.OpenData;

/// <summary>
/// Hourly aggregates of an entity's measured attributes over at most the last 90 days, in the NGSI-LD aggregated
/// temporal representation (ETSI GS CIM 009 §4.5.19): per attribute and method, a list of
/// <c>[value, startAt, endAt]</c> per hour (UTC, hours without readings left out). Subset: <c>aggrPeriodDuration</c>
/// is <c>PT1H</c>; methods <c>avg</c>, <c>min</c>, <c>max</c>; <c>timerel=between</c> with <c>timeAt</c>/<c>endTimeAt</c>.
/// </summary>
public sealed class TemporalAggregates
{
    public const int WindowDays = 90;
    public static readonly IReadOnlyList<string> Methods = ["avg", "min", "max"];

    /// <summary>Per entity type: attribute → the telemetry column and the factor to the attribute's unit.</summary>
    private static readonly Dictionary<string, (string Attribute, string Column, double Factor)[]> Measured = new()
    {
        [StreetlightEntities.Type] = [("illuminanceLevel", "level", 0.01), ("powerConsumption", "watts", 1)],
        [WaterEntities.ObservedType] = [("height", "level_mm", 0.001)],
        [WaterEntities.FloodType] = [("currentLevel", "level_mm", 0.001)],
    };

    private readonly IStorageConnections _connections;

    public TemporalAggregates(IStorageConnections connections) => _connections = connections;

    public sealed record Request(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<string> Methods);

    /// <summary>Checks the query: the window must lie within the last <see cref="WindowDays"/> days (default: all of it).</summary>
    public static Request Parse(Microsoft.AspNetCore.Http.IQueryCollection query, DateTimeOffset now)
    {
        string? One(string name) => query.TryGetValue(name, out var v) ? (v.Count == 1 && !string.IsNullOrEmpty(v[0]) ? v[0] : throw NgsiProblem.BadRequest($"{name}: give it once, not empty")) : null;
        var period = One("aggrPeriodDuration") ?? "PT1H";
        if (period != "PT1H") throw NgsiProblem.BadRequest($"aggrPeriodDuration: only PT1H (hourly) is served, not '{period}'");
        var options = One("options");
        if (options is not null && options != "aggregatedValues") throw NgsiProblem.BadRequest($"options: only aggregatedValues is served, not '{options}'");
        var methods = (One("aggrMethods") ?? "avg,min,max").Split(',', StringSplitOptions.TrimEntries).ToList();
        foreach (var m in methods.Where(m => !Methods.Contains(m))) throw NgsiProblem.BadRequest($"aggrMethods: '{m}' is not served (avg, min, max)");
        var earliest = now.AddDays(-WindowDays);
        var timerel = One("timerel");
        DateTimeOffset from = earliest, to = now;
        if (timerel is not null)
        {
            if (timerel != "between") throw NgsiProblem.BadRequest($"timerel: only 'between' is served, not '{timerel}'");
            from = Instant(One("timeAt"), "timeAt");
            to = Instant(One("endTimeAt"), "endTimeAt");
            if (to <= from) throw NgsiProblem.BadRequest("endTimeAt must be after timeAt");
            if (from < earliest) throw NgsiProblem.BadRequest($"timeAt: aggregates are kept for the last {WindowDays} days (from {NgsiEntity.Iso(earliest.ToUnixTimeSeconds())})");
        }
        else if (One("timeAt") is not null || One("endTimeAt") is not null) throw NgsiProblem.BadRequest("timeAt/endTimeAt need timerel=between");
        return new Request(from, to, methods.Distinct().ToList());
    }

    private static DateTimeOffset Instant(string? value, string name) =>
        value is not null && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && value.Contains('T')
            ? at : throw NgsiProblem.BadRequest($"{name}: '{value}' is not an ISO 8601 date-time (e.g. 2026-01-01T00:00:00Z)");

    public async Task<JsonObject> BuildAsync(NgsiEntity entity, Request request, CancellationToken ct)
    {
        var result = new JsonObject { ["id"] = entity.Id, ["type"] = entity.Type };
        if (!Measured.TryGetValue(entity.Type, out var attributes)) return result;
        var node = entity.Id[(entity.Id.LastIndexOf(':') + 1)..];
        await using var tx = await Tx.ReadAsync(_connections, ct);
        foreach (var (attribute, column, factor) in attributes)
        {
            // Integer hour buckets ((ts / 3600) * 3600) mean the same in SQLite and PostgreSQL.
            var rows = await tx.QueryAsync(
                $"SELECT (ts / 3600) * 3600 AS hour, AVG({column}), MIN({column}), MAX({column}) FROM telemetry " +
                $"WHERE site = (SELECT site FROM nodes WHERE id = @n) AND node = @n AND ts >= @from AND ts < @to AND {column} IS NOT NULL GROUP BY (ts / 3600) * 3600 ORDER BY hour",
                r => (Hour: r.GetInt64(0), Avg: r.Dbl(1)!.Value, Min: r.Dbl(2)!.Value, Max: r.Dbl(3)!.Value),
                ("@n", node), ("@from", request.From.ToUnixTimeSeconds()), ("@to", request.To.ToUnixTimeSeconds()));
            var property = new JsonObject { ["type"] = "Property" };
            foreach (var method in request.Methods)
            {
                var values = new JsonArray();
                foreach (var row in rows)
                {
                    var value = method switch { "avg" => row.Avg, "min" => row.Min, _ => row.Max } * factor;
                    values.Add(new JsonArray(Math.Round(value, 6), NgsiEntity.Iso(row.Hour), NgsiEntity.Iso(row.Hour + 3600)));
                }
                property[method] = values;
            }
            result[attribute] = property;
        }
        return result;
    }
}
