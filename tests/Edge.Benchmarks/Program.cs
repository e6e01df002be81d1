using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Benchmarks;

/// <summary>
/// N QoS 1 publishers (MQTTnet clients, K messages in flight each) at (1) the Edge gateway started as its own process
/// with the durable outbox on (synchronous=FULL), and (2) Mosquitto as a site would run it next to the gateway:
/// persistence on, the password file and ACL the gateway exports (<c>--export-mosquitto</c>) for the same nodes,
/// anonymous clients refused, and the gateway's account subscribed to <c>edge/#</c> at QoS 1 with a persistent
/// session. Prints messages/s, publish-to-PUBACK latency p50/p99 and the broker process's CPU time per 1,000
/// messages (user + system, from /proc) for both.
/// </summary>
public static class Program
{
    /// <param name="Warmup">Uncounted passes of the same load against each target, in the process that is then timed
    /// (<c>--warmup</c>, default 1). A gateway runs for days: its JIT (tier-0 code, then the tier-1 recompiles of the hot
    /// paths) was paid long ago, but a process started for each round pays it inside the timed window.</param>
    internal sealed record Settings(int Publishers, int MessagesPerPublisher, int InFlight, string Synchronous, int Warmup = 1);

    /// <summary>A second gateway measured in the same rounds (<c>--compare-dir</c>, <c>--compare-env</c>): another build
    /// (a directory holding its Edge.Gateway.dll, e.g. one built from main) and/or runtime settings, to measure one change
    /// against the same baseline under the same load.</summary>
    internal sealed record Variant(string Label, string GatewayDirectory, IReadOnlyDictionary<string, string> Environment);

    sealed record Result(string Target, int Publishers, int InFlight, long Messages, double Seconds, double MessagesPerSecond, double P50Ms, double P99Ms, double MaxMs)
    {
        /// <summary>CPU seconds of the broker process (the gateway, or Mosquitto) from the first publish until every message was handled.</summary>
        public double CpuSeconds { get; set; }

        public double CpuMsPer1000 => Math.Round(CpuSeconds * 1000 / Messages * 1000, 1);

        /// <summary>Methods the gateway's JIT compiled (or recompiled at a higher tier) inside the timed window, and the
        /// time it spent on them (the runtime's dotnet_jit_* counters on /metrics); null for Mosquitto.</summary>
        public long? JitMethods { get; set; }

        public double? JitMs { get; set; }

        /// <summary>The messages an outbox commit took on average in the timed window (group commit's batch); null for
        /// Mosquitto and for gateway builds without the histogram.</summary>
        public double? MessagesPerCommit { get; set; }

        /// <summary>The JIT's time against the process's CPU time in the window. The runtime counts the elapsed time of
        /// each compilation, so on a loaded machine it includes time the compiling thread waited for a core: an upper
        /// bound of the JIT's CPU, and only a rough share (the cold/warm CPU per message is the firmer figure).</summary>
        public double? JitShareOfCpu => JitMs is { } ms && CpuSeconds > 0 ? Math.Round(ms / (CpuSeconds * 1000), 3) : null;

        /// <summary>Bytes the broker process sent to storage over the same span (/proc/&lt;pid&gt;/io write_bytes).</summary>
        public long DiskBytes { get; set; }

        public double DiskKbPerMessage => Math.Round(DiskBytes / 1024.0 / Messages, 2);
    }

    /// <summary>The nodes both targets serve: a gateway data directory with them provisioned (copied for each gateway
    /// round), their secrets, and the Mosquitto password and ACL files the gateway exported for them.</summary>
    internal sealed record Fleet(string Directory, string GatewayData, string MosquittoFiles, List<(string Id, string Secret)> Credentials);

    const string GatewayAccountPassword = "bench-gateway-account-secret";

