using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Desired;
using Edge.Cloud.Domain;
using Edge.Cloud.Gateways;
using Edge.Cloud.Inventory;
using Edge.Cloud.Lighting;
using Edge.Cloud.Storage;
using Edge.Cloud.Storage.Migrations;
using Edge.Cloud.Tests.Support;
using Edge.Cloud.Transit;
using Edge.Cloud.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Tests.Transit;

/// <summary>
/// GTFS import, stop links and timetables (TimetableTests.cs) on a real database: every test runs on SQLite
/// (<see cref="SqliteTransitTests"/>) and PostgreSQL (<see cref="PostgresTransitTests"/>), wired as the app wires them.
/// Expected departures are worked out by hand from the sample feed's CSV files (quoted in each test).
/// </summary>
public abstract partial class TransitSuite : IAsyncLifetime
{
    protected const string Gateway = "gw-igoumenitsa-1";
    protected const string Site = Records.Site;
    protected ManualClock Clock { get; } = new(1767304800);
    protected ServiceProvider Services { get; private set; } = null!;
    protected IStorageConnections Connections { get; private set; } = null!;

    protected abstract Task<IStorageConnections> CreateConnectionsAsync();

    public async Task InitializeAsync()
    {
        Connections = await CreateConnectionsAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton(Connections);
        services.AddSingleton<IMigrationSource, IngestSchema>();
        services.AddSingleton<Migrator>();
        services.AddSingleton<IGatewayStore, SqlGatewayStore>();
        services.AddSingleton<GatewayRegistry>();
        services.AddSingleton<IMigrationSource, UserSchema>();
        services.AddEdgeAudit();
        services.AddEdgeDomain();
        services.AddEdgeInventory();
        services.AddEdgeLighting();
        services.AddEdgeDesiredState();
        services.AddEdgeTransit(new ConfigurationBuilder().Build());
        Services = services.BuildServiceProvider();
        await Services.GetRequiredService<Migrator>().MigrateAsync();
        await Services.GetRequiredService<GatewayRegistry>().RegisterAsync(Gateway);
        await Inventory.PutSiteAsync("installer", Site, new SiteRequest("Igoumenitsa", null));
    }

    public virtual async Task DisposeAsync()
    {
        await Services.DisposeAsync();
        (Connections as IDisposable)?.Dispose();
    }

    protected InventoryService Inventory => Services.GetRequiredService<InventoryService>();
    protected FeedImporter Importer => Services.GetRequiredService<FeedImporter>();
    protected StopLinks Links => Services.GetRequiredService<StopLinks>();

    protected async Task<FeedImportResult> ImportAsync(byte[] zip)
    {
        using var stream = new MemoryStream(zip);
        return await Importer.ImportAsync("tech", stream);
    }

    protected Task<FeedImportResult> ImportSampleAsync() => ImportAsync(File.ReadAllBytes(GtfsFiles.SampleFeedPath));

    protected async Task<List<(string Time, string Route, string? Headsign, string Trip)>> DeparturesAsync(string stop, DateOnly day)
    {
        await using var tx = await Tx.ReadAsync(Connections);
        var feed = (await GtfsStore.ActiveAsync(tx))!.Feed;
        return (await ScheduledDepartures.ForDayAsync(tx, feed, [stop], day))
            .Select(d => ($"{d.Time / 3600:00}:{d.Time / 60 % 60:00}", d.Route, d.Headsign, d.TripId)).ToList();
    }

    protected Task<NodeInfo> AddBusStopAsync(string id) =>
        Inventory.PutNodeAsync("installer", id, new NodeRequest(Site, "busstop", Gateway, "EPD-7.5", "1.2.0", 39.5034, 20.2656, null, null, null, null, null));

