using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Transit;
using Edge.Firmware.Host.Configuration;
using Edge.Firmware.Host.Hosting;
using Edge.Gateway;
using Edge.Gateway.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Sim.Demo;

/// <summary>
/// The whole system in one process: a transit agency (GTFS and GTFS-Realtime over HTTP), the cloud (SQLite under
/// the data directory, consuming the agency's feeds), one gateway (embedded broker, HTTPS uplink to the cloud,
/// desired-state long poll, local rules) and the fleet's virtual nodes (the firmware
/// host build, real MQTT over loopback to the gateway's broker). `edge-sim demo` and the end-to-end tests both
/// start it; a second start on the same data directory reuses everything (no second seeding, nodes keep their
/// flash).
/// </summary>
public sealed class DemoSite : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILoggerFactory _nodeLoggers;
    private NodeScheduler? _scheduler;

    private DemoSite(DemoOptions options, FleetPlan fleet, DemoState state, string dataDir, ILoggerFactory nodeLoggers)
    {
        NodeTime = new NodeClockTime(options.Speed, options.ClockStart);
        Options = options;
        Fleet = fleet;
        State = state;
        DataDir = dataDir;
        _nodeLoggers = nodeLoggers;
    }

    public DemoOptions Options { get; }

    /// <summary>The node clocks' time (accelerated or shifted by --speed / --start; real time otherwise).</summary>
    public NodeClockTime NodeTime { get; }
    public FleetPlan Fleet { get; }
    public DemoState State { get; }

    /// <summary>Absolute data directory.</summary>
    public string DataDir { get; }

    /// <summary>True when this start seeded the site (first run on the data directory).</summary>
    public bool SeededNow { get; private set; }

    /// <summary>The demo's transit agency: GTFS and GTFS-Realtime over HTTP, consumed by the cloud as a real agency's.</summary>
    public Edge.Sim.Agency.AgencyServer Agency { get; private set; } = null!;

    public WebApplication Cloud { get; private set; } = null!;
    public WebApplication Gateway { get; private set; } = null!;

    /// <summary>The running virtual nodes by id (their lamps, water surfaces and panels can be changed live).</summary>
    public IReadOnlyDictionary<string, RuntimeHostedNode> Nodes { get; private set; } = new Dictionary<string, RuntimeHostedNode>();

    public string CloudUrl => "http://127.0.0.1:" + Options.HttpPort.ToString(CultureInfo.InvariantCulture) + "/";
    public string GatewayUrl => "http://127.0.0.1:" + Options.GatewayHttpPort.ToString(CultureInfo.InvariantCulture) + "/";
    public string FramesDir => Path.Combine(DataDir, "frames");

    public static async Task<DemoSite> StartAsync(DemoOptions options, FleetPlan fleet, CancellationToken ct = default)
    {
        string dataDir = Path.GetFullPath(options.DataDir);
        Directory.CreateDirectory(dataDir);
        var state = DemoState.LoadOrCreate(dataDir);
        state.Save(dataDir); // the gateway token must survive even if this first start is interrupted
        var loggers = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(options.LogLevel));
        var site = new DemoSite(options, fleet, state, dataDir, loggers);
        try
        {
            site.Agency = await Edge.Sim.Agency.AgencyServer.StartAsync(options.AgencyPort, loggers, ct);
            await site.StartCloudAsync(ct);
            // The feed is in before seeding, so the bus stops can be linked to its stops (the cloud's own daily
            // fetch runs too; the fetcher does one at a time and does not import the same zip twice).
            await site.Cloud.Services.GetRequiredService<FeedFetcher>().FetchOnceAsync(ct);
            if (!state.Seeded)
            {
                await DemoSeeder.SeedAsync(site.Cloud.Services, fleet, state, ct);
                state.Seeded = true;
                state.Save(dataDir);
                site.SeededNow = true;
            }
            await DemoSeeder.LinkBusStopsAsync(site.Cloud.Services, fleet, ct);
            await site.StartGatewayAsync(ct);
            await site.WaitForCredentialsAsync(TimeSpan.FromSeconds(60), ct);
            await site.StartNodesAsync(ct);
            return site;
        }
        catch
        {
            await site.DisposeAsync();
            throw;
        }
    }

    private string Level => Options.LogLevel.ToString();

    private async Task StartCloudAsync(CancellationToken ct)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Sqlite",
            ["Storage:DataDirectory"] = Path.Combine(DataDir, "cloud"),
            ["Gateways:Seed:0:Id"] = Fleet.Gateway,
            ["Gateways:Seed:0:Name"] = Fleet.SiteName + " gateway 1",
            ["Gateways:Seed:0:Token"] = State.GatewayToken,
            ["Logging:LogLevel:Default"] = Level,
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            // The cloud consumes the demo agency exactly as it would a real one's feeds.
            ["Transit:Feed:Url"] = Agency.FeedUrl,
            ["Transit:Realtime:TripUpdatesUrl"] = Agency.TripUpdatesUrl,
            ["Transit:Realtime:VehiclePositionsUrl"] = Agency.VehiclePositionsUrl,
            ["Transit:Realtime:ServiceAlertsUrl"] = Agency.AlertsUrl,
            ["Transit:Realtime:IntervalSeconds"] = Options.RealtimeIntervalSeconds.ToString(CultureInfo.InvariantCulture),
        };
        for (int i = 0; i < DemoUsers.All.Count; i++)
        {
            var user = DemoUsers.All[i];
            settings["Users:Seed:" + i + ":Name"] = user.Name;
            settings["Users:Seed:" + i + ":Role"] = user.Role;
            settings["Users:Seed:" + i + ":Password"] = user.Password;
        }
        // The cloud with its console (cloud/Edge.Cloud.Web): API and pages on one port.
        Cloud = Edge.Cloud.Web.Hosting.ConsoleHost.Create(Array.Empty<string>(), builder =>
        {
            builder.WebHost.UseUrls(CloudUrl.TrimEnd('/'));
            builder.Configuration.AddInMemoryCollection(settings);
            // Commands are written and expire in the nodes' time (simulated at --speed / --start).
            builder.Services.AddSingleton(new Edge.Cloud.Commands.NodeClock(NodeTime));
        });
        await Cloud.StartAsync(ct);
    }

    private async Task StartGatewayAsync(CancellationToken ct)
    {
        var args = new Dictionary<string, string>
        {
            ["Gateway:DataDir"] = Path.Combine(DataDir, "gateway"),
            ["Gateway:Broker:Port"] = Options.MqttPort.ToString(CultureInfo.InvariantCulture),
            ["Gateway:Broker:BindAddress"] = "127.0.0.1",
            ["Gateway:Http:Port"] = Options.GatewayHttpPort.ToString(CultureInfo.InvariantCulture),
            // Loopback, like the broker and the cloud: the banner's 127.0.0.1 URLs are the whole truth.
            ["Gateway:Http:BindAddress"] = "127.0.0.1",
            // A desk demo: a process kill is the failure to survive, not a power cut.
            ["Gateway:Outbox:Synchronous"] = "NORMAL",
            ["Gateway:Uplink:Kind"] = "https",
            ["Gateway:Uplink:BaseUrl"] = CloudUrl,
            ["Gateway:Uplink:GatewayId"] = Fleet.Gateway,
            ["Gateway:Uplink:Token"] = State.GatewayToken,
            ["Gateway:Downlink:DefaultSite"] = Fleet.Site,
            // No relay board on a desk: the rules' siren action is off rather than reported unavailable.
            ["Gateway:Rules:SirenDriver"] = "none",
            ["Logging:LogLevel:Default"] = Level,
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        };
        Gateway = GatewayHost.Build(args.Select(kv => "--" + kv.Key + "=" + kv.Value).ToArray(),
            builder => builder.Services.AddSingleton(new Edge.Gateway.Downlink.NodeTime(NodeTime)));
        await Gateway.StartAsync(ct);
    }

    /// <summary>The gateway learns node credentials from the cloud's downlink; nodes connect once it knows them.</summary>
    private async Task WaitForCredentialsAsync(TimeSpan limit, CancellationToken ct)
    {
        var registry = Gateway.Services.GetRequiredService<NodeRegistry>();
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (Fleet.Nodes.All(n => registry.Find(n.Id) is not null)) return;
            await Task.Delay(200, ct);
        }
        var missing = Fleet.Nodes.Where(n => registry.Find(n.Id) is null).Select(n => n.Id).ToList();
        _nodeLoggers.CreateLogger("Edge.Sim").LogWarning(
            "the gateway has not learnt {Count} node(s) from the cloud after {Seconds} s ({First}…); starting the nodes anyway, they retry",
            missing.Count, limit.TotalSeconds, missing[0]);
    }

    private async Task StartNodesAsync(CancellationToken ct)
    {
        NodeTime.Run();
        var settings = Fleet.Nodes.Select(NodeSettingsFor).ToList();
        var nodes = HostedNodeFactory.CreateAll(settings, _nodeLoggers).Cast<RuntimeHostedNode>().ToList();
        Nodes = nodes.ToDictionary(n => n.NodeId, StringComparer.Ordinal);
        var hostOptions = Microsoft.Extensions.Options.Options.Create(new NodeHostOptions { Nodes = settings, TickInterval = Options.TickInterval });
        _scheduler = new NodeScheduler(hostOptions, () => nodes, _nodeLoggers.CreateLogger<NodeScheduler>());
        await _scheduler.StartAsync(ct);
    }

    private NodeSettings NodeSettingsFor(NodePlan plan)
    {
        if (!State.NodeSecrets.TryGetValue(plan.Id, out var secret))
            throw new InvalidOperationException("no secret for node " + plan.Id + " in " + DemoState.PathIn(DataDir) + " (delete the data directory to seed again)");
        var nodeDir = Path.Combine(DataDir, "nodes", plan.Id);
        var settings = new NodeSettings
        {
            NodeId = plan.Id,
            Site = Fleet.Site,
            Type = plan.Type,
            Secret = secret,
            Broker = new BrokerSettings { Host = "127.0.0.1", Port = Options.MqttPort },
            DataDir = nodeDir,
            Hardware = "host-" + plan.Type,
            Latitude = plan.Lat,
            Longitude = plan.Lon,
            // A simulated clock starts on the site's node time, so every node, the gateway's command times and the feed agree.
            Clock = new ClockSettings { Speed = Options.Speed, Start = NodeTime.Simulated ? NodeTime.GetUtcNow().ToUnixTimeSeconds() : null },
        };
        switch (plan.Type)
        {
            case "streetlight":
                settings.Lamp = new LampSettings { RatedWatts = plan.RatedWatts, Mode = plan.LampMode };
                break;
            case "waterlevel":
                settings.Water = new WaterSettings
                {
                    MountMm = DemoDocuments.GaugeMountMm,
                    Scenario = plan.WaterCurve is null ? plan.Scenario ?? "calm" : null,
                    Curve = plan.WaterCurve ?? Edge.Firmware.Host.Hardware.WaterSurface.Scenario(plan.Scenario ?? "calm")!,
                };
                break;
            case "busstop":
                settings.Display = new DisplaySettingsHost { Panel = "epd-7in5", Width = 800, Height = 480, FramesDir = Path.Combine(FramesDir, plan.Id), KeepFrames = 5 };
                break;
        }
        return settings;
    }

    /// <summary>Clean shutdown: nodes first (their wills tell the gateway), then the gateway (its outbox drains later), then the cloud.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        // A safety net, not a wait: nothing here needs long (the cloud answers waiting long polls at once when it
        // stops). Cutting a stage short loses nothing: the gateway outbox is durable and resent on the next start,
        // and the cloud's stores are transactional (an interrupted batch is rolled back and retried by the gateway).
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        if (_scheduler is not null)
        {
            await _scheduler.StopAsync(limit.Token);
            _scheduler.Dispose();
        }
        if (Gateway is not null)
        {
            try { await Gateway.StopAsync(limit.Token); } catch (OperationCanceledException) { }
            await Gateway.DisposeAsync();
        }
        if (Cloud is not null)
        {
            try { await Cloud.StopAsync(limit.Token); } catch (OperationCanceledException) { }
            await Cloud.DisposeAsync();
        }
        if (Agency is not null) await Agency.DisposeAsync();
        _nodeLoggers.Dispose();
        _stopping.Dispose();
    }
}
