using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.AspNetCore.Http;

namespace Edge.Cloud.OpenData;

/// <summary>
/// The parameters of <c>GET /ngsi-ld/v1/entities</c> (ETSI GS CIM 009 §6.4.3.2), checked up front so a bad one is a
/// <c>BadRequestData</c> naming it: <c>type</c> and <c>id</c> (comma-separated lists), <c>q</c> (<see cref="QFilter"/>),
/// the geo-query (<see cref="GeoQuery"/>), <c>limit</c> (0..max page size, default 20), <c>offset</c>, <c>count</c>.
/// </summary>
public sealed class NgsiQuery
{
    public const int DefaultLimit = 20;

    public IReadOnlyList<string>? Types { get; private init; }
    public IReadOnlySet<string>? Ids { get; private init; }
    public QFilter? Q { get; private init; }
    public GeoQuery? Geo { get; private init; }
    public int Limit { get; private init; }
    public int Offset { get; private init; }
    public bool Count { get; private init; }

    public static NgsiQuery Parse(IQueryCollection query, IReadOnlyList<string> servedTypes, int maxPageSize)
    {
        var types = List(query, "type");
        if (types is not null)
        {
            foreach (var type in types.Where(t => !servedTypes.Contains(t)))
            {
                throw NgsiProblem.BadRequest($"type: '{type}' is not served here; served types: {string.Join(", ", servedTypes)}");
            }
        }
        var ids = List(query, "id");
        var q = Single(query, "q");
        var geo = GeoQuery.Parse(Single(query, "georel"), Single(query, "geometry"), Single(query, "coordinates"));
        if (types is null && ids is null && q is null && geo is null)
        {
            throw NgsiProblem.BadRequest("a query needs at least one of type, id, q or a geo-query (georel, geometry, coordinates)");
        }
        return new NgsiQuery
        {
            Types = types,
            Ids = ids?.ToHashSet(),
            Q = q is null ? null : QFilter.Parse(q),
            Geo = geo,
            Limit = Number(query, "limit", DefaultLimit, 0, maxPageSize),
            Offset = Number(query, "offset", 0, 0, int.MaxValue),
            Count = Flag(query, "count"),
        };
    }

    /// <summary>Matching entities of <paramref name="all"/> (ordered by id) and the page <see cref="Offset"/>/<see cref="Limit"/> asks for.</summary>
    public (List<NgsiEntity> Page, int Total) Run(IEnumerable<NgsiEntity> all)
    {
        var matching = all.Where(e => (Ids is null || Ids.Contains(e.Id)) && (Q is null || Q.Matches(e)) && (Geo is null || Geo.Matches(e))).ToList();
        return (matching.Skip(Offset).Take(Limit).ToList(), matching.Count);
    }

    private static string? Single(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var values)) return null;
        if (values.Count != 1 || string.IsNullOrEmpty(values[0])) throw NgsiProblem.BadRequest($"{name}: give it once, not empty");
        return values[0];
    }

    private static List<string>? List(IQueryCollection query, string name)
    {
        var value = Single(query, name);
        if (value is null) return null;
        var items = value.Split(',', StringSplitOptions.TrimEntries).ToList();
        if (items.Any(string.IsNullOrEmpty)) throw NgsiProblem.BadRequest($"{name}: an empty item in '{value}'");
        return items;
    }

    private static int Number(IQueryCollection query, string name, int fallback, int min, int max)
    {
        var value = Single(query, name);
        if (value is null) return fallback;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            throw NgsiProblem.BadRequest($"{name}: '{value}' must be a whole number from {min} to {max}");
        }
        return n;
    }

    private static bool Flag(IQueryCollection query, string name) => Single(query, name) switch
    {
        null or "false" => false,
        "true" => true,
        var other => throw NgsiProblem.BadRequest($"{name}: '{other}' must be true or false"),
    };
}
