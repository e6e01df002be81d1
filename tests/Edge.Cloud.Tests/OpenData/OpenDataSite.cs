using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Desired;
using Edge.Cloud.Inventory;
using Edge.Cloud.Storage;
using Edge.Cloud.Tests.Support;
using Edge.Cloud.Transit;
using Edge.Firmware.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Tests.OpenData;

/// <summary>
/// A small copy of the demo site (sim/Edge.Sim: Igoumenitsa, its seafront and upper-town lights, the Ladochori and
/// town gauges, the port bus stop) in the real cloud, with telemetry posted by a gateway over HTTP, and the personal
/// data open data must never show: installer names, an alarm acknowledged by a named technician, a node secret.
/// One instance per test class (xUnit class fixture); <see cref="SqliteOpenDataSite"/> and
/// <see cref="PostgresOpenDataSite"/> run the same suite on both databases.
/// </summary>
public abstract class OpenDataSite : IAsyncLifetime
{
    public const string Gateway = "gw-igoumenitsa-1";
    public const string Token = "token-of-gw-igoumenitsa-1-at-least-32-chars";
    public const long Now = 1767304800; // 2026-01-01T22:00:00Z

    /// <summary>Personal data seeded into the site; no public response may contain any of it.</summary>
    public const string InstallerName = "Σταύρος Παπαδόπουλος";
    public const string SecondInstallerName = "Eleni Markou-Installer";
    public const string AcknowledgerName = "Nikos Acknowledger-Karras";

    /// <summary>Seeded positions (lat, lon): what the hand-computed expectations of the query tests use.</summary>
    public static readonly IReadOnlyDictionary<string, (double Lat, double Lon)> Positions = new Dictionary<string, (double, double)>
    {
        ["sl-port-01"] = (39.5118, 20.2636),
        ["sl-port-02"] = (39.5054, 20.2610),
        ["sl-old-01"] = (39.5082, 20.2668),
        ["sl-old-02"] = (39.5112, 20.2712),
        ["sl-graik-04"] = (39.5205, 20.2830),
        ["wl-ladochori"] = (39.4925, 20.2735),
        ["wl-town"] = (39.5135, 20.2702),
        ["bs-port"] = (39.4995, 20.2592),
        ["bs-ktel"] = (39.5061, 20.2660),
    };

    /// <summary>
    /// A GTFS feed for the KTEL stop (Europe/Athens, EET +02:00 in January): trip L2 leaves at 24:20 (00:20 the next
    /// morning) and N1 at 00:45, every day. At <see cref="Now"/> (2026-01-02 00:00 local) the stop's next arrivals are
    /// L2 of 1 January's service day at 22:20Z, N1 at 22:45Z, then the same a day and (L2) two days later.
    /// </summary>
    public static readonly Dictionary<string, string> Feed = new()
    {
        ["agency.txt"] = "agency_id,agency_name,agency_url,agency_timezone\nKTEL,KTEL Thesprotias,https://ktel.example,Europe/Athens\n",
        ["stops.txt"] = "stop_id,stop_name,stop_lat,stop_lon\nKTEL,ΚΤΕΛ,39.5060,20.2640\nPLAT,Πλαταριά,39.4556,20.2747\n",
        ["routes.txt"] = "route_id,agency_id,route_short_name,route_type\nR1,KTEL,1,3\n",
        ["trips.txt"] = "route_id,service_id,trip_id,trip_headsign\nR1,DAILY,L2,Πλαταριά\nR1,DAILY,N1,Πλαταριά\n",
        ["stop_times.txt"] = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" +
            "L2,24:20:00,24:20:00,KTEL,1\nL2,24:40:00,24:40:00,PLAT,2\nN1,00:45:00,00:45:00,KTEL,1\nN1,01:05:00,01:05:00,PLAT,2\n",
        ["calendar.txt"] = "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nDAILY,1,1,1,1,1,1,1,20251201,20261231\n",
    };

    private long _seq;

    public ManualClock Clock { get; } = new(Now);

    public CloudServer Server { get; private set; } = null!;

    /// <summary>The plain node secret handed out once; it must never reappear.</summary>
    public string NodeSecret { get; private set; } = "";

