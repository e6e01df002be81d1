using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace Edge.Cloud.Tests.OpenData;

/// <summary>
/// The NGSI-LD read API on the demo-like site: every entity type validates against its official FIWARE schema in both
/// forms, queries return hand-computed sets, bad input is an NGSI-LD problem. Run on SQLite and PostgreSQL.
/// </summary>
public abstract partial class OpenDataSuite
{
    private readonly OpenDataSite _site;

    protected OpenDataSuite(OpenDataSite site) => _site = site;

    private static readonly string[] AllLights = ["sl-graik-04", "sl-old-01", "sl-old-02", "sl-port-01", "sl-port-02"];

    public static async Task<(HttpResponseMessage Response, JsonNode Body)> GetAsync(HttpClient client, string path, string accept = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd(accept);
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) == true;
        return (response, text.Length == 0 ? new JsonObject() : json ? JsonNode.Parse(text)! : JsonValue.Create(text));
    }

    private Task<(HttpResponseMessage Response, JsonNode Body)> GetAsync(string path, string accept = "application/json") => GetAsync(_site.Server.Client, path, accept);

    private async Task<JsonArray> EntitiesAsync(string query)
    {
        var (response, body) = await GetAsync("/ngsi-ld/v1/entities?" + query);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {response.StatusCode} {body.ToJsonString()}");
        return body.AsArray();
    }

    /// <summary>The local ids (urn:ngsi-ld:Type:local → local) of a key-values or normalized list, in answer order.</summary>
    private static List<string> Local(JsonArray entities) => entities.Select(e =>
    {
        var id = e!["id"]!.GetValue<string>();
        var prefix = $"urn:ngsi-ld:{e["type"]!.GetValue<string>()}:";
        Assert.StartsWith(prefix, id);
        return id[prefix.Length..];
    }).ToList();

    [Theory]
    [InlineData("Streetlight", new[] { "sl-graik-04", "sl-old-01", "sl-old-02", "sl-port-01", "sl-port-02" })]
    [InlineData("StreetlightGroup", new[] { "graikochori", "old-town", "port-avenue" })]
    [InlineData("WaterObserved", new[] { "wl-ladochori", "wl-town" })]
    [InlineData("FloodMonitoring", new[] { "wl-ladochori", "wl-town" })]
    [InlineData("ArrivalEstimation", new[] { "bs-ktel:L2:20260101T2220Z", "bs-ktel:L2:20260102T2220Z", "bs-ktel:L2:20260103T2220Z", "bs-ktel:N1:20260101T2245Z", "bs-ktel:N1:20260102T2245Z" })]
    [InlineData("Device", new[] { "bs-ktel", "bs-port", "sl-graik-04", "sl-old-01", "sl-old-02", "sl-port-01", "sl-port-02", "wl-ladochori", "wl-town" })]
    public async Task Every_entity_validates_against_its_FIWARE_schema_in_keyValues_and_normalized_form(string type, string[] expected)
    {
        var keyValues = await EntitiesAsync($"type={type}&options=keyValues&limit=100");
        var normalized = await EntitiesAsync($"type={type}&limit=100");
        Assert.Equal(expected, Local(keyValues));
        Assert.Equal(expected, Local(normalized));
        var failures = new List<string>();
        for (var i = 0; i < keyValues.Count; i++)
        {
            var kv = keyValues[i]!.AsObject();
            Assert.Equal($"urn:ngsi-ld:{type}:{expected[i]}", kv["id"]!.GetValue<string>());
            Assert.Equal(type, kv["type"]!.GetValue<string>());
            failures.AddRange(FiwareSchemas.Errors(type, kv).Select(e => $"{expected[i]} keyValues: {e}"));
            var back = Normalized.ToKeyValues(normalized[i]!.AsObject());
            failures.AddRange(FiwareSchemas.Errors(type, back).Select(e => $"{expected[i]} normalized: {e}"));
            Assert.True(JsonNode.DeepEquals(kv, back), $"{expected[i]}: the normalized form says something else than keyValues\n{kv}\n{back}");
        }
        Assert.Empty(failures);
        // The schema is really applied: the same entity with an id that is neither an NGSI id nor a URI fails.
        var broken = keyValues[0]!.AsObject().DeepClone().AsObject();
        broken["id"] = "not an id";
        Assert.NotEmpty(FiwareSchemas.Errors(type, broken));
    }

    [Fact]
    public async Task Entities_carry_what_the_site_reported()
    {
        var light = (await GetAsync("/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:sl-port-01?options=keyValues")).Body;
        Assert.Equal("on", light["powerState"]!.GetValue<string>());
        Assert.Equal(1.0, light["illuminanceLevel"]!.GetValue<double>());
        Assert.Equal(38.4, light["powerConsumption"]!.GetValue<double>());
        Assert.Equal("2026-01-01T21:00:00Z", light["dateLastSwitchingOn"]!.GetValue<string>()); // level 0 → 100 at Now − 3600
        Assert.Equal(new JsonArray(20.2636, 39.5118).ToJsonString(), light["location"]!["coordinates"]!.ToJsonString());
        Assert.Equal("urn:ngsi-ld:StreetlightGroup:port-avenue", light["refStreetlightGroup"]!.GetValue<string>());

        var broken = (await GetAsync("/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:sl-old-02?options=keyValues")).Body;
        Assert.Equal("defectiveLamp", broken["status"]!.GetValue<string>());
        Assert.Equal("low", broken["powerState"]!.GetValue<string>());
        var off = (await GetAsync("/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:sl-old-01?options=keyValues")).Body;
        Assert.Equal("off", off["powerState"]!.GetValue<string>());
        Assert.Equal("2026-01-01T21:50:00Z", off["dateLastSwitchingOff"]!.GetValue<string>());

        // docs/examples/hydro/gauge.json: sensor 3000 mm above the datum, warning 800, alarm 1100, battery 3000..3600 mV.
        var flood = (await GetAsync("/ngsi-ld/v1/entities/urn:ngsi-ld:FloodMonitoring:wl-ladochori?options=keyValues")).Body;
        Assert.Equal(0.88, flood["currentLevel"]!.GetValue<double>());
        Assert.Equal(3.0, flood["referenceLevel"]!.GetValue<double>());
        Assert.Equal(2.12, flood["measuredDistance"]!.GetValue<double>(), 6);
        Assert.Equal(0.8, flood["alertLevel"]!.GetValue<double>());
        Assert.Equal(1.1, flood["dangerLevel"]!.GetValue<double>());
        Assert.Equal("warning", flood["floodLevelStatus"]!.GetValue<string>());
        var water = (await GetAsync("/ngsi-ld/v1/entities/urn:ngsi-ld:WaterObserved:wl-ladochori?options=keyValues")).Body;
        Assert.Equal(0.88, water["height"]!.GetValue<double>());
        Assert.Equal("2026-01-01T21:58:00Z", water["dateObserved"]!.GetValue<string>());
        var gauge = (await GetAsync("/ngsi-ld/v1/entities/urn:ngsi-ld:Device:wl-ladochori?options=keyValues")).Body;
        Assert.Equal(0.5, gauge["batteryLevel"]!.GetValue<double>()); // 3300 mV halfway between 3000 and 3600
        var device = (await GetAsync("/ngsi-ld/v1/entities/urn:ngsi-ld:Device:sl-port-01?options=keyValues")).Body;
        Assert.Equal(-67, device["rssi"]!.GetValue<int>());
        Assert.Equal("1.2.0", device["firmwareVersion"]!.GetValue<string>());
        Assert.Equal("online", device["deviceState"]!.GetValue<string>());

        var group = (await GetAsync("/ngsi-ld/v1/entities/urn:ngsi-ld:StreetlightGroup:old-town?options=keyValues")).Body;
        Assert.Equal(0.15, group["illuminanceLevel"]!.GetValue<double>()); // mean of 0 % and 30 %
        Assert.Equal("low", group["powerState"]!.GetValue<string>());
        Assert.Equal((39.5082 + 39.5112) / 2, group["location"]!["coordinates"]![1]!.GetValue<double>(), 9); // the centre of its two lights
    }

    [Fact]
    public async Task Arrivals_count_down_to_the_next_departures_of_the_linked_stop()
    {
        var arrivals = await EntitiesAsync("type=ArrivalEstimation&options=keyValues&q=headSign==" + Uri.EscapeDataString("\"Πλαταριά\""));
        // Ordered by id (trip, then time): 22:20Z, a day and two days later, then 22:45Z and a day later — from 22:00Z.
        Assert.Equal(["PT20M", "PT24H20M", "PT48H20M", "PT45M", "PT24H45M"], arrivals.Select(a => a!["remainingTime"]!.GetValue<string>()));
        var first = arrivals[0]!;
        Assert.Equal("urn:ngsi-ld:GtfsTrip:L2", first["hasTrip"]!.GetValue<string>());
        Assert.Equal(new JsonArray("urn:ngsi-ld:GtfsStop:KTEL").ToJsonString(), first["hasStop"]!.ToJsonString());
        Assert.Equal("Πλαταριά", first["headSign"]!.GetValue<string>());
        Assert.Equal(new JsonArray(20.2660, 39.5061).ToJsonString(), first["location"]!["coordinates"]!.ToJsonString());
    }

    /// <summary>Haversine on the mean Earth radius, written out here independently of the server's.</summary>
    private static double Metres((double Lat, double Lon) a, (double Lat, double Lon) b)
    {
        const double r = 6371008.8;
        double Rad(double d) => d * Math.PI / 180;
        var h = Math.Pow(Math.Sin(Rad(b.Lat - a.Lat) / 2), 2) + Math.Cos(Rad(a.Lat)) * Math.Cos(Rad(b.Lat)) * Math.Pow(Math.Sin(Rad(b.Lon - a.Lon) / 2), 2);
        return 2 * r * Math.Asin(Math.Sqrt(h));
    }

    [Fact]
    public async Task Near_returns_the_lights_within_the_distance_by_haversine()
    {
        var ktel = (Lat: 39.5061, Lon: 20.2660); // the KTEL coach station
        // By hand (1° of latitude ≈ 111.2 km, of longitude ≈ 85.8 km here): sl-old-01 ≈ 243 m, sl-port-02 ≈ 437 m,
        // sl-port-01 ≈ 666 m, sl-old-02 ≈ 722 m, sl-graik-04 ≈ 2.1 km.
        Assert.InRange(Metres(ktel, OpenDataSite.Positions["sl-old-01"]), 230, 260);
        Assert.InRange(Metres(ktel, OpenDataSite.Positions["sl-port-02"]), 420, 450);
        Assert.InRange(Metres(ktel, OpenDataSite.Positions["sl-port-01"]), 650, 680);
        var expected = new[] { "sl-old-01", "sl-port-02" };
        Assert.Equal(expected, AllLights.Where(l => Metres(ktel, OpenDataSite.Positions[l]) <= 500).Order(StringComparer.Ordinal));
        Assert.Equal(expected, Local(await EntitiesAsync("type=Streetlight&georel=near;maxDistance==500&geometry=Point&coordinates=[20.2660,39.5061]")));
        Assert.Equal(["sl-graik-04", "sl-old-02", "sl-port-01"],
            Local(await EntitiesAsync("type=Streetlight&georel=near;minDistance==500&geometry=Point&coordinates=[20.2660,39.5061]")));
    }

    [Fact]
    public async Task Within_a_polygon_returns_the_lights_inside_it()
    {
        // The upper town: longitudes 20.2650..20.2730, latitudes 39.5070..39.5120.
        var polygon = "[[[20.2650,39.5070],[20.2730,39.5070],[20.2730,39.5120],[20.2650,39.5120],[20.2650,39.5070]]]";
        Assert.Equal(["sl-old-01", "sl-old-02"], Local(await EntitiesAsync($"type=Streetlight&georel=within&geometry=Polygon&coordinates={polygon}")));
        Assert.Equal(["wl-town"], Local(await EntitiesAsync($"type=WaterObserved&georel=within&geometry=Polygon&coordinates=[[[20.2650,39.5070],[20.2730,39.5070],[20.2730,39.5140],[20.2650,39.5140],[20.2650,39.5070]]]")));
    }

    [Fact]
    public async Task Q_filters_on_the_documented_attributes()
    {
        Assert.Equal(["sl-port-01", "sl-port-02"], Local(await EntitiesAsync("type=Streetlight&q=illuminanceLevel>0.5")));
        Assert.Equal(["sl-old-02"], Local(await EntitiesAsync("type=Streetlight&q=status==%22defectiveLamp%22")));
        Assert.Equal(["sl-old-01", "sl-port-01"], Local(await EntitiesAsync("type=Streetlight&q=powerState==%22off%22|powerState==%22on%22")));
        Assert.Equal(["sl-old-02", "sl-port-02"], Local(await EntitiesAsync("type=Streetlight&q=illuminanceLevel>0;illuminanceLevel<1")));
        Assert.Equal(["wl-ladochori"], Local(await EntitiesAsync("type=FloodMonitoring&q=floodLevelStatus!=%22normal%22")));
        // Type, geo, q and paging together: lit lights within 500 m of the KTEL station.
        Assert.Equal(["sl-port-02"], Local(await EntitiesAsync("type=Streetlight&q=illuminanceLevel>0&georel=near;maxDistance==500&geometry=Point&coordinates=[20.2660,39.5061]")));
        // A quoted value may hold an operator.
        Assert.Equal(AllLights, Local(await EntitiesAsync("type=Streetlight&q=name!=%22a==b%22")));
        // A list of types: the light and its device share the name.
        Assert.Equal(["sl-port-01", "sl-port-01"], Local(await EntitiesAsync("q=name==%22sl-port-01%22&type=Streetlight,Device")));
    }

    [Fact]
    public async Task Limit_and_offset_page_through_the_ids_in_order_and_count_tells_the_total()
    {
        var (response, body) = await GetAsync("/ngsi-ld/v1/entities?type=Streetlight&limit=2&offset=1&count=true");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["sl-old-01", "sl-old-02"], Local(body.AsArray()));
        Assert.Equal("5", Assert.Single(response.Headers.GetValues("NGSILD-Results-Count")));
        var (last, lastBody) = await GetAsync("/ngsi-ld/v1/entities?type=Streetlight&limit=2&offset=4");
        Assert.Equal(["sl-port-02"], Local(lastBody.AsArray()));
        Assert.False(last.Headers.Contains("NGSILD-Results-Count"));
        var (countOnly, countBody) = await GetAsync("/ngsi-ld/v1/entities?type=Device&limit=0&count=true");
        Assert.Empty(countBody.AsArray());
        Assert.Equal("9", Assert.Single(countOnly.Headers.GetValues("NGSILD-Results-Count")));
        Assert.Equal(["sl-old-02"], Local(await EntitiesAsync("id=urn:ngsi-ld:Streetlight:sl-old-02,urn:ngsi-ld:Streetlight:nope")));
    }

    [Fact]
    public async Task Json_names_the_context_in_a_Link_header_and_ld_json_in_the_body()
    {
        var (json, jsonBody) = await GetAsync("/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:sl-port-01", "application/json");
        Assert.Equal("application/json", json.Content.Headers.ContentType!.MediaType);
        var link = Assert.Single(json.Headers.GetValues("Link"));
        Assert.Contains("<https://smartdatamodels.org/context.jsonld>", link);
        Assert.Contains("rel=\"http://www.w3.org/ns/json-ld#context\"", link);
        Assert.Contains("type=\"application/ld+json\"", link);
        Assert.Null(jsonBody["@context"]);

        var (ld, ldBody) = await GetAsync("/ngsi-ld/v1/entities?type=Streetlight&limit=1", "application/ld+json");
        Assert.Equal("application/ld+json", ld.Content.Headers.ContentType!.MediaType);
        Assert.False(ld.Headers.Contains("Link"));
        var context = ldBody[0]!["@context"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        Assert.Equal(["https://smartdatamodels.org/context.jsonld", "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"], context);
    }

    [Theory]
    [InlineData("/ngsi-ld/v1/entities?type=Lamppost", 400, "BadRequestData", "Lamppost")]
    [InlineData("/ngsi-ld/v1/entities?type=Streetlight&q=status~=%22ok%22", 400, "BadRequestData", "status~=")]
    [InlineData("/ngsi-ld/v1/entities?type=Streetlight&q=installedBy==%22x%22", 400, "BadRequestData", "installedBy")]
    [InlineData("/ngsi-ld/v1/entities?type=Streetlight&q=status==ok", 400, "BadRequestData", "double-quoted")]
    [InlineData("/ngsi-ld/v1/entities?type=Streetlight&georel=near;maxDistance==500&geometry=Point&coordinates=[200,39.5]", 400, "BadRequestData", "outside")]
    [InlineData("/ngsi-ld/v1/entities?type=Streetlight&georel=near;maxDistance==500&geometry=Point&coordinates=[20.2]", 400, "BadRequestData", "[longitude, latitude]")]
    [InlineData("/ngsi-ld/v1/entities?type=Streetlight&georel=near;maxDistance==500&geometry=Point&coordinates=here", 400, "BadRequestData", "not a JSON array")]
    [InlineData("/ngsi-ld/v1/entities?type=Streetlight&georel=near;maxDistance==-5&geometry=Point&coordinates=[20.2,39.5]", 400, "BadRequestData", "maxDistance")]
    [InlineData("/ngsi-ld/v1/entities?type=Streetlight&georel=within&geometry=Polygon&coordinates=[[[20.2,39.5],[20.3,39.5],[20.3,39.6]]]", 400, "BadRequestData", "ring")]
    [InlineData("/ngsi-ld/v1/entities?type=Streetlight&georel=near;maxDistance==500", 400, "BadRequestData", "geometry")]
    [InlineData("/ngsi-ld/v1/entities?type=Streetlight&limit=100000", 400, "BadRequestData", "limit")]
    [InlineData("/ngsi-ld/v1/entities?type=Streetlight&limit=-1", 400, "BadRequestData", "limit")]
    [InlineData("/ngsi-ld/v1/entities?type=Streetlight&offset=x", 400, "BadRequestData", "offset")]
    [InlineData("/ngsi-ld/v1/entities?type=Streetlight&options=sysAttrs", 400, "BadRequestData", "sysAttrs")]
    [InlineData("/ngsi-ld/v1/entities", 400, "BadRequestData", "at least one of")]
    [InlineData("/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:sl-nowhere", 404, "ResourceNotFound", "sl-nowhere")]
    [InlineData("/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:sl-unsurveyed", 404, "ResourceNotFound", "sl-unsurveyed")]
    [InlineData("/ngsi-ld/v1/entities/sl-port-01", 404, "ResourceNotFound", "sl-port-01")]
    public async Task Bad_input_is_an_NGSI_LD_problem(string path, int status, string error, string detailNames)
    {
        var (response, body) = await GetAsync(path);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("https://uri.etsi.org/ngsi-ld/errors/" + error, body["type"]!.GetValue<string>());
        Assert.Equal(error, body["title"]!.GetValue<string>());
        Assert.Equal(status, body["status"]!.GetValue<int>());
        Assert.Contains(detailNames, body["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_client_that_accepts_neither_json_nor_ld_json_gets_NotAcceptable()
    {
        var (response, body) = await GetAsync("/ngsi-ld/v1/entities?type=Streetlight", "text/csv");
        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        Assert.Equal("https://uri.etsi.org/ngsi-ld/errors/NotAcceptable", body["type"]!.GetValue<string>());
    }
}

public sealed class SqliteOpenDataTests(SqliteOpenDataSite site) : OpenDataSuite(site), IClassFixture<SqliteOpenDataSite>;

public sealed class PostgresOpenDataTests(PostgresOpenDataSite site) : OpenDataSuite(site), IClassFixture<PostgresOpenDataSite>;