    public static async Task<int> Main(string[] args)
    {
        if (args.FirstOrDefault() == "idle")
        {
            if (args.Contains("--help"))
            {
                Console.WriteLine("Edge.Benchmarks idle [--nodes N=5000, at least 1000 (1,000 → N is then 0)] [--rounds R=1] [--step S=1000: nodes between readings of the warm gateway] [--only \"a setting's name (exactly that one) or part of names (all containing it), several split by |\"] [--gcdump DIR: heap dumps per stage, dotnet-gcdump on the PATH] [--gateway-dir DIR: also another build of the gateway, e.g. published with ReadyToRun] [--out results.json] [--load \"...\"]");
                return 0;
            }
            return await IdleMemory.RunAsync(args[1..]);
        }
        if (args.FirstOrDefault() == "commands")
        {
            if (args.Contains("--help"))
            {
                Console.WriteLine("Edge.Benchmarks commands [--commands N=40 per round and mode] [--rounds R=2] [--ingest records/s=500] [--out results.json] [--load \"...\"]");
                return 0;
            }
            return await CommandLatency.RunAsync(args[1..]);
        }
        if (args.Contains("--help"))
        {
            Console.WriteLine("Edge.Benchmarks commands --help: command latency, API call → acked (demo fleet, background ingest)");
            Console.WriteLine("Edge.Benchmarks idle --help: gateway memory per idle connected node, per GC setting, with Mosquitto as the baseline (--only mosquitto)");
            Console.WriteLine("Edge.Benchmarks [--publishers N=50] [--messages M=2000 per publisher] [--inflight K=4] [--synchronous FULL|NORMAL]");
            Console.WriteLine("                [--warmup W=1: uncounted passes of the same load against each target before the timed one, in the same process]");
            Console.WriteLine("                [--rounds R=5] [--out results.json] [--load \"what else runs on the machine\"]");
            Console.WriteLine("                [--compare-dir DIR_WITH_Edge.Gateway.dll] [--compare-env K=V[,K=V...]]: a second gateway in the same rounds");
            Console.WriteLine("                [--runtimeconfig-defaults]: the gateway without deploy/edge-gateway.service's Environment= lines (by default it runs with them, as shipped)");
            return 0;
        }
        var settings = new Settings(Arg(args, "--publishers", 50), Arg(args, "--messages", 2000), Arg(args, "--inflight", 4),
            Spread.Option(args, "--synchronous") ?? "FULL", Math.Max(0, Arg(args, "--warmup", 1)));
        var rounds = Math.Max(1, Arg(args, "--rounds", 5));
        var before = Spread.Machine(Spread.Option(args, "--load"));
        Console.WriteLine($"# {before["utc"]}, {before["cores"]} cores ({before["cpu"]}), {before["os"]}, load {before["loadavg"]}; {before["note"]}");
        Console.WriteLine($"# {settings.Publishers} publishers × {settings.MessagesPerPublisher} QoS 1 messages, {settings.InFlight} in flight each; {rounds} rounds, A/B order alternating; " +
                          $"{settings.Warmup} uncounted warm-up pass(es) of the same load before each timed one");

        // The gateway runs as the systemd unit runs it: with its Environment= lines (GC settings), unless asked for the
        // runtimeconfig's defaults. A compared variant starts from the same and adds its own.
        var shipped = args.Contains("--runtimeconfig-defaults") ? new Dictionary<string, string>() : GatewayUnit.Environment();
        Console.WriteLine($"# gateway environment: {(shipped.Count == 0 ? "the runtimeconfig's defaults (--runtimeconfig-defaults)" : string.Join(", ", shipped.Select(e => e.Key + "=" + e.Value)) + " (deploy/edge-gateway.service)")}");
        var variant = CompareVariant(args, shipped);
        var fleet = await PrepareFleetAsync(settings);
        var gateway = new List<Result>();
        var mosquitto = new List<Result>();
        var compared = new List<Result>();
        var thisGateway = new Variant("", AppContext.BaseDirectory, shipped);
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                // Alternate which target goes first, so a drift in the machine's load does not favour one of them.
                var order = new List<Func<Task>> { async () => gateway.Add(await RunGatewayAsync(settings, fleet, thisGateway)), async () => mosquitto.Add(await RunMosquittoAsync(settings, fleet)) };
                if (variant is not null) order.Add(async () => compared.Add(await RunGatewayAsync(settings, fleet, variant)));
                for (var i = 0; i < order.Count; i++) await order[(i + round) % order.Count]();
                Console.WriteLine($"round {round + 1}: gateway {gateway[^1].MessagesPerSecond:F0} msg/s ({gateway[^1].CpuMsPer1000:F0} ms CPU per 1,000, {gateway[^1].DiskKbPerMessage:F2} KB disk per message, {Jit(gateway[^1])}), " +
                                  $"mosquitto {mosquitto[^1].MessagesPerSecond:F0} msg/s ({mosquitto[^1].CpuMsPer1000:F0} ms CPU per 1,000, {mosquitto[^1].DiskKbPerMessage:F2} KB)" +
                                  (variant is null ? "" : $", {variant.Label} {compared[^1].MessagesPerSecond:F0} msg/s ({compared[^1].CpuMsPer1000:F0} ms CPU per 1,000, {compared[^1].DiskKbPerMessage:F2} KB, {Jit(compared[^1])})"));
            }
        }
        finally
        {
            Directory.Delete(fleet.Directory, recursive: true);
        }
        Console.WriteLine("median [min–max] over the rounds:");
        var summary = new Dictionary<string, object>();
        foreach (var (name, results) in new[] { ("gateway", gateway), ("mosquitto", mosquitto), ("compared", compared) })
        {
            if (results.Count == 0) continue;
            var rate = Spread.Of(results.Select(r => r.MessagesPerSecond));
            var p50 = Spread.Of(results.Select(r => r.P50Ms));
            var p99 = Spread.Of(results.Select(r => r.P99Ms));
            var cpu = Spread.Of(results.Select(r => r.CpuMsPer1000));
            var disk = Spread.Of(results.Select(r => r.DiskKbPerMessage));
            var jit = results.All(r => r.JitMs is not null)
                ? $"   JIT in the timed window {Spread.Of(results.Select(r => (double)r.JitMethods!.Value)).Text("F0")} methods, {Spread.Of(results.Select(r => r.JitMs!.Value)).Text("F0")} ms elapsed = {Spread.Of(results.Select(r => r.JitShareOfCpu ?? 0)).Text("P0")} of its CPU time"
                : "";
            var perCommit = results.All(r => r.MessagesPerCommit is not null) ? Spread.Of(results.Select(r => r.MessagesPerCommit!.Value)) : null;
            if (perCommit is not null) jit += $"   {perCommit.Text("F1")} messages per outbox commit";
            Console.WriteLine($"{results[0].Target,-40} {rate.Text("F0")} msg/s   p50 {p50.Text("F2")} ms   p99 {p99.Text("F2")} ms   CPU {cpu.Text("F0")} ms per 1,000 messages   disk {disk.Text("F2")} KB per message{jit}");
            summary[name] = new { messagesPerSecond = rate, p50Ms = p50, p99Ms = p99, cpuMsPer1000Messages = cpu, diskKbPerMessage = disk, messagesPerCommit = perCommit };
        }
        var ratio = Spread.Of(gateway.Zip(mosquitto, (g, m) => g.MessagesPerSecond / m.MessagesPerSecond));
        Console.WriteLine($"gateway / mosquitto rate (per round): {ratio.Text("P0")}");
        summary["gatewayToMosquittoRate"] = ratio;
        // Rounds too short for Mosquitto to use one clock tick (10 ms) of CPU have no ratio.
        var cpuRatios = gateway.Zip(mosquitto, (g, m) => (g, m)).Where(p => p.m.CpuSeconds > 0).Select(p => p.g.CpuSeconds / p.g.Messages / (p.m.CpuSeconds / p.m.Messages)).ToList();
        if (cpuRatios.Count > 0)
        {
            var cpuRatio = Spread.Of(cpuRatios);
            Console.WriteLine($"gateway / mosquitto CPU per message (per round): {cpuRatio.Text("F2")}×");
            summary["gatewayToMosquittoCpuPerMessage"] = cpuRatio;
        }
        if (variant is not null)
        {
            var versus = Spread.Of(compared.Zip(gateway, (v, g) => v.MessagesPerSecond / g.MessagesPerSecond));
            var cpuVersus = Spread.Of(compared.Zip(gateway, (v, g) => v.CpuSeconds / v.Messages / (g.CpuSeconds / g.Messages)));
            var toMosquitto = Spread.Of(compared.Zip(mosquitto, (v, m) => v.MessagesPerSecond / m.MessagesPerSecond));
            Console.WriteLine($"{variant.Label} / gateway rate (per round): {versus.Text("P0")}; CPU per message {cpuVersus.Text("F2")}×; {variant.Label} / mosquitto rate: {toMosquitto.Text("P0")}");
            summary["comparedToGatewayRate"] = versus;
            summary["comparedToGatewayCpuPerMessage"] = cpuVersus;
            summary["comparedToMosquittoRate"] = toMosquitto;
        }
        var path = Spread.Write("gateway-vs-mosquitto", new
        {
            what = "MQTT publish to PUBACK, end to end over loopback: gateway process (durable outbox) vs Mosquitto (persistence, exported password file and ACL, the gateway's account subscribed at QoS 1)",
            settings, rounds, machineBefore = before, machineAfter = Spread.Machine(null), summary, gateway, mosquitto,
            compared = variant is null ? null : new { variant.Label, variant.GatewayDirectory, variant.Environment, results = compared },
        }, Spread.Option(args, "--out"));
        Console.WriteLine($"raw results: {path}");
        return 0;
    }

    /// <summary>Provisions the nodes once through a gateway's API and has it export Mosquitto's files for them.</summary>
    internal static async Task<Fleet> PrepareFleetAsync(Settings settings)
    {
        var dir = Path.Combine(Path.GetTempPath(), "edge-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var data = Path.Combine(dir, "gateway");
        var files = Path.Combine(dir, "mosquitto-files");
        Directory.CreateDirectory(data);
        var httpPort = FreePort();
        var credentials = new List<(string Id, string Secret)>();
        using (var process = StartGateway(data, FreePort(), httpPort, settings.Synchronous))
        {
            using var http = new HttpClient();
            await WaitAsync(async () => { try { return (await http.GetAsync($"http://127.0.0.1:{httpPort}/health")).IsSuccessStatusCode; } catch (HttpRequestException) { return false; } });
            for (var i = 0; i < settings.Publishers; i++)
            {
                var id = $"sl-{i:0000}";
                var response = await http.PostAsJsonAsync($"http://127.0.0.1:{httpPort}/api/nodes", new { nodeId = id, site = "bench", type = "streetlight" });
                response.EnsureSuccessStatusCode();
                var body = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();
                credentials.Add((id, body!["secret"]));
            }
            process.Kill();
            process.WaitForExit();
        }
        using (var export = StartProcess("dotnet", Path.Combine(AppContext.BaseDirectory, "Edge.Gateway.dll"), "--data-dir", data, "--export-mosquitto", files,
                   "--Gateway:Broker:External:Password=" + GatewayAccountPassword, "--Logging:LogLevel:Default=Warning"))
        {
            await export.WaitForExitAsync();
            if (export.ExitCode != 0) throw new InvalidOperationException($"--export-mosquitto exited with {export.ExitCode}");
        }
        return new Fleet(dir, data, files, credentials);
    }

    /// <summary>The gateway to compare with, from <c>--compare-dir DIR</c> and <c>--compare-env K=V[,K=V…]</c>; null without either.</summary>
    static Variant? CompareVariant(string[] args, IReadOnlyDictionary<string, string> shipped)
    {
        var directory = Spread.Option(args, "--compare-dir");
        var environment = Spread.Option(args, "--compare-env");
        if (directory is null && environment is null) return null;
        var variables = new Dictionary<string, string>(shipped);
        foreach (var pair in (environment ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(pair => pair.Split('=', 2)))
            variables[pair[0]] = pair.Length > 1 ? pair[1] : "";
        var label = string.Join(" ", new[] { directory is null ? null : "build " + directory, environment }.Where(p => p is not null));
        return new Variant(label, Path.GetFullPath(directory ?? AppContext.BaseDirectory), variables);
    }

    internal static Process StartGateway(string dataDir, int mqttPort, int httpPort, string synchronous, IReadOnlyDictionary<string, string>? environment = null, string? gatewayDirectory = null) =>
        StartProcess(environment, "dotnet", Path.Combine(gatewayDirectory ?? AppContext.BaseDirectory, "Edge.Gateway.dll"), "--data-dir", dataDir, "--port", mqttPort.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1", "--http-port", httpPort.ToString(CultureInfo.InvariantCulture), "--synchronous", synchronous, "--Logging:LogLevel:Default=Warning");

    static Process StartProcess(string file, params string[] args) => StartProcess(null, file, args);

    static async Task<Result> RunGatewayAsync(Settings settings, Fleet fleet, Variant variant)
    {
        // Named for the arm, so `ps` (and a profiler attaching by pid) tells the compared gateway from the shipped one.
        var dataDir = Path.Combine(fleet.Directory, (variant.Label.Length > 0 ? "gateway-compared-" : "gateway-") + Guid.NewGuid().ToString("N")[..8]);
        CopyDirectory(fleet.GatewayData, dataDir); // the provisioned registry, an empty outbox
        var mqttPort = FreePort();
        var httpPort = FreePort();
        // The command line outranks the environment in the gateway's configuration: a variant's synchronous goes there.
        var synchronous = variant.Environment.TryGetValue("Gateway__Outbox__Synchronous", out var own) ? own : settings.Synchronous;
        using var process = StartGateway(dataDir, mqttPort, httpPort, synchronous, variant.Environment, variant.GatewayDirectory);
        try
        {
            using var http = new HttpClient();
            await WaitAsync(async () => { try { return (await http.GetAsync($"http://127.0.0.1:{httpPort}/health")).IsSuccessStatusCode; } catch (HttpRequestException) { return false; } });
            var target = $"gateway (durable, {synchronous}){(variant.Label.Length > 0 ? ", " + variant.Label : "")}";
            // The first scrape compiles the exporter: outside the window, so the readings around it measure the load only.
            var before = await ScrapeAsync(http, httpPort);
            var after = before;
            await WarmUpAsync(target, settings, mqttPort, fleet.Credentials);
            var (cpuStart, cpuEnd) = (0.0, 0.0);
            var (diskStart, diskEnd) = (0L, 0L);
            var result = await DriveAsync(target, settings, mqttPort, fleet.Credentials, settings.Warmup * settings.MessagesPerPublisher,
                async () =>
                {
                    before = await ScrapeAsync(http, httpPort); // read before the CPU, so the scrape's own CPU is not counted
                    (cpuStart, diskStart) = (CpuSeconds(process.Id), DiskBytes(process.Id));
                },
                // Each PUBACK follows the outbox commit: at the last one the gateway's work for the run is done (the
                // publishers' disconnects that follow are not part of it).
                async () =>
                {
                    (cpuEnd, diskEnd) = (CpuSeconds(process.Id), DiskBytes(process.Id));
                    after = await ScrapeAsync(http, httpPort);
                });
            (result.CpuSeconds, result.DiskBytes) = (cpuEnd - cpuStart, diskEnd - diskStart);
            (result.JitMethods, result.JitMs) = (after.JitMethods - before.JitMethods, Math.Round(after.JitMs - before.JitMs, 1));
            if (after.Commits - before.Commits is > 0 and var commits) result.MessagesPerCommit = Math.Round((after.CommitMessages!.Value - before.CommitMessages!.Value) / commits, 1);
            // The outbox must hold exactly what was acknowledged (the warm-up's messages too: no uplink drains it).
            var depth = MetricLine((await http.GetStringAsync($"http://127.0.0.1:{httpPort}/metrics")).Split('\n'), "edge_gateway_outbox_depth");
            Console.WriteLine($"# gateway {depth} (expected {result.Messages * (settings.Warmup + 1)})");
            return result;
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>
    /// Mosquitto as a site would run it next to the gateway: persistence on, the password file and ACL the gateway
    /// exported for the fleet, listening on <paramref name="port"/>, its files in <paramref name="dir"/>.
    /// </summary>
    internal static Process StartMosquitto(Fleet fleet, string dir, int port)
    {
        var config = Path.Combine(dir, "mosquitto.conf");
        File.WriteAllText(config, $"""
            listener {port} 127.0.0.1
            allow_anonymous false
            password_file {Path.Combine(fleet.MosquittoFiles, "edge.passwd")}
            acl_file {Path.Combine(fleet.MosquittoFiles, "edge.acl")}
            persistence true
            persistence_location {dir}/
            max_inflight_messages 0
            max_queued_messages 0
            log_type error
            user {Environment.UserName}

            """);
        // `user`: started as root, Mosquitto would switch to its own user, which may not read the exported files (mode 600).
        return StartProcess("mosquitto", "-c", config);
    }

    static async Task<Result> RunMosquittoAsync(Settings settings, Fleet fleet)
    {
        var dir = Path.Combine(fleet.Directory, "mosquitto-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var port = FreePort();
        using var process = StartMosquitto(fleet, dir, port);
        try
        {
            // The gateway's own account, as in external-broker mode: a persistent session subscribed to edge/# at QoS 1.
            var subscriber = new MqttClientFactory().CreateMqttClient();
            long received = 0;
            subscriber.ApplicationMessageReceivedAsync += _ => { Interlocked.Increment(ref received); return Task.CompletedTask; };
            await WaitAsync(async () =>
            {
                try
                {
                    var connect = await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V311)
                        .WithClientId("edge-gateway").WithCleanSession(false).WithCredentials("edge-gateway", GatewayAccountPassword).Build());
                    return connect.ResultCode == MqttClientConnectResultCode.Success;
                }
                catch (Exception) { return false; }
            });
            await subscriber.SubscribeAsync("edge/#", MqttQualityOfServiceLevel.AtLeastOnce);
            const string target = "mosquitto (persistence, passwd + ACL)";
            var warmupMessages = (long)settings.Warmup * settings.Publishers * settings.MessagesPerPublisher;
            await WarmUpAsync(target, settings, port, fleet.Credentials);
            await WaitAsync(() => Task.FromResult(Interlocked.Read(ref received) >= warmupMessages));
            var (cpuStart, cpuEnd) = (0.0, 0.0);
            var (diskStart, diskEnd) = (0L, 0L);
            var total = warmupMessages + (long)settings.Publishers * settings.MessagesPerPublisher;
            var result = await DriveAsync(target, settings, port, fleet.Credentials, settings.Warmup * settings.MessagesPerPublisher,
                () =>
                {
                    (cpuStart, diskStart) = (CpuSeconds(process.Id), DiskBytes(process.Id));
                    return Task.CompletedTask;
                },
                // Counted once every message has also reached the subscriber: Mosquitto's work for the run is done.
                async () =>
                {
                    await WaitAsync(() => Task.FromResult(Interlocked.Read(ref received) >= total));
                    (cpuEnd, diskEnd) = (CpuSeconds(process.Id), DiskBytes(process.Id));
                });
            (result.CpuSeconds, result.DiskBytes) = (cpuEnd - cpuStart, diskEnd - diskStart);
            Console.WriteLine($"# mosquitto subscriber received {Interlocked.Read(ref received)}");
            subscriber.Dispose();
            return result;
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Bytes a process caused to be written to storage so far (/proc/&lt;pid&gt;/io write_bytes: its WAL and fsyncs, not its sockets).</summary>
    static long DiskBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/io"))
        {
            if (line.StartsWith("write_bytes:", StringComparison.Ordinal)) return long.Parse(line["write_bytes:".Length..].Trim(), CultureInfo.InvariantCulture);
        }
        return 0;
    }

    /// <summary>User + system CPU seconds of a process so far (/proc/&lt;pid&gt;/stat fields 14 and 15, in clock ticks of 1/100 s).</summary>
    static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // after "pid (comm) ": field 3 is index 0
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    internal static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>The warm-up passes: the same load as the timed pass, results dropped. Each pass goes on with the nodes'
    /// sequence numbers where the previous one stopped (same boot), as a node that keeps running does, so the gateway's
    /// dedupe takes none of the timed messages for repeats.</summary>
    static async Task WarmUpAsync(string target, Settings settings, int port, List<(string Id, string Secret)> credentials)
    {
        for (var pass = 0; pass < settings.Warmup; pass++)
        {
            var warm = await DriveAsync(target, settings, port, credentials, pass * settings.MessagesPerPublisher, () => Task.CompletedTask, () => Task.CompletedTask);
            Console.Error.WriteLine($"# {target}: warm-up pass {pass + 1} {warm.MessagesPerSecond:F0} msg/s (not counted)");
        }
    }

    /// <summary>The gateway's counters so far that the benchmark reports per timed window: the JIT's methods compiled (each
    /// tier's compile counts) and milliseconds spent, and the outbox's commits and the messages they took (null from a
    /// build older than that histogram, e.g. a <c>--compare-dir</c> one).</summary>
    internal sealed record GatewayScrape(long JitMethods, double JitMs, double? CommitMessages, double? Commits);

    static async Task<GatewayScrape> ScrapeAsync(HttpClient http, int httpPort)
    {
        var lines = (await http.GetStringAsync($"http://127.0.0.1:{httpPort}/metrics")).Split('\n');
        double? Value(string name) => MetricLine(lines, name) is { } line ? double.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture) : null;
        return new((long)Value("dotnet_jit_compiled_methods_total")!.Value, Value("dotnet_jit_compilation_time_seconds_total")!.Value * 1000,
            Value("edge_gateway_outbox_commit_messages_sum"), Value("edge_gateway_outbox_commit_messages_count"));
    }

    /// <summary>The Prometheus sample line of <paramref name="name"/> (with or without labels), or null.</summary>
    static string? MetricLine(string[] lines, string name)
        => lines.FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal));

    static string Jit(Result result) => (result.JitMs is null ? "" : $"JIT {result.JitMethods} methods, {result.JitMs:F0} ms elapsed = {result.JitShareOfCpu:P0} of its CPU time")
        + (result.MessagesPerCommit is { } perCommit ? $", {perCommit:F1} messages per outbox commit" : "");

    /// <summary>Connects every publisher, awaits <paramref name="started"/> (the CPU reading), then publishes sequence
    /// numbers <paramref name="seqOffset"/> + 1 … + M per node and times them; awaits <paramref name="finished"/> after
    /// the last PUBACK, before the publishers disconnect.</summary>
    static async Task<Result> DriveAsync(string target, Settings settings, int port, List<(string Id, string Secret)> credentials, int seqOffset, Func<Task> started, Func<Task> finished)
    {
        var clients = new List<IMqttClient>();
        foreach (var (id, secret) in credentials)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V311)
                .WithClientId(id).WithCleanSession().WithTimeout(TimeSpan.FromSeconds(60));
            if (secret.Length > 0) options = options.WithCredentials(id, secret);
            var connect = await client.ConnectAsync(options.Build());
            if (connect.ResultCode != MqttClientConnectResultCode.Success) throw new InvalidOperationException($"{target}: {id} refused: {connect.ResultCode}");
            clients.Add(client);
        }
        var latencies = new double[settings.Publishers * settings.MessagesPerPublisher];
        await started();
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select((client, c) => Task.WhenAll(Enumerable.Range(0, settings.InFlight).Select(async lane =>
        {
            var topic = $"edge/bench/{credentials[c].Id}/telemetry";
            for (var seq = lane + 1; seq <= settings.MessagesPerPublisher; seq += settings.InFlight)
            {
                var payload = Encoding.UTF8.GetBytes($"{{\"v\":1,\"type\":\"streetlight\",\"ts\":1767304800,\"boot\":1,\"seq\":{seqOffset + seq},\"level\":60,\"source\":\"schedule\",\"watts\":38.4,\"volts\":230.1,\"energyWh\":412873,\"burnHours\":10233.4,\"switches\":2871,\"lux\":0.4,\"faults\":[]}}");
                var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
                var start = Stopwatch.GetTimestamp();
                var result = await client.PublishAsync(message);
                if (!result.IsSuccess && result.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers) throw new InvalidOperationException($"{target}: publish failed: {result.ReasonCode}");
                latencies[c * settings.MessagesPerPublisher + seq - 1] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }))));
        var seconds = stopwatch.Elapsed.TotalSeconds;
        await finished();
        foreach (var client in clients)
        {
            await client.DisconnectAsync();
            client.Dispose();
        }
        Array.Sort(latencies);
        double Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
        return new Result(target, settings.Publishers, settings.InFlight, latencies.Length, Math.Round(seconds, 3), Math.Round(latencies.Length / seconds, 0),
            Math.Round(Percentile(0.50), 3), Math.Round(Percentile(0.99), 3), Math.Round(latencies[^1], 3));
    }

    static Process StartProcess(IReadOnlyDictionary<string, string>? environment, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{file}] {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{file}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static async Task WaitAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("benchmark set-up timed out");
            await Task.Delay(50);
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static int Arg(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
