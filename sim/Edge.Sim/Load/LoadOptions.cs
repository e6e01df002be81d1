using System;
using System.Globalization;

namespace Edge.Sim.Load;

/// <summary>`edge-sim load` options (see <see cref="Usage"/>).</summary>
public sealed class LoadOptions
{
    public const string Usage = """
        edge-sim load: a scale run. Drives thousands of lightweight virtual nodes through several real gateways into
        the cloud on PostgreSQL, then reports ingest lag, command latency and CPU/memory per component.

        Usage:
          dotnet run -c Release --project sim/Edge.Sim -- load --postgres <connection string> [options]

        It creates a schema of its own on the server (dropped at the end unless --keep), seeds a site, the gateways
        and the nodes (each with its secret) through the cloud's services, then starts the cloud (Edge.Cloud.dll)
        and each gateway (Edge.Gateway.dll, embedded broker, HTTPS uplink) as their own processes on 127.0.0.1, so
        each one's CPU and memory is its own. The virtual nodes live in this process: one MQTT 3.1.1 client per
        node (not the firmware host), logged in with its id and secret, subscribed to its `cmd` topic, publishing
        its birth state and then street-light telemetry every --interval seconds (QoS 1) and acking each command.

        Measured over --minutes once every node is connected:
          ingest lag      publish (the virtual node) → the record readable in the cloud's `records` table,
                          for every telemetry message (polled every 200 ms: that is the resolution)
          command latency API call (POST /api/v1/nodes/{id}/commands, identify) → the command's `resultAtMs`
          resources       CPU (cores, from /proc/<pid>/stat) and resident memory of the cloud, each gateway,
                          this process (the virtual nodes) and the PostgreSQL server (its postmaster and
                          children, when `SHOW data_directory` and /proc let it be found)
          cloud pipeline  from the cloud's /metrics before and after: batches accepted and records a batch (the
                          gateways' uplink batch size), store time a batch, the record feed's transactions (a
                          batch each when it keeps up, fewer when it catches up in chunks) and node_state rows

        Options:
          --postgres <conn>        Npgsql connection string of a server where the user may create schemas (required;
                                   or EDGE_LOAD_POSTGRES)
          --nodes <n>              virtual nodes, spread evenly over the gateways (default 1000)
          --gateways <n>           gateway processes (default 2)
          --minutes <x>            measured duration (default 3; fractions allowed, e.g. 0.1)
          --interval <s>           telemetry period per node in seconds (default 10)
          --command-every <s>      one command to a random node every s seconds (default 2)
          --out <file>             write the report as JSON there too
          --keep                   keep the schema and the run directory
          -h, --help               this text

        Exit codes: 0 done, 1 the run failed, 2 wrong usage.
        """;

    public string Postgres { get; set; } = "";
    public int Nodes { get; set; } = 1000;
    public int Gateways { get; set; } = 2;
    public double Minutes { get; set; } = 3;
    public double IntervalS { get; set; } = 10;
    public double CommandEveryS { get; set; } = 2;
    public string? Out { get; set; }
    public bool Keep { get; set; }

    /// <summary>Parses the arguments after `load`; null with <paramref name="error"/> on wrong usage.</summary>
    public static LoadOptions? Parse(string[] args, out string? error)
    {
        var options = new LoadOptions { Postgres = Environment.GetEnvironmentVariable("EDGE_LOAD_POSTGRES") ?? "" };
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name == "--keep") { options.Keep = true; continue; }
            if (i + 1 >= args.Length) { error = name + " needs a value"; return null; }
            var value = args[++i];
            bool ok = true;
            switch (name)
            {
                case "--postgres": options.Postgres = value; break;
                case "--nodes": ok = int.TryParse(value, CultureInfo.InvariantCulture, out var nodes) && nodes > 0 && (options.Nodes = nodes) > 0; break;
                case "--gateways": ok = int.TryParse(value, CultureInfo.InvariantCulture, out var gateways) && gateways > 0 && (options.Gateways = gateways) > 0; break;
                case "--minutes": ok = double.TryParse(value, CultureInfo.InvariantCulture, out var minutes) && minutes > 0 && (options.Minutes = minutes) > 0; break;
                case "--interval": ok = double.TryParse(value, CultureInfo.InvariantCulture, out var interval) && interval >= 0.1 && (options.IntervalS = interval) > 0; break;
                case "--command-every": ok = double.TryParse(value, CultureInfo.InvariantCulture, out var every) && every >= 0.1 && (options.CommandEveryS = every) > 0; break;
                case "--out": options.Out = value; break;
                default: error = "unknown option " + name; return null;
            }
            if (!ok) { error = $"{name}: '{value}' is not a valid value"; return null; }
        }
        if (string.IsNullOrWhiteSpace(options.Postgres)) { error = "--postgres is required (or EDGE_LOAD_POSTGRES)"; return null; }
        if (options.Gateways > options.Nodes) { error = "--gateways must not exceed --nodes"; return null; }
        return options;
    }
}