    [Fact]
    public async Task The_sample_feed_gives_the_hand_computed_departures_of_a_stop_and_day()
    {
        var result = await ImportSampleAsync();
        Assert.Null(result.Problems);
        Assert.Equal(1, result.Feed);

        // BULLFROG on Tuesday 2007-06-05 (service FULLW, every day 2007-01-01..2010-12-31):
        //   AB1   arrives 8:10 as its last stop (seq 2 of 2)     -> no departure
        //   AB2   12:05:00, first stop, route AB = "10", "to Airport"
        //   BFC1  8:20:00, first stop, route BFC = "20", "to Furnace Creek Resort"
        //   BFC2  arrives 12:00 as its last stop                  -> no departure
        Assert.Equal([("08:20", "20", "to Furnace Creek Resort", "BFC1"), ("12:05", "10", "to Airport", "AB2")],
            await DeparturesAsync("BULLFROG", new DateOnly(2007, 6, 5)));
        // calendar_dates.txt: FULLW,20070604,2 removes Monday 2007-06-04.
        Assert.Empty(await DeparturesAsync("BULLFROG", new DateOnly(2007, 6, 4)));
        // AMV: only the weekend service WE (Saturday, Sunday). Saturday 2007-06-09: AAMV2 10:00 and AAMV4 15:00 start
        // there (route AAMV = "50", "to Airport"); AAMV1 and AAMV3 end there.
        Assert.Equal([("10:00", "50", "to Airport", "AAMV2"), ("15:00", "50", "to Airport", "AAMV4")],
            await DeparturesAsync("AMV", new DateOnly(2007, 6, 9)));
        Assert.Empty(await DeparturesAsync("AMV", new DateOnly(2007, 6, 5)));
        // After the calendar's end_date nothing runs.
        Assert.Empty(await DeparturesAsync("BULLFROG", new DateOnly(2011, 1, 4)));
    }

    [Fact]
    public async Task Frequency_based_trips_of_the_sample_feed_run_every_headway()
    {
        await ImportSampleAsync();
        var day = new DateOnly(2007, 6, 5);
        // STAGECOACH is the first stop of STBA (route 30, "Shuttle"), CITY1 (route 40) and the last of CITY2.
        // frequencies.txt: STBA every 1800 s from 6:00:00 to 22:00:00 -> 6:00, 6:30 ... 21:30 = 32 runs;
        // CITY1 6:00-7:59:59 /1800 (4), 8:00-9:59:59 /600 (12), 10:00-15:59:59 /1800 (12), 16:00-18:59:59 /600 (18),
        // 19:00-22:00 /1800 (6) = 52 runs.
        var stagecoach = await DeparturesAsync("STAGECOACH", day);
        Assert.Equal(32, stagecoach.Count(d => d.Trip == "STBA"));
        Assert.Equal(52, stagecoach.Count(d => d.Trip == "CITY1"));
        Assert.Equal(84, stagecoach.Count);
        Assert.Equal([("06:00", "30"), ("06:00", "40"), ("06:30", "30"), ("06:30", "40"), ("07:00", "30")], stagecoach.Take(5).Select(d => (d.Time, d.Route)));
        Assert.Equal(12, stagecoach.Count(d => d.Route == "40" && string.CompareOrdinal(d.Time, "08:00") >= 0 && string.CompareOrdinal(d.Time, "10:00") < 0));
        Assert.Equal([("21:30", "30"), ("21:30", "40")], stagecoach.TakeLast(2).Select(d => (d.Time, d.Route)));
        // NANAA, mid-trip: CITY1 leaves it 7 min after its first stop (6:07:00 - 6:00:00), CITY2 21 min after (6:51:00 - 6:30:00).
        Assert.Equal(["06:07", "06:21", "06:37", "06:51"], (await DeparturesAsync("NANAA", day)).Take(4).Select(d => d.Time));
    }

