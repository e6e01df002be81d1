using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace Edge.Cloud.OpenData;

/// <summary>
/// The geo-queries the open-data API understands (ETSI GS CIM 009 §4.10): <c>georel=near;maxDistance==m</c> or
/// <c>near;minDistance==m</c> with <c>geometry=Point</c>, and <c>georel=within</c> with <c>geometry=Polygon</c>;
/// <c>coordinates</c> in GeoJSON order (longitude, latitude), WGS 84. Distances are great-circle (haversine) metres.
/// </summary>
public sealed class GeoQuery
{
    private readonly Func<GeoPoint, bool> _test;

    private GeoQuery(Func<GeoPoint, bool> test) => _test = test;

    public bool Matches(NgsiEntity entity) => _test(entity.Point);

    public static GeoQuery? Parse(string? georel, string? geometry, string? coordinates)
    {
        if (georel is null && geometry is null && coordinates is null) return null;
        if (georel is null || geometry is null || coordinates is null)
        {
            throw NgsiProblem.BadRequest("a geo-query needs all of georel, geometry and coordinates");
        }
        var parts = georel.Split(';');
        switch (parts[0])
        {
            case "near":
                if (geometry != "Point") throw NgsiProblem.BadRequest("georel=near needs geometry=Point");
                if (parts.Length != 2) throw NgsiProblem.BadRequest("georel=near needs exactly one of maxDistance==m or minDistance==m");
                var centre = Point(Parse(coordinates), "coordinates");
                var (name, metres) = Distance(parts[1]);
                return name == "maxDistance"
                    ? new GeoQuery(p => centre.DistanceTo(p) <= metres)
                    : new GeoQuery(p => centre.DistanceTo(p) >= metres);
            case "within":
                if (geometry != "Polygon") throw NgsiProblem.BadRequest("georel=within needs geometry=Polygon");
                if (parts.Length != 1) throw NgsiProblem.BadRequest("georel=within takes no modifiers");
                var ring = Ring(Parse(coordinates));
                return new GeoQuery(p => Inside(ring, p));
            default:
                throw NgsiProblem.BadRequest($"georel '{parts[0]}' is not supported here (near, within)");
        }
    }

    private static (string Name, double Metres) Distance(string modifier)
    {
        var at = modifier.IndexOf("==", StringComparison.Ordinal);
        var name = at < 0 ? modifier : modifier[..at];
        if (at < 0 || name is not ("maxDistance" or "minDistance")) throw NgsiProblem.BadRequest($"georel: '{modifier}' is not maxDistance==m or minDistance==m");
        if (!double.TryParse(modifier[(at + 2)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var metres) || !double.IsFinite(metres) || metres < 0)
        {
            throw NgsiProblem.BadRequest($"georel: {name} must be a non-negative number of metres");
        }
        return (name, metres);
    }

    private static JsonElement Parse(string coordinates)
    {
        try
        {
            using var document = JsonDocument.Parse(coordinates);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw NgsiProblem.BadRequest($"coordinates: '{coordinates}' is not a JSON array");
        }
    }

    private static GeoPoint Point(JsonElement e, string where)
    {
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 2 || e[0].ValueKind != JsonValueKind.Number || e[1].ValueKind != JsonValueKind.Number)
        {
            throw NgsiProblem.BadRequest($"{where}: a position is [longitude, latitude]");
        }
        double lon = e[0].GetDouble(), lat = e[1].GetDouble();
        if (lon is < -180 or > 180 || lat is < -90 or > 90)
        {
            throw NgsiProblem.BadRequest($"{where}: [{lon.ToString(CultureInfo.InvariantCulture)}, {lat.ToString(CultureInfo.InvariantCulture)}] is outside longitude -180..180, latitude -90..90");
        }
        return new GeoPoint(lon, lat);
    }

    /// <summary>The outer ring of a GeoJSON polygon: at least four positions, closed (holes are not supported).</summary>
    private static List<GeoPoint> Ring(JsonElement polygon)
    {
        if (polygon.ValueKind != JsonValueKind.Array || polygon.GetArrayLength() != 1 || polygon[0].ValueKind != JsonValueKind.Array)
        {
            throw NgsiProblem.BadRequest("coordinates: a polygon is [[[lon, lat], …]] with one closed ring (no holes)");
        }
        var ring = new List<GeoPoint>();
        var i = 0;
        foreach (var position in polygon[0].EnumerateArray()) ring.Add(Point(position, $"coordinates[0][{i++}]"));
        if (ring.Count < 4 || ring[0] != ring[^1]) throw NgsiProblem.BadRequest("coordinates: a polygon ring has at least four positions and ends where it starts");
        return ring;
    }

    /// <summary>Even-odd ray casting in longitude/latitude (fine for town-sized polygons away from the antimeridian).</summary>
    private static bool Inside(List<GeoPoint> ring, GeoPoint p)
    {
        var inside = false;
        for (int i = 0, j = ring.Count - 1; i < ring.Count; j = i++)
        {
            var (a, b) = (ring[i], ring[j]);
            if ((a.Lat > p.Lat) != (b.Lat > p.Lat) && p.Lon < (b.Lon - a.Lon) * (p.Lat - a.Lat) / (b.Lat - a.Lat) + a.Lon) inside = !inside;
        }
        return inside;
    }
}
