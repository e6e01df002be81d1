using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Edge.Firmware.Host.Configuration;
using Edge.Firmware.Host.Hosting;
using Edge.Firmware.Host.Provisioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Firmware.Host;

/// <summary>`edge-node --config node.json`: runs one or many Edge nodes on .NET against an MQTT broker.</summary>
public static class Program
{
    private const string Usage = """
        edge-node: runs Edge node firmware on .NET with virtual hardware against an MQTT broker.

        Usage:
          dotnet run --project firmware/Edge.Firmware.Host -- --config node.json [options]
          dotnet run --project firmware/Edge.Firmware.Host -- --record-dir <dir> --type <type> [--serial-pty <path>] [options]

        Options:
          --config <file>     node.json: one node (object), several (array) or {"nodes": [...]}
          --record-dir <dir>  instead of node.json, boot one node as a device does: from the provisioning record
                              "node" (node.bin) in <dir>, its storage (docs/provisioning.md)
          --type <type>       with --record-dir: streetlight, waterlevel or busstop (the app "flashed")
          --serial-pty <path> with --record-dir: make a pseudo-terminal, link <path> to it, and serve serial
                              provisioning (edge-prov/1) on it while the node has no usable record
          --boot-button       with --serial-pty: serve provisioning even when a record exists (boot button held)
          --tick-ms <ms>      real time between two control-loop ticks of every node (default 200, 10..5000)
          --log-level <level> trace, debug, information, warning, error (default information)
          --check             validate node.json, print the nodes and exit
          -h, --help          this text

        Examples of node.json for every node type are in firmware/Edge.Firmware.Host/examples/;
        docs/host-node.md says how to run a node against a local Mosquitto.
        Exit codes: 0 stopped normally, 1 stopped before a record was provisioned, 2 bad command line or node.json.
        """;

    public static int Main(string[] args)
    {
        if (!TryParse(args, out CommandLine? command, out string? error))
        {
            Console.Error.WriteLine("edge-node: " + error);
            Console.Error.WriteLine("Run with --help for usage.");
            return 2;
        }
        if (command!.Help)
        {
            Console.WriteLine(Usage);
            return 0;
        }

        IReadOnlyList<NodeSettings> nodes;
        if (command.RecordDir != null)
        {
            var record = BootFromRecord(command);
            if (record == null) return 1;
            nodes = new[] { RecordBoot.Settings(record, command.Type!, command.RecordDir) };
        }
        else
        {
            try
            {
                nodes = NodeConfigFile.Load(command.ConfigPath!);
            }
            catch (NodeConfigException e)
            {
                Console.Error.WriteLine("edge-node: " + e.Message);
                return 2;
            }
        }
        if (command.CheckOnly)
        {
            foreach (NodeSettings n in nodes)
                Console.WriteLine($"{n.NodeId} ({n.Type}) at site {n.Site} -> {n.Broker.Host}:{n.Broker.Port}{(n.Broker.Tls ? " TLS" : "")}, data in {n.DataDir}");
            return 0;
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = Array.Empty<string>() });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(command.LogLevel);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.Services.AddSingleton(Options.Create(new NodeHostOptions { Nodes = nodes, TickInterval = command.TickInterval }));
        builder.Services.AddSingleton<Func<IReadOnlyList<IHostedNode>>>(sp =>
            () => HostedNodeFactory.CreateAll(sp.GetRequiredService<IOptions<NodeHostOptions>>().Value.Nodes, sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddHostedService<NodeScheduler>();
        builder.Build().Run();
        return 0;
    }

    private static Edge.Firmware.Provisioning.ProvisioningRecord? BootFromRecord(CommandLine command)
    {
        using var stop = new System.Threading.CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        using var pty = command.SerialPty != null ? PseudoTerminal.Open(command.SerialPty) : null;
        if (pty != null) Console.WriteLine("edge-node: serial port " + pty.SlavePath + " (linked from " + pty.PeerPath + ")");
        return RecordBoot.Boot(command.RecordDir!, command.Type!, new NodeSettings().Firmware, pty, command.BootButton,
            line => Console.WriteLine("edge-node: " + line), stop.Token);
    }

    private sealed class CommandLine
    {
        public string? ConfigPath;
        public string? RecordDir;
        public string? Type;
        public string? SerialPty;
        public bool BootButton;
        public bool Help;
        public bool CheckOnly;
        public TimeSpan TickInterval = TimeSpan.FromMilliseconds(200);
        public LogLevel LogLevel = LogLevel.Information;
    }

    private static bool TryParse(string[] args, out CommandLine? command, out string? error)
    {
        var c = new CommandLine();
        command = null;
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string? Value()
            {
                if (i + 1 < args.Length) return args[++i];
                return null;
            }
            switch (a)
            {
                case "-h": case "--help": c.Help = true; break;
                case "--check": c.CheckOnly = true; break;
                case "--boot-button": c.BootButton = true; break;
                case "--record-dir":
                    c.RecordDir = Value();
                    if (c.RecordDir == null) { error = "--record-dir needs a directory"; return false; }
                    break;
                case "--serial-pty":
                    c.SerialPty = Value();
                    if (c.SerialPty == null) { error = "--serial-pty needs a path for the link"; return false; }
                    break;
                case "--type":
                    c.Type = Value();
                    if (c.Type is not ("streetlight" or "waterlevel" or "busstop")) { error = "--type needs streetlight, waterlevel or busstop, not '" + c.Type + "'"; return false; }
                    break;
                case "--config":
                    c.ConfigPath = Value();
                    if (c.ConfigPath == null) { error = "--config needs a file name"; return false; }
                    break;
                case "--tick-ms":
                    string? ms = Value();
                    if (!int.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out int tick) || tick < 10 || tick > 5000)
                    { error = "--tick-ms needs a whole number of milliseconds in 10..5000, not '" + ms + "'"; return false; }
                    c.TickInterval = TimeSpan.FromMilliseconds(tick);
                    break;
                case "--log-level":
                    string? level = Value();
                    if (!Enum.TryParse(level, ignoreCase: true, out LogLevel parsed) || parsed == LogLevel.None)
                    { error = "--log-level needs trace, debug, information, warning or error, not '" + level + "'"; return false; }
                    c.LogLevel = parsed;
                    break;
                default:
                    error = "unknown argument '" + a + "'";
                    return false;
            }
        }
        if (!c.Help && (c.ConfigPath == null) == (c.RecordDir == null)) { error = "give either --config node.json or --record-dir <dir>"; return false; }
        if (c.RecordDir != null && c.Type == null) { error = "--record-dir needs --type"; return false; }
        if (c.RecordDir == null && (c.SerialPty != null || c.BootButton || c.Type != null)) { error = "--type, --serial-pty and --boot-button go with --record-dir"; return false; }
        if (c.BootButton && c.SerialPty == null) { error = "--boot-button needs --serial-pty"; return false; }
        if (c.ConfigPath != null && !File.Exists(c.ConfigPath) && !c.Help) { error = "config file '" + c.ConfigPath + "' not found"; return false; }
        command = c;
        return true;
    }
}