    protected abstract Task<IDictionary<string, string?>> StorageAsync();

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        var settings = await StorageAsync();
        settings["Gateways:Seed:0:Id"] = Gateway;
        settings["Gateways:Seed:0:Token"] = Token;
        settings["OpenData:RatePermits"] = "100000"; // the rate limit has its own test (ProtectionTests)
        foreach (var (key, value) in Settings) settings[key] = value;
        Server = await CloudServer.StartAsync(settings, services => services.AddSingleton<TimeProvider>(Clock));
        await SeedAsync();
    }

    private async Task SeedAsync()
    {
        var inventory = Server.App.Services.GetRequiredService<InventoryService>();
        await inventory.PutSiteAsync(InstallerName, Records.Site, new SiteRequest("Igoumenitsa", null));
        await inventory.PutZoneAsync(InstallerName, "igoumenitsa-town", new ZoneRequest(Records.Site, "Igoumenitsa"));
        await inventory.PutZoneAsync(InstallerName, "ladochori", new ZoneRequest(Records.Site, "Ladochori"));
        await inventory.PutGroupAsync(InstallerName, "port-avenue", new GroupRequest(Records.Site, "Seafront avenue"));
        await inventory.PutGroupAsync(InstallerName, "old-town", new GroupRequest(Records.Site, "Upper town streets"));
        await inventory.PutGroupAsync(InstallerName, "graikochori", new GroupRequest(Records.Site, "Graikochori village road"));
        await PutAsync(inventory, "sl-port-01", "streetlight", "port-avenue", "igoumenitsa-town", "PA-01", InstallerName);
        await PutAsync(inventory, "sl-port-02", "streetlight", "port-avenue", "igoumenitsa-town", "PA-16", SecondInstallerName);
        await PutAsync(inventory, "sl-old-01", "streetlight", "old-town", "igoumenitsa-town", "OT-01", InstallerName);
        await PutAsync(inventory, "sl-old-02", "streetlight", "old-town", "igoumenitsa-town", "OT-12", InstallerName);
        await PutAsync(inventory, "sl-graik-04", "streetlight", "graikochori", null, "GK-04", SecondInstallerName);
        await PutAsync(inventory, "wl-ladochori", "waterlevel", null, "ladochori", "WL-02", InstallerName);
        await PutAsync(inventory, "wl-town", "waterlevel", null, "igoumenitsa-town", "WL-01", InstallerName);
        await PutAsync(inventory, "bs-port", "busstop", null, "igoumenitsa-town", "BS-01", InstallerName);
        await PutAsync(inventory, "bs-ktel", "busstop", null, "igoumenitsa-town", "BS-02", SecondInstallerName);
        // A light not yet surveyed: no position, so no public entity (every model requires a location).
        await inventory.PutNodeAsync(InstallerName, "sl-unsurveyed", new NodeRequest(Records.Site, "streetlight", Gateway, null, null, null, null, null, null, null, InstallerName, Now - 86400));
        var gauge = File.ReadAllBytes(Repo.File("docs/examples/hydro/gauge.json"));
        await inventory.PutGaugeConfigAsync(InstallerName, "wl-ladochori", gauge);
        await inventory.PutGaugeConfigAsync(InstallerName, "wl-town", gauge);
        NodeSecret = (await inventory.NewSecretAsync(InstallerName, "sl-port-01")).Secret;

        await PostAsync(
            Light("sl-port-01", Now - 7200, 0, 0.4, []), Light("sl-port-01", Now - 3600, 100, 38.1, []), Light("sl-port-01", Now - 60, 100, 38.4, []),
            Light("sl-port-02", Now - 60, 60, 24.0, []),
            Light("sl-old-01", Now - 7200, 100, 38.0, []), Light("sl-old-01", Now - 600, 0, 0.5, []),
            Light("sl-old-02", Now - 60, 30, 0.8, ["lamp-failure"]),
            Water("wl-ladochori", Now - 120, 880, "warning", 3300), Water("wl-town", Now - 120, 150, "normal", null),
            Records.Record(Next(), "bs-port", "telemetry", Now - 60, new JsonObject
            {
                ["v"] = 1, ["type"] = "busstop", ["ts"] = Now - 60, ["boot"] = 3, ["seq"] = _seq, ["contentVersion"] = 0, ["stale"] = false,
            }),
            Records.Record(Next(), "sl-port-01", "state", Now - 30, new JsonObject
            {
                ["v"] = 1, ["status"] = "online", ["ts"] = Now - 30, ["type"] = "streetlight", ["fw"] = "1.2.0", ["configVersion"] = 1, ["boot"] = 17, ["rssi"] = -67,
            }));
        // The day before (2025-12-31, a complete UTC day for the dumps) and half a year back (outside the 90 temporal days).
        await PostAsync(
            Light("sl-port-01", Day31 + 10 * 3600, 0, 0.5, [], energyWh: 400000), Light("sl-port-01", Now - 214 * 86400, 0, 0.5, [], energyWh: 100000),
            Water("wl-ladochori", Day31 + 3600, 300, "normal", 3400), Water("wl-ladochori", Day31 + 2 * 3600, 620, "watch", 3390),
            Water("wl-ladochori", Day31 + 3 * 3600, 450, "normal", 3380));
        await Server.App.Services.GetRequiredService<DisplayService>().PutAsync(InstallerName, "bs-port", new DisplayRequest(new JsonObject
        {
            ["schema"] = 1, ["version"] = 1, ["generatedAt"] = "2026-01-01T21:00:00Z", ["validUntil"] = "2026-01-02T21:00:00Z", ["utcOffset"] = "+02:00",
            ["stop"] = new JsonObject { ["name"] = new JsonObject { ["el"] = "Λιμάνι Ηγουμενίτσας", ["en"] = "Igoumenitsa Port" } },
            ["arrivals"] = new JsonArray(),
        }, null));
        await AcknowledgedAlarmAsync();
        await TransitAsync();
    }

    /// <summary>Imports <see cref="Feed"/> and links bs-ktel to its KTEL stop; waits until the timetable publisher (a
    /// background service) has given bs-ktel its display, so the dumps do not change under the tests.</summary>
    private async Task TransitAsync()
    {
        var zip = Transit.GtfsFiles.Zip(Feed);
        using (var stream = new MemoryStream(zip)) await Server.App.Services.GetRequiredService<FeedImporter>().ImportAsync(InstallerName, stream);
        await Server.App.Services.GetRequiredService<StopLinks>().PutAsync(InstallerName, "bs-ktel", new StopLinksRequest(["KTEL"]));
        for (var i = 0; i < 200 && await Server.CountAsync("SELECT COUNT(*) FROM displays WHERE node = 'bs-ktel'") == 0; i++) await Task.Delay(50);
        Assert.Equal(1, await Server.CountAsync("SELECT COUNT(*) FROM displays WHERE node = 'bs-ktel'"));
    }

    /// <summary>2025-12-31T00:00:00Z.</summary>
    public const long Day31 = Now - 22 * 3600 - 86400;

    private Task PutAsync(InventoryService inventory, string id, string type, string? group, string? zone, string pole, string installer)
    {
        var (lat, lon) = Positions[id];
        return inventory.PutNodeAsync(installer, id,
            new NodeRequest(Records.Site, type, Gateway, "esp32-devkitc-" + type, "1.1.0", lat, lon, pole, zone, group, installer, Now - 30 * 86400));
    }

    /// <summary>An alarm raised on sl-old-02 and acknowledged by a named technician (the alarm service's own acknowledge).</summary>
    private async Task AcknowledgedAlarmAsync()
    {
        await using (var connection = await Server.App.Services.GetRequiredService<IStorageConnections>().OpenAsync())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO alarms (site, node, gateway, kind, alarm_key, severity, status, message, raised_at, updated_at) " +
                $"VALUES ('{Records.Site}', 'sl-old-02', '{Gateway}', 'lamp.fault', 'lamp.fault:sl-old-02', 'major', 'open', 'lamp failure', {Now - 50}, {Now - 50})";
            await command.ExecuteNonQueryAsync();
        }
        var alarms = Server.App.Services.GetRequiredService<AlarmService>();
        var alarm = Assert.Single(await alarms.ListAsync("open", "sl-old-02", null, 10));
        await alarms.AcknowledgeAsync(AcknowledgerName, alarm.Id);
    }

    public long Next() => ++_seq;

    public JsonObject Light(string node, long ts, int level, double watts, string[] faults, long? energyWh = null) => Records.Record(Next(), node, "telemetry", ts, new JsonObject
    {
        ["v"] = 1, ["type"] = "streetlight", ["ts"] = ts, ["boot"] = 17, ["seq"] = _seq, ["level"] = level, ["source"] = "schedule",
        ["watts"] = watts, ["volts"] = 230.1, ["energyWh"] = energyWh ?? 412873 + _seq, ["faults"] = new JsonArray(Array.ConvertAll(faults, f => (JsonNode?)f)),
    });

    public JsonObject Water(string node, long ts, int levelMm, string state, int? batteryMv)
    {
        var payload = new JsonObject
        {
            ["v"] = 1, ["type"] = "waterlevel", ["ts"] = ts, ["boot"] = 5, ["seq"] = Next(), ["levelMm"] = levelMm, ["levelTs"] = ts, ["state"] = state,
            ["riseMm"] = 40, ["rateAlarm"] = false, ["sensor"] = "ok", ["samples"] = 100, ["accepted"] = 99,
            ["rejected"] = new JsonObject { ["noEcho"] = 1, ["tooClose"] = 0, ["tooFar"] = 0, ["tooFew"] = 0, ["spike"] = 0, ["stuck"] = 0 },
            ["intervalS"] = 60, ["maxLevelMm"] = levelMm,
        };
        if (batteryMv is { } mv) payload["batteryMv"] = mv;
        return Records.Record(_seq, node, "telemetry", ts, payload);
    }

    /// <summary>Posts the records as the gateway; every one must be stored.</summary>
    public async Task PostAsync(params JsonObject[] records)
    {
        var (status, body) = await Server.PostBatchAsync(Gateway, Token, Records.Batch(Gateway, records));
        Assert.True(status == HttpStatusCode.OK, $"{status}: {body}");
        Assert.Contains("\"rejected\":[]", body);
    }

    public virtual async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class SqliteOpenDataSite : OpenDataSite
{
    protected override Task<IDictionary<string, string?>> StorageAsync() => Task.FromResult<IDictionary<string, string?>>(new Dictionary<string, string?>());
}

public sealed class PostgresOpenDataSite : OpenDataSite
{
    private TestPostgres? _database;

    protected override async Task<IDictionary<string, string?>> StorageAsync()
    {
        _database = await TestPostgres.CreateAsync();
        return new Dictionary<string, string?> { ["Storage:Provider"] = "Postgres", ["Storage:PostgresConnectionString"] = _database.ConnectionString };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }
}
