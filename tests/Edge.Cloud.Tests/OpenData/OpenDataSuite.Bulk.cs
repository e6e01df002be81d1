using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using CsvHelper;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace Edge.Cloud.Tests.OpenData;

/// <summary>Temporal aggregates and the daily dumps: SQL that differs by database, so on SQLite and PostgreSQL.</summary>
public abstract partial class OpenDataSuite
{
    private static List<(double Value, string Start, string End)> Series(JsonNode entity, string attribute, string method) =>
        entity[attribute]![method]!.AsArray().Select(v => (v![0]!.GetValue<double>(), v[1]!.GetValue<string>(), v[2]!.GetValue<string>())).ToList();

    [Fact]
    public async Task Temporal_gives_hourly_aggregates_of_the_last_90_days()
    {
        var (response, body) = await GetAsync("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Streetlight:sl-port-01");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Readings (OpenDataSite): 2025-12-31T10:00 level 0 / 0.5 W; 20:00 level 0 / 0.4 W; 21:00 level 100 / 38.1 W;
        // 21:59 level 100 / 38.4 W; and one 214 days back, outside the 90 days.
        Assert.Equal(
            [(0.0, "2025-12-31T10:00:00Z", "2025-12-31T11:00:00Z"), (0.0, "2026-01-01T20:00:00Z", "2026-01-01T21:00:00Z"), (1.0, "2026-01-01T21:00:00Z", "2026-01-01T22:00:00Z")],
            Series(body, "illuminanceLevel", "avg"));
        Assert.Equal([0.5, 0.4, 38.25], Series(body, "powerConsumption", "avg").Select(s => s.Value));
        Assert.Equal([0.5, 0.4, 38.1], Series(body, "powerConsumption", "min").Select(s => s.Value));
        Assert.Equal([0.5, 0.4, 38.4], Series(body, "powerConsumption", "max").Select(s => s.Value));
        Assert.Equal("Property", body["powerConsumption"]!["type"]!.GetValue<string>());

        var (_, window) = await GetAsync("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:WaterObserved:wl-ladochori?timerel=between&timeAt=2025-12-31T00:00:00Z&endTimeAt=2026-01-01T00:00:00Z&aggrMethods=max&aggrPeriodDuration=PT1H");
        Assert.Equal([0.3, 0.62, 0.45], Series(window, "height", "max").Select(s => s.Value));
        Assert.Null(window["height"]!["avg"]);
    }

    [Theory]
    [InlineData("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Streetlight:sl-port-01?timerel=between&timeAt=2025-09-01T00:00:00Z&endTimeAt=2026-01-01T00:00:00Z", 400, "90 days")]
    [InlineData("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Streetlight:sl-port-01?aggrPeriodDuration=P1D", 400, "PT1H")]
    [InlineData("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Streetlight:sl-port-01?aggrMethods=sum", 400, "sum")]
    [InlineData("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Streetlight:sl-port-01?timerel=between&timeAt=yesterday&endTimeAt=2026-01-01T00:00:00Z", 400, "ISO 8601")]
    [InlineData("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Streetlight:sl-nowhere", 404, "sl-nowhere")]
    [InlineData("/opendata/dumps/streetlights.csv?date=2026-01-01", 400, "not over yet")]
    [InlineData("/opendata/dumps/streetlights.csv?date=31-12-2025", 400, "yyyy-MM-dd")]
    [InlineData("/opendata/dumps/people.csv", 404, "people.csv")]
    [InlineData("/opendata/dumps/streetlights.xlsx", 404, "streetlights.xlsx")]
    public async Task Bad_temporal_and_dump_requests_are_problems(string path, int status, string detailNames)
    {
        var (response, body) = await GetAsync(path);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.StartsWith("https://uri.etsi.org/ngsi-ld/errors/", body["type"]!.GetValue<string>());
        Assert.Contains(detailNames, body["detail"]!.GetValue<string>());
    }