    [Fact]
    public async Task A_refused_feed_leaves_the_last_good_feed_active_and_the_next_good_one_replaces_it_whole()
    {
        Assert.Equal(1, (await ImportSampleAsync()).Feed);

        var refused = await ImportAsync(GtfsFiles.SampleWith(f => f["stop_times.txt"] += "\nNOTRIP,9:00:00,9:00:00,BULLFROG,1"));
        Assert.Null(refused.Feed);
        Assert.Equal(("stop_times.txt", 30, "trip_id"), (refused.Problems!.List[0].File, refused.Problems.List[0].Line, refused.Problems.List[0].Field));
        await using (var tx = await Tx.ReadAsync(Connections))
        {
            Assert.Equal(1, (await GtfsStore.ActiveAsync(tx))!.Feed);
            var imports = await GtfsStore.RecentImportsAsync(tx, 10);
            Assert.Equal([null, 1L], imports.Select(i => i.Feed));
            Assert.Equal("stop_times.txt", Assert.Single(imports[0].Problems).File);
        }
        Assert.Equal(2, (await DeparturesAsync("BULLFROG", new DateOnly(2007, 6, 5))).Count);

        var second = await ImportAsync(GtfsFiles.SampleWith(f => f["stop_times.txt"] = f["stop_times.txt"].Replace("BFC1,8:20:00,8:20:00", "BFC1,8:25:00,8:25:00")));
        Assert.Equal(2, second.Feed);
        Assert.Equal("08:25", (await DeparturesAsync("BULLFROG", new DateOnly(2007, 6, 5)))[0].Time);
        await using (var tx = await Tx.ReadAsync(Connections))
        {
            Assert.Equal(0, await tx.LongAsync("SELECT COUNT(*) FROM transit_stop_times WHERE feed = 1"));
            Assert.Equal(28, await tx.LongAsync("SELECT COUNT(*) FROM transit_stop_times WHERE feed = 2"));
            Assert.Equal(1, await tx.LongAsync("SELECT COUNT(*) FROM transit_feeds"));
        }
    }

    [Fact]
    public async Task A_bus_stop_links_to_stops_of_the_active_feed_only()
    {
        await AddBusStopAsync("bs-0001");
        await Assert.ThrowsAsync<DomainException>(() => Links.PutAsync("installer", "bs-0001", new StopLinksRequest(["BULLFROG"]))); // no feed yet
        await ImportSampleAsync();

        var linked = await Links.PutAsync("installer", "bs-0001", new StopLinksRequest(["BULLFROG", "BEATTY_AIRPORT", "BULLFROG"]));
        Assert.Equal(["BEATTY_AIRPORT", "BULLFROG"], linked.StopIds);
        Assert.Equal(["BEATTY_AIRPORT", "BULLFROG"], (await Links.GetAsync("bs-0001")).StopIds);

        var unknown = await Assert.ThrowsAsync<DomainException>(() => Links.PutAsync("installer", "bs-0001", new StopLinksRequest(["BULLFROG", "IGOUMENITSA"])));
        Assert.Equal(400, unknown.Status);
        Assert.Contains("IGOUMENITSA", unknown.Message);
        Assert.Equal(["BEATTY_AIRPORT", "BULLFROG"], (await Links.GetAsync("bs-0001")).StopIds); // unchanged

        await Inventory.PutNodeAsync("installer", "sl-0001", new NodeRequest(Site, "streetlight", Gateway, "LED-60W", "1.2.0", 39.5, 20.2, "P-1", null, null, null, null));
        Assert.Equal(409, (await Assert.ThrowsAsync<DomainException>(() => Links.PutAsync("installer", "sl-0001", new StopLinksRequest(["AMV"])))).Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<DomainException>(() => Links.GetAsync("bs-9999"))).Status);
    }
}

public sealed class SqliteTransitTests : TransitSuite
{
    private readonly TempDirectory _directory = new();

    protected override Task<IStorageConnections> CreateConnectionsAsync() =>
        Task.FromResult<IStorageConnections>(new SqliteConnections(Path.Combine(_directory.Path, "edge.db")));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}

public sealed class PostgresTransitTests : TransitSuite
{
    private TestPostgres? _database;

    protected override async Task<IStorageConnections> CreateConnectionsAsync()
    {
        _database = await TestPostgres.CreateAsync();
        return new PostgresConnections(_database.ConnectionString);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }
}
