using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Edge.Cloud.OpenData;

/// <summary>How an NGSI-LD attribute is typed in the normalized form (ETSI GS CIM 009 §4.5).</summary>
public enum NgsiKind
{
    Property,
    Relationship,
    GeoProperty,
}

/// <summary>One attribute: its kind, its value (the <c>object</c> of a relationship) and whether the value is an
/// instant (normalized as <c>{"@type": "DateTime", "@value": …}</c>, as the Smart Data Models examples do).</summary>
public sealed record NgsiAttribute(NgsiKind Kind, JsonNode Value, bool IsDateTime = false);

/// <summary>
/// One public entity, kept as attributes so the same data is written in both representations the API offers:
/// <c>keyValues</c> (what the Smart Data Models schemas describe) and the normalized form. <see cref="Point"/> is
/// the position geo-queries use (every entity published here has one), <see cref="ModifiedAt"/> the newest instant
/// its data comes from (Last-Modified).
/// </summary>
public sealed class NgsiEntity
{
    private readonly List<KeyValuePair<string, NgsiAttribute>> _attributes = new();

    public NgsiEntity(string type, string localId, GeoPoint point, long modifiedAt)
    {
        Type = type;
        Id = Urn(type, localId);
        Point = point;
        ModifiedAt = modifiedAt;
        Add("location", NgsiKind.GeoProperty, point.ToGeoJson());
    }

    public string Id { get; }

    public string Type { get; }

    public GeoPoint Point { get; }

    public long ModifiedAt { get; }

    /// <summary>NGSI-LD ids are URIs: <c>urn:ngsi-ld:{Type}:{local id}</c>.</summary>
    public static string Urn(string type, string localId) => $"urn:ngsi-ld:{type}:{localId}";

    public IReadOnlyList<KeyValuePair<string, NgsiAttribute>> Attributes => _attributes;

    /// <summary>The key-values value of <paramref name="name"/>, or null when the entity lacks it.</summary>
    public JsonNode? Value(string name)
    {
        foreach (var (key, attribute) in _attributes) if (key == name) return attribute.Value;
        return null;
    }

    public NgsiEntity Property(string name, object? value) => value is null ? this : Add(name, NgsiKind.Property, Json(value));

    public NgsiEntity Time(string name, long? unixSeconds) =>
        unixSeconds is { } s ? Add(name, NgsiKind.Property, JsonValue.Create(Iso(s)), isDateTime: true) : this;

    public NgsiEntity Relationship(string name, string? target) => target is null ? this : Add(name, NgsiKind.Relationship, JsonValue.Create(target));

    /// <summary>A relationship to several entities (e.g. <c>refStreetlight</c>); left out when empty, as the schemas
    /// ask for at least one item.</summary>
    public NgsiEntity Relationships(string name, IReadOnlyCollection<string> targets)
    {
        if (targets.Count == 0) return this;
        var array = new JsonArray();
        foreach (var target in targets) array.Add(target);
        return Add(name, NgsiKind.Relationship, array);
    }

    private NgsiEntity Add(string name, NgsiKind kind, JsonNode value, bool isDateTime = false)
    {
        _attributes.Add(new(name, new NgsiAttribute(kind, value, isDateTime)));
        return this;
    }

    private static JsonNode Json(object value) => value switch
    {
        JsonNode node => node,
        string s => JsonValue.Create(s),
        double d => JsonValue.Create(Math.Round(d, 6)),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        bool b => JsonValue.Create(b),
        IEnumerable<string> list => new JsonArray(System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Select(list, x => (JsonNode?)JsonValue.Create(x)))),
        _ => throw new ArgumentException($"no JSON form for {value.GetType()}"),
    };

    public static string Iso(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The <c>options=keyValues</c> form: each attribute is its bare value.</summary>
    public JsonObject ToKeyValues()
    {
        var entity = new JsonObject { ["id"] = Id, ["type"] = Type };
        foreach (var (name, attribute) in _attributes) entity[name] = attribute.Value.DeepClone();
        return entity;
    }

    /// <summary>The normalized form: each attribute an object with its <c>type</c> and <c>value</c> (<c>object</c> for
    /// relationships).</summary>
    public JsonObject ToNormalized()
    {
        var entity = new JsonObject { ["id"] = Id, ["type"] = Type };
        foreach (var (name, attribute) in _attributes)
        {
            var value = attribute.Value.DeepClone();
            entity[name] = attribute.Kind switch
            {
                NgsiKind.Relationship => new JsonObject { ["type"] = "Relationship", ["object"] = value },
                NgsiKind.GeoProperty => new JsonObject { ["type"] = "GeoProperty", ["value"] = value },
                _ when attribute.IsDateTime => new JsonObject { ["type"] = "Property", ["value"] = new JsonObject { ["@type"] = "DateTime", ["@value"] = value } },
                _ => new JsonObject { ["type"] = "Property", ["value"] = value },
            };
        }
        return entity;
    }
}

/// <summary>A WGS 84 position; GeoJSON order is longitude, latitude.</summary>
public readonly record struct GeoPoint(double Lon, double Lat)
{
    private const double EarthRadiusM = 6371008.8;

    public JsonObject ToGeoJson() => new() { ["type"] = "Point", ["coordinates"] = new JsonArray(Lon, Lat) };

    /// <summary>Great-circle distance in metres (haversine on the mean Earth radius, IUGG).</summary>
    public double DistanceTo(GeoPoint other)
    {
        static double Rad(double deg) => deg * Math.PI / 180;
        var dLat = Rad(other.Lat - Lat);
        var dLon = Rad(other.Lon - Lon);
        var a = Math.Sin(dLat / 2) * Math.Sin(dLat / 2) + Math.Cos(Rad(Lat)) * Math.Cos(Rad(other.Lat)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * EarthRadiusM * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }
}