    private async Task<(List<Dictionary<string, string>> Csv, FeatureCollection GeoJson)> DumpAsync(string name, string date)
    {
        var csvResponse = await _site.Server.Client.GetAsync($"/opendata/dumps/{name}.csv?date={date}");
        Assert.Equal(HttpStatusCode.OK, csvResponse.StatusCode);
        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType!.MediaType);
        var rows = new List<Dictionary<string, string>>();
        using (var csv = CsvReader.Create(await csvResponse.Content.ReadAsByteArrayAsync(), CsvReaderOptions.Default with { HasHeader = true }))
        {
            var header = csv.Headers.ToList();
            while (csv.Read()) rows.Add(header.Select((h, i) => (h, i)).ToDictionary(x => x.h, x => csv.GetString(x.i)));
        }
        var geoResponse = await _site.Server.Client.GetAsync($"/opendata/dumps/{name}.geojson?date={date}");
        Assert.Equal("application/geo+json", geoResponse.Content.Headers.ContentType!.MediaType);
        var options = new JsonSerializerOptions();
        options.Converters.Add(new GeoJsonConverterFactory());
        var features = JsonSerializer.Deserialize<FeatureCollection>(await geoResponse.Content.ReadAsStringAsync(), options)!;
        return (rows, features);
    }

    /// <summary>Each CSV row and the GeoJSON feature of the same id say the same: position and every other column.</summary>
    private static void SameData(List<Dictionary<string, string>> csv, FeatureCollection geo)
    {
        Assert.Equal(csv.Select(r => r["id"]), geo.Select(f => f.Attributes["id"]!.ToString()));
        foreach (var (row, feature) in csv.Zip(geo))
        {
            var point = Assert.IsType<Point>(feature.Geometry);
            Assert.Equal(double.Parse(row["longitude"], CultureInfo.InvariantCulture), point.X);
            Assert.Equal(double.Parse(row["latitude"], CultureInfo.InvariantCulture), point.Y);
            foreach (var (column, text) in row.Where(c => c.Key is not ("latitude" or "longitude")))
            {
                var value = feature.Attributes[column];
                Assert.Equal(text, value is null ? "" : Convert.ToString(value, CultureInfo.InvariantCulture));
            }
        }
    }

    [Fact]
    public async Task The_lights_dump_gives_each_light_its_energy_of_the_last_365_days_in_CSV_and_GeoJSON()
    {
        var (csv, geo) = await DumpAsync("streetlights", "2025-12-31");
        SameData(csv, geo);
        Assert.Equal(["sl-graik-04", "sl-old-01", "sl-old-02", "sl-port-01", "sl-port-02"], csv.Select(r => r["id"]));
        var port = csv.Single(r => r["id"] == "sl-port-01");
        Assert.Equal("300", port["energy_kwh_365d"]); // counter 400000 Wh on 2025-12-31 minus 100000 Wh 214 days earlier
        Assert.Equal("2025-12-31", port["date"]);
        Assert.Equal("port-avenue", port["group"]);
        Assert.Equal((39.5118, 20.2636), (double.Parse(port["latitude"], CultureInfo.InvariantCulture), double.Parse(port["longitude"], CultureInfo.InvariantCulture)));
        Assert.Equal("", csv.Single(r => r["id"] == "sl-port-02")["energy_kwh_365d"]); // no reading up to that day
    }

    [Fact]
    public async Task The_gauges_dump_gives_each_gauge_its_highest_level_of_the_day()
    {
        var (csv, geo) = await DumpAsync("gauges", "2025-12-31");
        SameData(csv, geo);
        Assert.Equal(["wl-ladochori", "wl-town"], csv.Select(r => r["id"]));
        Assert.Equal(("0.62", "3"), (csv[0]["max_level_m"], csv[0]["readings"]));
        Assert.Equal(("", "0"), (csv[1]["max_level_m"], csv[1]["readings"]));
    }

    [Fact]
    public async Task The_stops_dump_names_each_stop_as_its_display_does()
    {
        var (csv, geo) = await DumpAsync("stops", "2025-12-31");
        SameData(csv, geo);
        Assert.Equal(["bs-ktel", "bs-port"], csv.Select(r => r["id"]));
        Assert.Equal(("Λιμάνι Ηγουμενίτσας", "Igoumenitsa Port"), (csv[1]["name_el"], csv[1]["name_en"]));
        Assert.Equal("ΚΤΕΛ", csv[0]["name_el"]); // the GTFS stop name its published timetable shows
    }
}
