using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Edge.Sim.Demo;
using Microsoft.Extensions.Logging;

namespace Edge.Sim;

/// <summary>`edge-sim demo`: the whole Edge system in one process around Igoumenitsa.</summary>
public static class Program
{
    private const string Usage = """
        edge-sim: the Edge fleet simulator.

        Usage:
          dotnet run --project sim/Edge.Sim -- demo [options]
          dotnet run -c Release --project sim/Edge.Sim -- load --postgres <connection string> [options]
                                 (a scale run: thousands of virtual nodes through several gateways; load --help)

        demo: starts, in this process, the cloud (SQLite), one gateway (embedded MQTT broker, HTTPS uplink,
        desired-state downlink, local flood rules) and ~70 virtual nodes around Igoumenitsa: 60 street lights
        in 5 groups, 4 bus stops, 3 stream gauges (one runs a storm), and a transit agency serving a GTFS feed and
        GTFS-Realtime feeds on 127.0.0.1 that the cloud consumes for the stops' departures. The first run seeds users, the site,
        zones, groups, profiles, gauge and bus-stop settings and flood rules; later runs reuse the data
        directory. Runs until Ctrl+C.

        Options:
          --data-dir <dir>       where everything is kept (default .data/demo)
          --http-port <n>        cloud API port (default 5080)
          --gateway-port <n>     gateway /health and /metrics port (default 5081)
          --mqtt-port <n>        gateway MQTT broker port on 127.0.0.1 (default 1883)
          --agency-port <n>      demo transit agency (GTFS, GTFS-Realtime) port on 127.0.0.1 (default 5082)
          --speed <x>            node clock speed: 1 = real time, 60 = a minute per second (default 1)
          --start <instant>      where node clocks start, ISO 8601 (e.g. 2026-12-16T13:00:00Z); default now
          --log-level <level>    trace, debug, information, warning, error (default warning)
          -h, --help             this text

        Exit codes: 0 stopped normally, 1 failed to start, 2 wrong usage.
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.FirstOrDefault() == "load") return await LoadAsync(args[1..]);
        if (args.Length == 0 || args.Any(a => a is "-h" or "--help"))
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] != "demo")
        {
            Console.Error.WriteLine("edge-sim: unknown command '" + args[0] + "'. Run with --help for usage.");
            return 2;
        }
        if (!TryParse(args, out var options, out var error))
        {
            Console.Error.WriteLine("edge-sim: " + error);
            Console.Error.WriteLine("Run with --help for usage.");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });

        DemoSite site;
        try
        {
            Console.WriteLine("Starting the Edge demo site in " + Path.GetFullPath(options.DataDir) + " …");
            site = await DemoSite.StartAsync(options, IgoumenitsaFleet.Create(), stop.Token);
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine("edge-sim: the demo failed to start: " + e.Message);
            Console.Error.WriteLine("(Is another demo or broker using port " + options.HttpPort + ", " + options.GatewayHttpPort + ", " + options.MqttPort + " or " + options.AgencyPort + "? Use --http-port, --gateway-port, --mqtt-port, --agency-port.)");
            return 1;
        }
        await using (site)
        {
            PrintBanner(site);
            try { await Task.Delay(Timeout.Infinite, stop.Token); }
            catch (OperationCanceledException) { }
            Console.WriteLine("Stopping …");
        }
        Console.CancelKeyPress -= onCancel;
        Console.WriteLine("Stopped. Run the same command again to continue with the same data.");
        return 0;
    }

    /// <summary>`edge-sim load`: the scale run (<see cref="Load.LoadOptions.Usage"/>).</summary>
    private static async Task<int> LoadAsync(string[] args)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            Console.WriteLine(Load.LoadOptions.Usage);
            return 0;
        }
        var options = Load.LoadOptions.Parse(args, out var error);
        if (options is null)
        {
            Console.Error.WriteLine("edge-sim load: " + error);
            Console.Error.WriteLine("Run edge-sim load --help for usage.");
            return 2;
        }
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var report = await new Load.LoadRun(options, Console.Out).RunAsync(stop.Token);
            Load.LoadRun.Print(report, Console.Out);
            if (options.Out is { } file)
            {
                File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(report, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                Console.WriteLine("report: " + Path.GetFullPath(file));
            }
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine("edge-sim load: the run failed: " + e.Message);
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static void PrintBanner(DemoSite site)
    {
        var fleet = site.Fleet;
        int Count(string type) => fleet.Nodes.Count(n => n.Type == type);
        Console.WriteLine();
        Console.WriteLine(site.SeededNow ? "Seeded a new demo site." : "Reusing the demo site seeded earlier (delete the data directory to start over).");
        Console.WriteLine($"Site {fleet.Site}: {Count("streetlight")} street lights in {fleet.Groups.Count} groups, {Count("busstop")} bus stops, {Count("waterlevel")} stream gauges, gateway {fleet.Gateway}.");
        Console.WriteLine($"Node clocks run at {site.Options.Speed.ToString(CultureInfo.InvariantCulture)}× real time{(site.Options.ClockStart is { } start ? " from " + start.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC" : "")}. {IgoumenitsaFleet.StormGauge} runs a storm: flood warning after ~4 min (at 1×), then the gateway's rule puts a banner on bs-ladochori and the Ladochori lights to 100 %.");
        Console.WriteLine();
        Console.WriteLine("  Console            " + site.CloudUrl + "   (sign in as a demo user; public pages: " + site.CloudUrl + "flood, " + site.CloudUrl + "stops/bs-port)");
        Console.WriteLine("  Cloud API          " + site.CloudUrl + "api/v1/   (e.g. GET api/v1/nodes, api/v1/alarms)");
        Console.WriteLine("  API reference      " + site.CloudUrl + "api/docs");
        Console.WriteLine("  OpenAPI document   " + site.CloudUrl + "openapi/v1.json");
        Console.WriteLine("  Open data          " + site.CloudUrl + "opendata   (NGSI-LD entities, daily dumps, DCAT-AP catalogue; no sign-in)");
        Console.WriteLine("  Gateway health     " + site.GatewayUrl + "health");
        Console.WriteLine("  Gateway metrics    " + site.GatewayUrl + "metrics");
        Console.WriteLine("  MQTT broker        127.0.0.1:" + site.Options.MqttPort.ToString(CultureInfo.InvariantCulture) + " (per-node credentials)");
        Console.WriteLine("  Bus-stop frames    " + site.FramesDir + "/<stop>/latest.png");
        Console.WriteLine("  Transit agency     " + site.Agency.FeedUrl + " (GTFS), " + site.Agency.TripUpdatesUrl + ", …/vehicle-positions, …/alerts (GTFS-Realtime)");
        Console.WriteLine("  Departures         " + site.CloudUrl + "api/v1/nodes/bs-port/departures, feed status " + site.CloudUrl + "api/v1/transit/feeds");
        Console.WriteLine();
        Console.WriteLine("  Demo users (demo passwords — never use them on a real site):");
        foreach (var u in DemoUsers.All)
            Console.WriteLine($"    {u.Name,-11} {u.Password,-22} {u.Role}: {u.CanDo}");
        Console.WriteLine();
        Console.WriteLine("  Try:  curl -c jar -H 'content-type: application/json' -d '{\"name\":\"technician\",\"password\":\"technician-demo-pass\"}' " + site.CloudUrl + "api/v1/auth/login");
        Console.WriteLine("        curl -b jar '" + site.CloudUrl + "api/v1/alarms?status=active'");
        Console.WriteLine();
        Console.WriteLine(ReadyLine(site));
    }

    /// <summary>The one line that says the demo is up: where to go and how to log in.</summary>
    public static string ReadyLine(DemoSite site) =>
        "Ready: console " + site.CloudUrl + " · API " + site.CloudUrl + "api/v1/ · API docs " + site.CloudUrl + "api/docs"
        + " · log in as " + string.Join(", ", DemoUsers.All.Select(u => u.Name + "/" + u.Password)) + ". Ctrl+C stops.";

    private static bool TryParse(string[] args, out DemoOptions options, out string? error)
    {
        options = new DemoOptions();
        error = null;
        for (int i = 1; i < args.Length; i++)
        {
            string name = args[i];
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            i++;
            switch (name)
            {
                case "--data-dir":
                    if (string.IsNullOrWhiteSpace(value)) { error = "--data-dir needs a directory"; return false; }
                    options.DataDir = value;
                    break;
                case "--http-port":
                case "--gateway-port":
                case "--mqtt-port":
                case "--agency-port":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port < 1 || port > 65535)
                    { error = name + " needs a port number 1..65535, not '" + value + "'"; return false; }
                    if (name == "--http-port") options.HttpPort = port;
                    else if (name == "--gateway-port") options.GatewayHttpPort = port;
                    else if (name == "--mqtt-port") options.MqttPort = port;
                    else options.AgencyPort = port;
                    break;
                case "--speed":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double speed) || !(speed >= 0.1 && speed <= 3600))
                    { error = "--speed needs a number in 0.1..3600, not '" + value + "'"; return false; }
                    options.Speed = speed;
                    break;
                case "--start":
                    if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start))
                    { error = "--start needs an ISO 8601 instant such as 2026-12-16T13:00:00Z, not '" + value + "'"; return false; }
                    options.ClockStart = start;
                    break;
                case "--log-level":
                    if (!Enum.TryParse(value, ignoreCase: true, out LogLevel level) || level == LogLevel.None)
                    { error = "--log-level needs trace, debug, information, warning or error, not '" + value + "'"; return false; }
                    options.LogLevel = level;
                    break;
                default:
                    error = "unknown option '" + name + "'";
                    return false;
            }
        }
        if (new[] { options.HttpPort, options.GatewayHttpPort, options.MqttPort, options.AgencyPort }.Distinct().Count() != 4)
        {
            error = "--http-port, --gateway-port, --mqtt-port and --agency-port must differ";
            return false;
        }
        return true;
    }
}
