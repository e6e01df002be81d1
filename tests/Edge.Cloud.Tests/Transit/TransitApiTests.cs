using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Edge.Cloud.Tests.Support;
using Google.Protobuf;
using TransitRealtime;
using static Edge.Cloud.Tests.Support.ApiAssert;

namespace Edge.Cloud.Tests.Transit;

/// <summary>The transit API over real HTTP: who may import, what a refused or oversized feed answers, the
/// feed status and the stop links.</summary>
public sealed class TransitApiTests : IAsyncLifetime
{
    private const string AdminPassword = "admin-password-1";
    private CloudServer _server = null!;
    private readonly Dictionary<string, HttpClient> _clients = new();

    public async Task InitializeAsync()
    {
        _server = await CloudServer.StartAsync(new Dictionary<string, string?>
        {
            ["Users:Seed:0:Name"] = "admin",
            ["Users:Seed:0:Password"] = AdminPassword,
            ["Users:Seed:0:Role"] = "admin",
            ["Transit:Limits:MaxZipBytes"] = "65536",
        });
        using var admin = await LoginAsync(_server, "admin", AdminPassword);
        foreach (var role in new[] { "technician", "installer", "viewer" })
        {
            await Ok(await admin.PostAsJsonAsync("/api/v1/users", new { name = role + "-1", role, password = "password-" + role }));
            using var session = await LoginAsync(_server, role + "-1", "password-" + role);
            _clients[role] = await BearerClientAsync(_server, session);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients.Values) client.Dispose();
        await _server.DisposeAsync();
    }

    private static ByteArrayContent Zip(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return content;
    }

