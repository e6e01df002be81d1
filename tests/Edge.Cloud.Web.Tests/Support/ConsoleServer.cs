using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using Edge.Cloud.Alarms;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Cloud.Desired;
using Edge.Cloud.Inventory;
using Edge.Cloud.Lighting;
using Edge.Cloud.Tests.Support;
using Edge.Cloud.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Web.Tests.Support;

/// <summary>
/// The real cloud with its console (<see cref="ConsoleHost.Create"/>: Kestrel on a free loopback port, SQLite in a temp
/// folder) on a clock the tests move, seeded with one user per role, a site, a bus stop with display content and a gauge.
/// </summary>
public sealed class ConsoleServer : IAsyncDisposable
{
    /// <summary>2026-11-26 12:30:00 UTC (14:30 in Igoumenitsa, EET).</summary>
    public const long T0 = 1795696200;
    public const string Site = "igoumenitsa";
    public const string Stop = "bs-port";
    public const string Gauge = "wl-ladochori";
    public const string Light = "sl-port-01";
    public const string Gateway = "gw-test";
    public const string Group = "seafront";
    public const string Profile = "residential";

    /// <summary>A lighting schedule of docs/dimming-profiles.md: full power at sunset, half at virtual midnight, off at sunrise.</summary>
    public const string ProfileDocument = """
        { "schema": 1, "profiles": [ { "id": "residential", "points": [
          { "at": "sunset", "level": 100 }, { "at": "virtualMidnight", "level": 50 }, { "at": "sunrise", "level": 0 } ] } ] }
        """;
    public const string GatewayToken = "token-of-gw-test-at-least-32-characters-long";
    public const string TileUrl = "http://127.0.0.1:9/{z}/{x}/{y}.png";
    public const string Injection = "<script>alert('x')</script>";

    private readonly TempDirectory _directory = new();

    private ConsoleServer() { }

    public ManualClock Clock { get; } = new(T0);

    public WebApplication App { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    public static string Password(string user) => user + "-test-pass-123";

    public static async Task<ConsoleServer> StartAsync()
    {
        var server = new ConsoleServer();
        var config = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Sqlite",
            ["Storage:DataDirectory"] = server._directory.Path,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Gateways:Seed:0:Id"] = Gateway,
            ["Gateways:Seed:0:Token"] = GatewayToken,
            // Map tiles from an address that refuses at once (the discard port): the map must show without them.
            ["Console:MapTileUrl"] = TileUrl,
        };
        var roles = new[] { "admin", "technician", "installer", "viewer" };
        for (var i = 0; i < roles.Length; i++)
        {
            config[$"Users:Seed:{i}:Name"] = roles[i];
            config[$"Users:Seed:{i}:Role"] = roles[i];
            config[$"Users:Seed:{i}:Password"] = Password(roles[i]);
        }
        server.App = ConsoleHost.Create([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(config);
            builder.Services.AddSingleton<TimeProvider>(server.Clock);
        });
        await server.App.StartAsync();
        server.BaseUrl = server.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await server.SeedAsync();
        return server;
    }

    private async Task SeedAsync()
    {
        var inventory = App.Services.GetRequiredService<InventoryService>();
        await inventory.PutSiteAsync("installer", Site, new SiteRequest("Igoumenitsa", null));
        await inventory.PutNodeAsync("installer", Stop, new NodeRequest(Site, "busstop", "gw-test", null, null, 39.5047, 20.2643, null, null, null, null, null));
        await inventory.PutNodeAsync("installer", Gauge, new NodeRequest(Site, "waterlevel", "gw-test", null, null, 39.5142, 20.2876, null, null, null, null, null));
        await inventory.PutGroupAsync("installer", Group, new GroupRequest(Site, "Seafront avenue"));
        await inventory.PutNodeAsync("installer", Light, new NodeRequest(Site, "streetlight", Gateway, "LED-60W", "1.2.0", 39.5040, 20.2650, "P-101", null, Group, null, null));
        await App.Services.GetRequiredService<ProfileService>().PutAsync("technician", Profile, Encoding.UTF8.GetBytes(ProfileDocument));
        await App.Services.GetRequiredService<DisplayService>().PutAsync("technician", Stop, new DisplayRequest(StopContent(), null));
        // An evening of the light's telemetry, as its gateway uploads it: one sample every 10 minutes.
        await PostRecordsAsync(Enumerable.Range(0, 12).Select(i => Records.Streetlight(NextSeq(), Light, T0 - 7200 + i * 600, 100 - i * 5, 60 - i * 3)).ToArray());
    }

