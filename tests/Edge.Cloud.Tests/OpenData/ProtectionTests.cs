using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Cloud.Tests.Support;

namespace Edge.Cloud.Tests.OpenData;

/// <summary>The demo-like site with the water dataset switched off (OpenData:Datasets:water = false).</summary>
public sealed class WaterOffSite : OpenDataSite
{
    protected override Task<IDictionary<string, string?>> StorageAsync() => Task.FromResult<IDictionary<string, string?>>(new Dictionary<string, string?>());

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["OpenData:Datasets:water"] = "false" };
}

/// <summary>Protection of the public surface: dataset switches, conditional GET, rate limit per address.</summary>
public sealed class ProtectionTests(WaterOffSite site) : IClassFixture<WaterOffSite>
{
    private Task<(HttpResponseMessage Response, JsonNode Body)> GetAsync(string path) => OpenDataSuite.GetAsync(site.Server.Client, path);

    [Fact]
    public async Task A_switched_off_dataset_is_gone_from_every_answer()
    {
        var (byType, problem) = await GetAsync("/ngsi-ld/v1/entities?type=WaterObserved");
        Assert.Equal(HttpStatusCode.BadRequest, byType.StatusCode);
        Assert.Equal("https://uri.etsi.org/ngsi-ld/errors/BadRequestData", problem["type"]!.GetValue<string>());
        Assert.DoesNotContain("WaterObserved", problem["detail"]!.GetValue<string>().Split("served types:")[1]);
        var (byId, _) = await GetAsync("/ngsi-ld/v1/entities/urn:ngsi-ld:FloodMonitoring:wl-ladochori");
        Assert.Equal(HttpStatusCode.NotFound, byId.StatusCode);
        // A query across types does not reach it either (q on a water attribute matches nothing served).
        var (_, near) = await GetAsync("/ngsi-ld/v1/entities?georel=near;maxDistance==100000&geometry=Point&coordinates=[20.27,39.50]&limit=100");
        var types = near.AsArray().Select(e => e!["type"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(["ArrivalEstimation", "Device", "Streetlight", "StreetlightGroup"], types.Order(StringComparer.Ordinal));
        // Nor its dump, nor the catalogue, nor the page.
        Assert.Equal(HttpStatusCode.NotFound, (await site.Server.Client.GetAsync("/opendata/dumps/gauges.csv?date=2025-12-31")).StatusCode);
        var (_, catalog) = await GetAsync("/catalog");
        Assert.Equal(["devices", "streetlights", "transit"], catalog["dcat:dataset"]!.AsArray().Select(d => d!["dct:identifier"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var page = await site.Server.Client.GetStringAsync("/opendata");
        Assert.DoesNotContain("gauges", page);
        Assert.Contains("streetlights.csv", page);
    }

    [Fact]
    public async Task Answers_carry_an_ETag_and_Last_Modified_and_a_current_copy_is_not_sent_again()
    {
        const string path = "/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:sl-port-02?options=keyValues";
        var (first, _) = await GetAsync(path);
        var etag = first.Headers.ETag!;
        Assert.False(etag.IsWeak);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(OpenDataSite.Now), first.Content.Headers.LastModified); // its inventory entry's time
        Assert.Contains("max-age=", first.Headers.CacheControl!.ToString());

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(etag);
        var notModified = await site.Server.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        using var since = new HttpRequestMessage(HttpMethod.Get, path);
        since.Headers.IfModifiedSince = first.Content.Headers.LastModified;
        Assert.Equal(HttpStatusCode.NotModified, (await site.Server.Client.SendAsync(since)).StatusCode);

        // New telemetry: a new ETag and a later Last-Modified; the old ETag no longer matches.
        site.Clock.Advance(600);
        await site.PostAsync(site.Light("sl-port-02", OpenDataSite.Now + 300, 80, 31.0, []));
        using var stale = new HttpRequestMessage(HttpMethod.Get, path);
        stale.Headers.IfNoneMatch.Add(etag);
        var changed = await site.Server.Client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(OpenDataSite.Now + 300), changed.Content.Headers.LastModified);
        Assert.Equal(0.8, JsonNode.Parse(await changed.Content.ReadAsStringAsync())!["illuminanceLevel"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("/catalog")]
    [InlineData("/opendata")]
    [InlineData("/opendata/dumps/streetlights.csv?date=2025-12-31")]
    public async Task Answers_without_a_data_instant_are_validated_by_ETag_alone(string path)
    {
        var first = await site.Server.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Null(first.Content.Headers.LastModified);
        // A date alone never answers 304 here: settings or late records change these answers without a time of their own.
        using var since = new HttpRequestMessage(HttpMethod.Get, path);
        since.Headers.IfModifiedSince = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.OK, (await site.Server.Client.SendAsync(since)).StatusCode);
        using var match = new HttpRequestMessage(HttpMethod.Get, path);
        match.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await site.Server.Client.SendAsync(match)).StatusCode);
    }

    [Fact]
    public async Task One_address_gets_a_429_problem_after_its_permits_in_the_window()
    {
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string?>
        {
            ["OpenData:RatePermits"] = "3", ["OpenData:RateWindowSeconds"] = "3600",
        });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/ngsi-ld/v1/entities?type=Streetlight")).StatusCode);
        }
        var refused = await server.Client.GetAsync("/ngsi-ld/v1/entities?type=Streetlight");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After"))) is > 0 and <= 3600);
        var body = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal(429, body["status"]!.GetValue<int>());
        // The signed-in API is not counted against it.
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await server.Client.GetAsync("/api/v1/health")).StatusCode);
    }
}