    [Fact]
    public async Task Technicians_import_feeds_refused_ones_list_their_problems_and_the_status_shows_both()
    {
        var sample = await File.ReadAllBytesAsync(GtfsFiles.SampleFeedPath);
        Assert.Equal(HttpStatusCode.Forbidden, (await _clients["viewer"].PostAsync("/api/v1/transit/feeds", Zip(sample))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _clients["installer"].PostAsync("/api/v1/transit/feeds", Zip(sample))).StatusCode);

        var created = await _clients["technician"].PostAsync("/api/v1/transit/feeds", Zip(sample));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(1, (await Ok(created)).GetProperty("feed").GetInt64());

        var bad = GtfsFiles.SampleWith(f => f["stop_times.txt"] = f["stop_times.txt"].Replace("AB1,8:10:00,8:15:00", "AB1,24:61:00,8:15:00"));
        var problem = await Problem(await _clients["technician"].PostAsync("/api/v1/transit/feeds", Zip(bad)), HttpStatusCode.UnprocessableEntity);
        var first = problem.GetProperty("problems")[0];
        Assert.Equal(("stop_times.txt", 15, "arrival_time"), (first.GetProperty("file").GetString(), first.GetProperty("line").GetInt32(), first.GetProperty("field").GetString()));

        // Over the configured zip size (64 KiB here; 64 MiB by default, so a 500 MB feed): 413, nothing read.
        await Problem(await _clients["technician"].PostAsync("/api/v1/transit/feeds", Zip(new byte[70_000])), HttpStatusCode.RequestEntityTooLarge);

        var status = await Ok(await _clients["viewer"].GetAsync("/api/v1/transit/feeds"));
        Assert.Equal(1, status.GetProperty("active").GetProperty("feed").GetInt64());
        Assert.Equal("America/Los_Angeles", status.GetProperty("active").GetProperty("timezone").GetString());
        var imports = status.GetProperty("imports");
        Assert.Equal(2, imports.GetArrayLength());
        Assert.Equal(1, imports[0].GetProperty("problemCount").GetInt32());
        Assert.Equal(JsonValueKindNull, imports[0].GetProperty("feed").ValueKind);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    [Fact]
    public async Task A_stop_answers_its_departures_scheduled_then_live_from_a_polled_realtime_feed()
    {
        // A second cloud with a manual clock, polling a TripUpdates feed served over HTTP on loopback.
        var clock = new ManualClock(TransitSuite.SaturdayNoonUtc.ToUnixTimeSeconds());
        var port = FreePort();
        using var agency = new HttpListener();
        agency.Prefixes.Add($"http://127.0.0.1:{port}/");
        agency.Start();
        var feed = Array.Empty<byte>(); // nothing valid until the test says so
        _ = Task.Run(async () =>
        {
            while (agency.IsListening)
            {
                HttpListenerContext context;
                try { context = await agency.GetContextAsync(); } catch (HttpListenerException) { return; } catch (ObjectDisposedException) { return; }
                var body = Volatile.Read(ref feed);
                context.Response.ContentType = "application/x-protobuf";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        });
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string?>
        {
            ["Users:Seed:0:Name"] = "admin",
            ["Users:Seed:0:Password"] = AdminPassword,
            ["Users:Seed:0:Role"] = "admin",
            ["Transit:Realtime:TripUpdatesUrl"] = $"http://127.0.0.1:{port}/trip-updates",
            ["Transit:Realtime:IntervalSeconds"] = "1",
        }, services => services.AddSingleton<TimeProvider>(clock));
        using var admin = await LoginAsync(server, "admin", AdminPassword);
        using var client = await BearerClientAsync(server, admin);
        await Ok(await client.PostAsync("/api/v1/transit/feeds", Zip(GtfsFiles.Zip(TransitSuite.Route2Directions))));
        await Ok(await client.PutAsJsonAsync("/api/v1/sites/igoumenitsa", new { name = "Igoumenitsa" }));
        await Ok(await client.PutAsJsonAsync("/api/v1/nodes/bs-port-1", new { site = "igoumenitsa", type = "busstop" }));
        await Ok(await client.PutAsJsonAsync("/api/v1/nodes/bs-port-1/gtfs-stops", new { stopIds = new[] { "IGO_PORT" } }));

        var scheduled = await Ok(await client.GetAsync("/api/v1/nodes/bs-port-1/departures"));
        Assert.Equal(("2026-03-28T12:40:00Z", "scheduled"), (scheduled.GetProperty("departures")[0].GetProperty("at").GetString(), scheduled.GetProperty("departures")[0].GetProperty("source").GetString()));
        var status = default(System.Text.Json.JsonElement);
        for (var i = 0; i < 300; i++) // until the poller has fetched the empty body once
        {
            status = await Ok(await client.GetAsync("/api/v1/transit/feeds"));
            if (status.GetProperty("realtime").GetProperty("lastProblem").ValueKind == System.Text.Json.JsonValueKind.String) break;
            await Task.Delay(200);
        }
        Assert.Contains("not a GTFS-Realtime FeedMessage", status.GetProperty("realtime").GetProperty("lastProblem").GetString()); // the empty body

        Volatile.Write(ref feed, TransitSuite.ScenarioFeed(clock.UnixNow - 10));
        System.Text.Json.JsonElement live = default;
        for (var i = 0; i < 300; i++) // the poller runs every second of real time; give it up to a minute on a busy machine
        {
            live = await Ok(await client.GetAsync("/api/v1/nodes/bs-port-1/departures"));
            if (live.GetProperty("departures")[0].GetProperty("source").GetString() == "realtime") break;
            await Task.Delay(200);
        }
        var first = live.GetProperty("departures")[0];
        Assert.Equal(("2026-03-28T12:45:00Z", "realtime", "2", "Πλαταριά"), (first.GetProperty("at").GetString(), first.GetProperty("source").GetString(),
            first.GetProperty("route").GetString(), first.GetProperty("headsignEl").GetString()));
        Assert.Equal(10, live.GetProperty("realtimeAgeSeconds").GetInt64());
        status = await Ok(await client.GetAsync("/api/v1/transit/feeds"));
        Assert.Equal(10, status.GetProperty("realtime").GetProperty("ageSeconds").GetInt64());

        // Trips named without trip_id, looked up by the poll: W1430 (route R2, direction 1, from Plataria at 14:30) is
        // cancelled at the port (12:50Z); direction 0's 15:50 is E16 or E16B: listed in the feed status, not applied.
        var named = FeedMessage.Parser.ParseFrom(TransitSuite.ScenarioFeed(clock.UnixNow - 5));
        named.Entity.Add(TransitSuite.ByDescriptor("R2", 1, "14:30:00", "20260328", TripDescriptor.Types.ScheduleRelationship.Canceled));
        named.Entity.Add(TransitSuite.ByDescriptor("R2", 0, "15:50:00", "20260328", TripDescriptor.Types.ScheduleRelationship.Scheduled, TransitSuite.Stop(1, delay: 600)));
        Volatile.Write(ref feed, named.ToByteArray());
        for (var i = 0; i < 300; i++)
        {
            status = await Ok(await client.GetAsync("/api/v1/transit/feeds"));
            if (status.GetProperty("realtime").GetProperty("unknownTripCount").GetInt32() > 0) break;
            await Task.Delay(200);
        }
        Assert.Equal(["route_id R2, direction_id 0, start_time 15:50:00, start_date 20260328: ambiguous, 2 trips match (E16, E16B); not applied"],
            status.GetProperty("realtime").GetProperty("unknownTrips").EnumerateArray().Select(t => t.GetString()));
        live = await Ok(await client.GetAsync("/api/v1/nodes/bs-port-1/departures"));
        Assert.Equal(("2026-03-28T12:50:00Z", "scheduled", true), (live.GetProperty("departures")[1].GetProperty("at").GetString(),
            live.GetProperty("departures")[1].GetProperty("source").GetString(), live.GetProperty("departures")[1].GetProperty("cancelled").GetBoolean()));
        agency.Stop();
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task Installers_link_bus_stops_to_gtfs_stops()
    {
        await Ok(await _clients["technician"].PostAsync("/api/v1/transit/feeds", Zip(await File.ReadAllBytesAsync(GtfsFiles.SampleFeedPath))));
        await Ok(await _clients["installer"].PutAsJsonAsync("/api/v1/sites/igoumenitsa", new { name = "Igoumenitsa" }));
        await Ok(await _clients["installer"].PutAsJsonAsync("/api/v1/nodes/bs-0001", new { site = "igoumenitsa", type = "busstop" }));

        Assert.Equal(HttpStatusCode.Forbidden, (await _clients["viewer"].PutAsJsonAsync("/api/v1/nodes/bs-0001/gtfs-stops", new { stopIds = new[] { "AMV" } })).StatusCode);
        await Problem(await _clients["installer"].PutAsJsonAsync("/api/v1/nodes/bs-0001/gtfs-stops", new { stopIds = new[] { "NOPE" } }), HttpStatusCode.BadRequest);
        await Ok(await _clients["installer"].PutAsJsonAsync("/api/v1/nodes/bs-0001/gtfs-stops", new { stopIds = new[] { "AMV" } }));
        var links = await Ok(await _clients["viewer"].GetAsync("/api/v1/nodes/bs-0001/gtfs-stops"));
        Assert.Equal("AMV", links.GetProperty("stopIds")[0].GetString());
    }
}
