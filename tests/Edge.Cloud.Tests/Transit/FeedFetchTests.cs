using System;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Transit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Tests.Transit;

/// <summary>The daily fetch of Transit:Feed:Url against a real local HTTP server that answers conditional GETs.</summary>
public abstract partial class TransitSuite
{
    private FeedFetcher Fetcher(string url) => new(Services.GetRequiredService<IHttpClientFactory>(), Importer, Connections,
        Options.Create(new TransitOptions { Feed = new FeedFetchOptions { Url = url } }), Clock, NullLogger<FeedFetcher>.Instance);

    private async Task<long?> ActiveFeedAsync()
    {
        await using var tx = await Tx.ReadAsync(Connections);
        return (await GtfsStore.ActiveAsync(tx))?.Feed;
    }

    [Fact]
    public async Task The_daily_fetch_is_conditional_a_bad_feed_is_refused_and_the_last_good_one_stays()
    {
        await using var server = await FeedServer.StartAsync();
        var fetcher = Fetcher(server.Url);
        var monday = DateTimeOffset.Parse("2026-03-02T04:00:00Z");
        server.Publish(await System.IO.File.ReadAllBytesAsync(GtfsFiles.SampleFeedPath), "v1", monday);

        var first = await fetcher.FetchOnceAsync();
        Assert.Equal(FetchOutcome.Imported, first.Outcome);
        Assert.Equal("\"v1\"", first.ETag);
        Assert.Equal(1, await ActiveFeedAsync());
        Assert.Equal((null, null), server.Requests.Last());

        // Same day again: the validators go back and the server's 304 keeps feed 1 without an import.
        Assert.Equal(FetchOutcome.NotModified, (await fetcher.FetchOnceAsync()).Outcome);
        Assert.Equal(("\"v1\"", monday.ToString("R")), server.Requests.Last());
        Assert.Equal(1, await ActiveFeedAsync());

        // The agency publishes a broken feed: refused with its problem, feed 1 keeps serving.
        server.Publish(GtfsFiles.SampleWith(f => f["stop_times.txt"] += "\nNOTRIP,9:00:00,9:00:00,BULLFROG,1"), "v2", monday.AddDays(1));
        var refused = await fetcher.FetchOnceAsync();
        Assert.Equal(FetchOutcome.Refused, refused.Outcome);
        Assert.Contains("stop_times.txt", refused.Detail);
        Assert.Equal(1, await ActiveFeedAsync());
        Assert.Equal(2, (await DeparturesAsync("BULLFROG", new DateOnly(2007, 6, 5))).Count);
        // ... and is not downloaded again while the agency leaves it unchanged.
        Assert.Equal(FetchOutcome.NotModified, (await fetcher.FetchOnceAsync()).Outcome);

        // A fixed feed replaces it; a server error later changes nothing.
        var fixedFeed = GtfsFiles.SampleWith(f => f["stop_times.txt"] = f["stop_times.txt"].Replace("BFC1,8:20:00,8:20:00", "BFC1,8:25:00,8:25:00"));
        server.Publish(fixedFeed, "v3", monday.AddDays(2));
        Assert.Equal(FetchOutcome.Imported, (await fetcher.FetchOnceAsync()).Outcome);
        Assert.Equal(2, await ActiveFeedAsync());
        Assert.Equal("08:25", (await DeparturesAsync("BULLFROG", new DateOnly(2007, 6, 5)))[0].Time);
        server.Fail(503);
        var failed = await fetcher.FetchOnceAsync();
        Assert.Equal(FetchOutcome.Failed, failed.Outcome);
        Assert.Contains("503", failed.Detail);
        Assert.Equal(2, await ActiveFeedAsync());

        // After a restart the validators are gone: the zip comes again, is the active one byte for byte, and is not re-imported.
        server.Publish(fixedFeed, "v3", monday.AddDays(2));
        Assert.Equal(FetchOutcome.Unchanged, (await Fetcher(server.Url).FetchOnceAsync()).Outcome);
        await using var tx = await Tx.ReadAsync(Connections);
        Assert.Equal([2L, null, 1L], (await GtfsStore.RecentImportsAsync(tx, 10)).Select(i => i.Feed));
    }
}