    private long _seq;

    public long NextSeq() => Interlocked.Increment(ref _seq);

    /// <summary>Uploads records as the seeded gateway does (POST /api/v1/gateways/{id}/batches, docs/uplink.md §2) and
    /// applies them at once (alarms, command acks) instead of waiting for the record feed's next turn.</summary>
    public async Task PostRecordsAsync(params JsonObject[] records)
    {
        using var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayToken);
        using var response = await client.PostAsync($"/api/v1/gateways/{Gateway}/batches",
            new StringContent(Records.Batch(Gateway, records).ToJsonString(), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        Assert.True(JsonNode.Parse(body)?["rejected"] is not JsonArray { Count: > 0 }, body);
        await App.Services.GetRequiredService<RecordFeed>().RunOnceAsync();
    }

    /// <summary>Raises a gateway conflict for <paramref name="node"/>, as admission does when <paramref name="from"/> sends
    /// records for it (a kind nothing clears by itself); returns the alarm.</summary>
    public async Task<AlarmInfo> RaiseGatewayConflictAsync(string node, string from, string message, long at)
    {
        const string kind = Edge.Cloud.Ingestion.RecordAdmission.ConflictAlarmKind;
        await using (var tx = await Edge.Cloud.Domain.Tx.BeginAsync(App.Services.GetRequiredService<Edge.Cloud.Storage.IStorageConnections>()))
        {
            await AlarmService.RaiseAsync(tx, Site, node, from, kind, AlarmRules.NodeKey(kind, Site, node), "major", message, at);
            await tx.CommitAsync();
        }
        return Assert.Single(await App.Services.GetRequiredService<AlarmService>().ListAsync("open", node, kind, 10));
    }

    private static string At(long offsetSeconds) => DateTimeOffset.FromUnixTimeSeconds(T0 + offsetSeconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    private static JsonObject Text(string el, string en) => new() { ["el"] = el, ["en"] = en };

    /// <summary>The display document of docs/display-content.md: a live departure in 5 min, a scheduled one in 12,
    /// a cancelled one, a headsign that tries script injection, a notice and a banner.</summary>
    public static JsonObject StopContent() => new()
    {
        ["schema"] = 1,
        ["version"] = 1,
        ["generatedAt"] = At(0),
        ["validUntil"] = At(3600),
        ["utcOffset"] = "+02:00",
        ["stop"] = new JsonObject { ["id"] = "igo-port-1", ["name"] = Text("Λιμάνι Ηγουμενίτσας", "Igoumenitsa Port") },
        ["arrivals"] = new JsonArray(
            new JsonObject { ["route"] = "1", ["headsign"] = Text("Πλαταριά", "Plataria"), ["at"] = At(300), ["realtime"] = true },
            new JsonObject { ["route"] = "5", ["headsign"] = Text("Σύβοτα", "Syvota"), ["at"] = At(720), ["realtime"] = false },
            new JsonObject { ["route"] = "2", ["headsign"] = Text("Γραικοχώρι", "Graikochori"), ["at"] = At(900), ["realtime"] = true, ["cancelled"] = true },
            new JsonObject { ["route"] = "X", ["headsign"] = Text(Injection, Injection), ["at"] = At(1500), ["realtime"] = true }),
        ["notices"] = new JsonArray(Text("Ελεύθερη μετακίνηση για άτομα άνω των 65.", "Free travel for people over 65.")),
        ["banner"] = new JsonObject { ["title"] = Text("Πλημμύρα", "Flood"), ["text"] = Text("Ο παραλιακός δρόμος είναι κλειστός.", "The seafront road is closed.") },
    };

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        _directory.Dispose();
    }
}
