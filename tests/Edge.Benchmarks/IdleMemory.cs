using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using MQTTnet;
using MQTTnet.Formatter;

namespace Edge.Benchmarks;

/// <summary>
/// Memory per idle connected node: the gateway process with N provisioned nodes; its resident set size (VmRSS from
/// /proc) with no node connected, after the first 1,000 idle nodes connected, after all N, and after they all
/// disconnected. Each setting (GC mode, conserve-memory level, MQTT write buffers) is one gateway process, given by
/// its environment; the order of the settings alternates between rounds. With each RSS reading go the process's
/// threads and, for the gateway, its managed figures from its /metrics (GC heap and committed memory at the last
/// collection, bytes allocated since start, collections, thread-pool threads, JIT-compiled methods), so the growth can be split into managed, threads and the rest. Mosquitto (password
/// file and ACL for the same nodes) is the baseline, measured the same way.
/// </summary>
public static class IdleMemory
{
    sealed record Setting(string Name, Dictionary<string, string> Environment, bool Mosquitto = false, string? GatewayDirectory = null);

    /// <summary>One stage's reading. The managed figures are null for Mosquitto.</summary>
    sealed record Stage(double RssMb, int Threads, int? PoolThreads, double? HeapMb, double? CommittedMb, long? JitMethods, double? AllocatedMb, int? Collections)
    {
        /// <summary>The resident set by kind of mapping (/proc/&lt;pid&gt;/smaps), MB.</summary>
        public Dictionary<string, double> RssByKind { get; init; } = [];

        /// <summary>The gateway's GC view at the reading (its own gauges and the runtime's), MB; null for Mosquitto.</summary>
        public GcView? Gc { get; init; }

        /// <summary>
        /// RSS outside the GC heap (code, stacks, native allocations: glibc arenas, SQLite, OpenSSL), MB, two ways: RSS −
        /// the GC's committed memory counts all of that as resident (a floor of the native part), RSS − the GC heap now
        /// only what objects fill (a ceiling).
        /// </summary>
        public double? NativeFloorMb => CommittedMb is { } committed ? Math.Round(RssMb - committed, 1) : null;

        /// <inheritdoc cref="NativeFloorMb"/>
        public double? NativeCeilingMb => Gc?.HeapNowMb is { } heap ? Math.Round(RssMb - heap, 1) : null;
    }

    /// <summary>
    /// The GC heap now (live objects and garbage since the last collection), the fragmentation of the last collection,
    /// the size of gen0 when it began (the young garbage the budget let pile up), and SQLite's allocator, MB.
    /// </summary>
    sealed record GcView(double? HeapNowMb, double? FragmentationMb, double? Gen0BeforeMb, double? SqliteMb);

    /// <summary>
    /// One setting's run. Raw (cold): the empty gateway and the first 1,000 nodes of its life, one-off costs included.
    /// Then those 1,000 leave (a warm-up wave: the gateway as it looks once nodes have come and gone, its code compiled,
    /// its pool threads grown, the memory of the connections given back); from that warm, empty gateway the nodes
    /// connect again, read every <c>step</c> nodes up to N (<see cref="Checkpoints"/>), and leave.
    /// </summary>
    sealed record Sample(string Setting, int Round, double EmptyMb, double At1000Mb, double AtAllMb, double AfterLeaveMb, double PerNodeFirst1000Kb, double PerNodeAfter1000Kb,
        Stage Empty, Stage At1000, Stage AtAll, Stage AfterLeave)
    {
        /// <summary>The warm gateway with no node connected: 40 s after the warm-up wave left.</summary>
        public required Stage WarmEmpty { get; init; }
        /// <summary>Readings of the warm gateway: (connected nodes, reading), from 0 (<see cref="WarmEmpty"/>) to N.</summary>
        public required List<Checkpoint> Checkpoints { get; init; }
        /// <summary>Per node over the first 1,000 of the warm gateway: (RSS at 1,000 − warm empty) / 1,000.</summary>
        public double PerNodeWarm1000Kb => Math.Round((Checkpoints.First(c => c.Nodes == 1000).Reading.RssMb - WarmEmpty.RssMb) * 1024 / 1000, 1);
        /// <summary>Per node over all N of the warm gateway: (RSS at N − warm empty) / N.</summary>
        public double PerNodeWarmAllKb => Math.Round((AtAll.RssMb - WarmEmpty.RssMb) * 1024 / Checkpoints[^1].Nodes, 1);
        /// <summary>Seconds the first 1,000 nodes of the fresh gateway took to connect (the cold connect storm).</summary>
        public required double ColdConnectSeconds { get; init; }
        /// <summary>Seconds all N nodes took to connect to the warm gateway.</summary>
        public double WarmConnectSeconds => Math.Round(Checkpoints.Sum(c => c.ConnectSeconds), 1);
        /// <summary>Least-squares slope of RSS over connected nodes, all warm checkpoints (0 to N).</summary>
        public double PerNodeFitKb => Math.Round(Slope(Checkpoints.Select(c => ((double)c.Nodes, c.Reading.RssMb))) * 1024, 1);
    }

    /// <summary>A reading of the warm gateway with this many nodes connected, and how long the nodes since the previous one took to connect (20 at a time).</summary>
    sealed record Checkpoint(int Nodes, Stage Reading, double ConnectSeconds);

    const string MosquittoName = "mosquitto (passwd + ACL)";

    /// <summary>The systemd unit's environment (as shipped), plus <paramref name="extra"/>.</summary>
    static Dictionary<string, string> Unit(params (string Name, string Value)[] extra)
    {
        var environment = GatewayUnit.Environment();
        foreach (var (name, value) in extra) environment[name] = value;
        return environment;
    }

    static readonly Setting[] Settings =
    [
        new("server GC (default)", new()),
        // The gateway reclaims memory after many nodes left (Gateway:Memory, MemoryReclaimer); this is without.
        new("server GC, no reclaim after leaving", new() { ["Gateway__Memory__ReclaimCheckSeconds"] = "0" }),
        new("workstation GC, concurrent", new() { ["DOTNET_gcServer"] = "0" }),
        // The gateway's write buffers are 256 bytes; this is its default before (1024).
        new("server GC, write buffers 1024", new() { ["Gateway__Broker__WriterBufferBytes"] = "1024" }),
        new("server GC, TieredPGO off", new() { ["DOTNET_TieredPGO"] = "0" }),
        // Further settings, run with --only:
        new(MosquittoName, new(), Mosquitto: true),
        new("server GC, gen0 budget 4 MB", new() { ["DOTNET_GCgen0size"] = "0x400000" }),
        // GCgen0size is a floor the collector did not apply here; this caps the budget instead.
        new("server GC, gen0 max budget 4 MB (the systemd unit before)", new() { ["DOTNET_GCGen0MaxBudget"] = "0x400000" }),
        // glibc gives each thread that allocates natively (SQLite, OpenSSL's PBKDF2 for logins) its own arena, kept after use.
        new("server GC, MALLOC_ARENA_MAX=2", new() { ["MALLOC_ARENA_MAX"] = "2" }),
        new("server GC, GCConserveMemory=5", new() { ["DOTNET_GCConserveMemory"] = "5" }),
        new("server GC, DATAS off", new() { ["DOTNET_GCDynamicAdaptationMode"] = "0" }),
        new("workstation GC, non-concurrent", new() { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "0" }),
        new("workstation GC, non-concurrent, gen0 max budget 4 MB", new() { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "0", ["DOTNET_GCGen0MaxBudget"] = "0x400000" }),
        // The gateway keeps 200 points per metric (Gateway:Telemetry:MetricPointsPerMetric); the SDK's default, allocated up front:
        new("server GC, gen0 max budget 4 MB, 2000 points per metric", new() { ["DOTNET_GCGen0MaxBudget"] = "0x400000", ["Gateway__Telemetry__MetricPointsPerMetric"] = "2000" }),
        // Smaller gen0 budgets collect sooner (more, shorter collections); smaller regions hold less slack per generation.
        new("server GC, gen0 max budget 1 MB", new() { ["DOTNET_GCGen0MaxBudget"] = "0x100000" }),
        new("server GC, gen0 max budget 4 MB, regions 1 MB", new() { ["DOTNET_GCGen0MaxBudget"] = "0x400000", ["DOTNET_GCRegionSize"] = "0x100000" }),
        // A Raspberry Pi 4 has 4 cores: the runtime told it has 4 sizes its heaps (server GC: up to one per core) and thread pool so.
        new("server GC, gen0 max budget 4 MB, 4 cores", new() { ["DOTNET_GCGen0MaxBudget"] = "0x400000", ["DOTNET_PROCESSOR_COUNT"] = "4" }),
        new("workstation GC, concurrent, gen0 max budget 4 MB, 4 cores", new() { ["DOTNET_gcServer"] = "0", ["DOTNET_GCGen0MaxBudget"] = "0x400000", ["DOTNET_PROCESSOR_COUNT"] = "4" }),
        // What deploy/edge-gateway.service sets (docs/scale.md "Settings compared").
        new("workstation GC, concurrent, gen0 max budget 4 MB (the systemd unit)", Unit()),
        new("workstation GC, concurrent, gen0 max budget 4 MB (the systemd unit), no native trim", Unit(("Gateway__Memory__TrimNative", "false"))),
        // The reclaimer trims once more at the check after a trim for arrivals (Gateway:Memory:TrimNativeAgain); this is without.
        new("workstation GC, concurrent, gen0 max budget 4 MB (the systemd unit), one trim per wave", Unit(("Gateway__Memory__TrimNativeAgain", "false"))),
        new("workstation GC, concurrent, gen0 max budget 2 MB", new() { ["DOTNET_gcServer"] = "0", ["DOTNET_GCGen0MaxBudget"] = "0x200000" }),
        // The settings the issue left to try on the warm gateway, each beside the unit's gen0 cap: glibc arenas at most 2
        // (each thread that allocates natively, SQLite or OpenSSL's PBKDF2, otherwise keeps an arena of its own), the
        // collector asked to conserve memory, and the thread pool capped at 4 workers (the connect storm adds some, each with its stack).
        new("server GC, gen0 max budget 4 MB, MALLOC_ARENA_MAX=2", new() { ["DOTNET_GCGen0MaxBudget"] = "0x400000", ["MALLOC_ARENA_MAX"] = "2" }),
        new("workstation GC, concurrent, gen0 max budget 4 MB, MALLOC_ARENA_MAX=2", new() { ["DOTNET_gcServer"] = "0", ["DOTNET_GCGen0MaxBudget"] = "0x400000", ["MALLOC_ARENA_MAX"] = "2" }),
        new("server GC, gen0 max budget 4 MB, GCConserveMemory=5", new() { ["DOTNET_GCGen0MaxBudget"] = "0x400000", ["DOTNET_GCConserveMemory"] = "5" }),
        new("server GC, gen0 max budget 4 MB, pool max 4 threads", new() { ["DOTNET_GCGen0MaxBudget"] = "0x400000", ["DOTNET_ThreadPool_ForceMaxWorkerThreads"] = "4" }),
        new("workstation GC, concurrent, gen0 max budget 4 MB, pool max 4 threads", new() { ["DOTNET_gcServer"] = "0", ["DOTNET_GCGen0MaxBudget"] = "0x400000", ["DOTNET_ThreadPool_ForceMaxWorkerThreads"] = "4" }),
        new("workstation GC, non-concurrent, GCConserveMemory=7", new() { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "0", ["DOTNET_GCConserveMemory"] = "7" }),
        // One optimised compilation per method instead of a quick one, then a second for the hot ones.
        new("server GC, TieredCompilation off", new() { ["DOTNET_TieredCompilation"] = "0" }),
        // The gateway runs at most one login check per core but one (LoginGate); this is as before, unbounded.
        new("server GC, login checks unbounded", new() { ["Gateway__Broker__Limits__ConcurrentLogins"] = "100000" }),
        new("server GC, MQTTnet's write buffers 4096 (max 65535)", new() { ["Gateway__Broker__WriterBufferBytes"] = "4096", ["Gateway__Broker__WriterBufferMaxBytes"] = "65535" }),
        // Nodes' connections accepted by Kestrel (MQTTnet.AspNetCore) instead of MQTTnet's channel (Gateway:Broker:Transport).
        new("server GC, Kestrel transport", new() { ["Gateway__Broker__Transport"] = "kestrel" }),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var nodes = Math.Max(1000, Program.Arg(args, "--nodes", 5000)); // 1,000: the warm first 1,000 alone
        var rounds = Math.Max(1, Program.Arg(args, "--rounds", 1));
        var step = Math.Max(100, Program.Arg(args, "--step", 1000)); // nodes between the warm gateway's readings above 1,000
        var only = Spread.Option(args, "--only"); // run only the settings named so (or one of these, split by |)
        // By default the first five; --only picks by name among all of them.
        var settings = (only is null ? Settings.Take(5) : Settings.Where(s => only.Split('|').Any(part => Picks(part, s.Name)))).ToArray();
        // Another build of the gateway (e.g. published with ReadyToRun), compared with this one's.
        if (Spread.Option(args, "--gateway-dir") is { } other) settings = [.. settings, new Setting($"server GC, the gateway in {other}", new(), GatewayDirectory: other)];
        var before = Spread.Machine(Spread.Option(args, "--load"));
        Console.WriteLine($"# {before["utc"]}, {before["cores"]} cores, load {before["loadavg"]}; {before["note"]}");
        Console.WriteLine($"# {nodes} idle nodes (MQTT 3.1.1, keep-alive 60 s), {rounds} round(s) × {settings.Length} settings");
        var dumps = Spread.Option(args, "--gcdump"); // a directory: heap dumps of each stage (dotnet-gcdump on the PATH)
        var fleet = await Program.PrepareFleetAsync(new Program.Settings(nodes, 0, 1, "FULL"));
        var samples = new List<Sample>();
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                var order = round % 2 == 0 ? settings : settings.Reverse().ToArray();
                foreach (var setting in order)
                {
                    samples.Add(setting.Mosquitto ? await RunMosquittoAsync(setting, round, fleet, nodes, step) : await RunOnceAsync(setting, round, fleet, nodes, step, dumps));
                    Print(samples[^1], nodes);
                }
            }
        }
        finally
        {
            Directory.Delete(fleet.Directory, recursive: true);
        }
        Console.WriteLine($"# per node: raw = the first 1,000 of a new gateway (one-off costs included); warm = after a wave of 1,000 came and left, " +
                          $"at 1,000 and at {nodes} (from the warm empty gateway) and the least-squares slope over the warm readings 0–{nodes}");
        foreach (var group in samples.GroupBy(s => s.Setting))
        {
            string Kb(Func<Sample, double> figure) => Spread.Of(group.Select(figure)).Text("F1");
            Console.WriteLine($"{group.Key,-52} per node, raw first 1,000: {Kb(s => s.PerNodeFirst1000Kb)} KB; warm first 1,000: {Kb(s => s.PerNodeWarm1000Kb)} KB; " +
                              $"warm all {nodes}: {Kb(s => s.PerNodeWarmAllKb)} KB; warm fit: {Kb(s => s.PerNodeFitKb)} KB; 1,000 → {nodes}: {Kb(s => s.PerNodeAfter1000Kb)} KB; " +
                              $"empty {Kb(s => s.EmptyMb)} MB, warm empty {Kb(s => s.WarmEmpty.RssMb)} MB, after they left {Kb(s => s.AfterLeaveMb)} MB; " +
                              $"threads at warm 1,000: {Kb(s => s.Checkpoints.First(c => c.Nodes == 1000).Reading.Threads)}, at {nodes}: {Kb(s => s.AtAll.Threads)}; " +
                              $"connect s, cold first 1,000: {Kb(s => s.ColdConnectSeconds)}, warm all {nodes}: {Kb(s => s.WarmConnectSeconds)}");
        }
        var path = Spread.Write("gateway-idle-memory", new
        {
            what = "gateway RSS with idle connected nodes, per runtime setting", nodes, rounds, machineBefore = before, machineAfter = Spread.Machine(null), samples,
        }, Spread.Option(args, "--out"));
        Console.WriteLine($"raw results: {path}");
        return 0;
    }

    /// <summary>
    /// Whether a part of <c>--only</c> picks this setting: a part that is a setting's whole name picks that one alone
    /// (many names contain others, e.g. "workstation GC, concurrent"); any other part picks every name containing it.
    /// </summary>
    internal static bool Picks(string part, string name) =>
        Settings.Any(s => s.Name == part) ? name == part : name.Contains(part, StringComparison.Ordinal);

    static void Print(Sample s, int nodes)
    {
        Console.WriteLine($"round {s.Round} {s.Setting,-52} empty {s.EmptyMb:F1} MB, 1,000 nodes {s.At1000Mb:F1} MB; after they left (warm empty) {s.WarmEmpty.RssMb:F1} MB; " +
                          "again " + string.Join(", ", s.Checkpoints.Skip(1).Select(c => $"{c.Nodes} {c.Reading.RssMb:F1} MB")) + $"; after they left {s.AfterLeaveMb:F1} MB");
        Console.WriteLine($"        per node: raw first 1,000 {s.PerNodeFirst1000Kb:F1} KB; warm first 1,000 {s.PerNodeWarm1000Kb:F1} KB, warm all {nodes} {s.PerNodeWarmAllKb:F1} KB, " +
                          $"warm fit {s.PerNodeFitKb:F1} KB, 1,000 → {nodes} {s.PerNodeAfter1000Kb:F1} KB; connect storm: cold first 1,000 {s.ColdConnectSeconds:F1} s, warm all {nodes} {s.WarmConnectSeconds:F1} s");
        // Stages: empty → 1,000 (cold) → warm empty → all → after they left.
        Stage[] stages = [s.Empty, s.At1000, s.WarmEmpty, s.AtAll, s.AfterLeave];
        string Row<T>(Func<Stage, T> figure, string format = "") => string.Join(" → ", stages.Select(stage => figure(stage) is IFormattable f ? f.ToString(format, CultureInfo.InvariantCulture) : "?"));
        Console.WriteLine($"        threads {Row(t => t.Threads)}" + (s.Empty.HeapMb is null ? "" :
            $"; pool threads {Row(t => t.PoolThreads)}; GC heap {Row(t => t.HeapMb, "F1")} MB; GC committed {Row(t => t.CommittedMb, "F1")} MB; JIT methods {Row(t => t.JitMethods)}" +
            $"; allocated {Row(t => t.AllocatedMb, "F1")} MB; collections {Row(t => t.Collections)}"));
        if (s.Empty.Gc is not null)
        {
            // Managed against native at each stage: what a node's KB is made of.
            Console.WriteLine($"        GC view (MB): RSS {Row(t => t.RssMb, "F1")}; GC heap now {Row(t => t.Gc?.HeapNowMb, "F1")}; GC committed {Row(t => t.CommittedMb, "F1")}" +
                              $"; fragmentation {Row(t => t.Gc?.FragmentationMb, "F1")}; gen0 before last collection {Row(t => t.Gc?.Gen0BeforeMb, "F1")}" +
                              $"; native (RSS − committed … RSS − heap now) {Row(t => t.NativeFloorMb, "F1")} … {Row(t => t.NativeCeilingMb, "F1")}; SQLite {Row(t => t.Gc?.SqliteMb, "F1")}");
            // A node's KB split: managed between the GC heap now and its committed memory, native the rest.
            string Split(Stage at, int count) =>
                $"managed {PerNodeKb(at.Gc?.HeapNowMb, s.WarmEmpty.Gc?.HeapNowMb, count)}–{PerNodeKb(at.CommittedMb, s.WarmEmpty.CommittedMb, count)} KB (heap now–committed), " +
                $"native {PerNodeKb(at.NativeFloorMb, s.WarmEmpty.NativeFloorMb, count)}–{PerNodeKb(at.NativeCeilingMb, s.WarmEmpty.NativeCeilingMb, count)} KB";
            Console.WriteLine($"        per node, warm first 1,000: {Split(s.Checkpoints.First(c => c.Nodes == 1000).Reading, 1000)}; warm all {nodes}: {Split(s.AtAll, nodes)}");
        }
        Console.WriteLine("        RSS by mapping (MB): " + string.Join("; ", s.AtAll.RssByKind.Keys.Union(s.Empty.RssByKind.Keys).Order().Select(kind =>
            $"{kind} {Row(t => t.RssByKind.GetValueOrDefault(kind), "F1")}")));
    }

    static async Task<Sample> RunOnceAsync(Setting setting, int round, Program.Fleet fleet, int nodes, int step, string? dumps)
    {
        var dataDir = Path.Combine(fleet.Directory, "gateway-" + Guid.NewGuid().ToString("N")[..8]);
        Program.CopyDirectory(fleet.GatewayData, dataDir);
        var mqttPort = Program.FreePort();
        var httpPort = Program.FreePort();
        using var process = Program.StartGateway(dataDir, mqttPort, httpPort, "FULL", setting.Environment, setting.GatewayDirectory);
        try
        {
            using var http = new HttpClient();
            await Program.WaitAsync(async () => { try { return (await http.GetAsync($"http://127.0.0.1:{httpPort}/health")).IsSuccessStatusCode; } catch (HttpRequestException) { return false; } });
            // A heap dump forces a full collection, so each is taken after that stage's RSS reading.
            async Task<Stage> ReadAsync(string stage, TimeSpan? wait = null)
            {
                var rss = await SettledRssAsync(process.Id, wait);
                var metrics = Metrics(await http.GetStringAsync($"http://127.0.0.1:{httpPort}/metrics"));
                var reading = new Stage(Mb(rss), Threads(process.Id), (int?)Find(metrics, "dotnet_thread_pool_thread_count"),
                    Mb(Find(metrics, "dotnet_gc_last_collection_heap_size_bytes")), Mb(Find(metrics, "dotnet_gc_last_collection_memory_committed_size_bytes")),
                    (long?)Find(metrics, "dotnet_jit_compiled_methods"), Mb(Find(metrics, "dotnet_gc_heap_total_allocated_bytes")), (int?)Find(metrics, "dotnet_gc_collections"))
                {
                    RssByKind = RssByKind(process.Id),
                    Gc = new(Mb(Find(metrics, "edge_gateway_gc_heap_now")), Mb(Find(metrics, "dotnet_gc_last_collection_heap_fragmentation_size")),
                        Mb(Find(metrics, "edge_gateway_gc_gen0_before_collection")), Mb(Find(metrics, "edge_gateway_sqlite_memory"))),
                };
                if (dumps is not null) await GcDumpAsync(process.Id, Path.Combine(dumps, $"{Slug(setting.Name)}-r{round + 1}-{stage}.gcdump"));
                return reading;
            }
            return await MeasureAsync(setting, round, fleet, nodes, step, mqttPort, ReadAsync);
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>The baseline: Mosquitto with the password file and ACL the gateway exported for the same nodes (idle clean sessions persist nothing).</summary>
    static async Task<Sample> RunMosquittoAsync(Setting setting, int round, Program.Fleet fleet, int nodes, int step)
    {
        var dir = Path.Combine(fleet.Directory, "mosquitto-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var port = Program.FreePort();
        using var process = Program.StartMosquitto(fleet, dir, port);
        try
        {
            await Task.Delay(1000);
            async Task<Stage> ReadAsync(string stage, TimeSpan? wait = null) =>
                new(Mb(await SettledRssAsync(process.Id, wait)), Threads(process.Id), null, null, null, null, null, null) { RssByKind = RssByKind(process.Id) };
            return await MeasureAsync(setting, round, fleet, nodes, step, port, ReadAsync);
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
            Directory.Delete(dir, recursive: true);
        }
    }

    static async Task<Sample> MeasureAsync(Setting setting, int round, Program.Fleet fleet, int nodes, int step, int port, Func<string, TimeSpan?, Task<Stage>> read)
    {
        var clients = new List<IMqttClient>();
        try
        {
            // Cold: the first 1,000 of the gateway's life, then they leave (the warm-up wave).
            var empty = await read("empty", null);
            var coldConnect = await ConnectAsync(clients, fleet.Credentials.Take(1000), port);
            var at1000 = await read("1000", ConnectedWait);
            await DisconnectAllAsync(clients);
            // Long enough for the gateway's reclaim check (every 15 s) to see that they left.
            var warmEmpty = await read("warm-empty", LeaveWait);
            // Warm: the nodes connect again, read every step nodes.
            var checkpoints = new List<Checkpoint> { new(0, warmEmpty, 0) };
            while (clients.Count < nodes)
            {
                var next = Math.Min(nodes, checkpoints[^1].Nodes == 0 ? Math.Min(1000, nodes) : clients.Count + step);
                var seconds = await ConnectAsync(clients, fleet.Credentials.Skip(clients.Count).Take(next - clients.Count), port);
                checkpoints.Add(new(next, await read(next == nodes ? "all" : "warm-" + next, ConnectedWait), seconds));
            }
            var atAll = checkpoints[^1].Reading;
            var warm1000 = checkpoints.First(c => c.Nodes == 1000).Reading;
            await DisconnectAllAsync(clients);
            var after = await read("left", LeaveWait);
            return new Sample(setting.Name, round + 1, empty.RssMb, at1000.RssMb, atAll.RssMb, after.RssMb,
                Math.Round((at1000.RssMb - empty.RssMb) * 1024 / 1000, 1), nodes > 1000 ? Math.Round((atAll.RssMb - warm1000.RssMb) * 1024 / (nodes - 1000), 1) : 0, empty, at1000, atAll, after)
            {
                WarmEmpty = warmEmpty, Checkpoints = checkpoints, ColdConnectSeconds = coldConnect,
            };
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    static string PerNodeKb(double? atMb, double? fromMb, int nodes) =>
        atMb is { } at && fromMb is { } from ? ((at - from) * 1024 / nodes).ToString("F1", CultureInfo.InvariantCulture) : "?";

    static readonly TimeSpan LeaveWait = TimeSpan.FromSeconds(40);

    /// <summary>Nodes connected and idle: read after two of the gateway's reclaim checks (every 15 s) have seen them (the
    /// trim after their arrival and the second trim once no more arrive), as a gateway whose nodes arrived minutes or
    /// hours ago would be.</summary>
    static readonly TimeSpan ConnectedWait = TimeSpan.FromSeconds(35);

    static async Task DisconnectAllAsync(List<IMqttClient> clients)
    {
        foreach (var client in clients)
        {
            await client.DisconnectAsync();
            client.Dispose();
        }
        clients.Clear();
    }

    /// <summary>Least-squares slope of y over x.</summary>
    static double Slope(IEnumerable<(double X, double Y)> points)
    {
        var p = points.ToArray();
        var meanX = p.Average(q => q.X);
        var meanY = p.Average(q => q.Y);
        return p.Sum(q => (q.X - meanX) * (q.Y - meanY)) / p.Sum(q => (q.X - meanX) * (q.X - meanX));
    }

    static async Task GcDumpAsync(int pid, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var info = new System.Diagnostics.ProcessStartInfo("dotnet-gcdump") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var arg in new[] { "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", path }) info.ArgumentList.Add(arg);
        using var dump = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet-gcdump");
        await dump.StandardOutput.ReadToEndAsync();
        await dump.WaitForExitAsync();
        Console.WriteLine($"# heap dump {path} (exit {dump.ExitCode})");
    }

    static string Slug(string name) => new(name.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());

    /// <summary>Connects the nodes, 20 at a time; returns the seconds it took.</summary>
    static async Task<double> ConnectAsync(List<IMqttClient> clients, IEnumerable<(string Id, string Secret)> credentials, int port)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // A few at a time: each login costs the broker a PBKDF2 check.
        foreach (var chunk in credentials.Chunk(20))
        {
            clients.AddRange(await Task.WhenAll(chunk.Select(async c =>
            {
                var client = new MqttClientFactory().CreateMqttClient();
                var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V311)
                    .WithClientId(c.Id).WithCleanSession().WithCredentials(c.Id, c.Secret).WithKeepAlivePeriod(TimeSpan.FromSeconds(60)).WithTimeout(TimeSpan.FromSeconds(120)).Build();
                var result = await client.ConnectAsync(options);
                if (result.ResultCode != MqttClientConnectResultCode.Success) throw new InvalidOperationException($"{c.Id} refused: {result.ResultCode}");
                return client;
            })));
        }
        return Math.Round(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, 1);
    }

    /// <summary>VmRSS in bytes once it has stopped moving (two readings a few seconds apart within 1 %), or after the wait.</summary>
    static async Task<long> SettledRssAsync(int pid, TimeSpan? wait = null)
    {
        var deadline = DateTime.UtcNow + (wait ?? TimeSpan.FromSeconds(10));
        var last = Status(pid, "VmRSS:") * 1024;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(2000);
            var now = Status(pid, "VmRSS:") * 1024;
            if (Math.Abs(now - last) < last / 100 && wait is null) return now;
            last = now;
        }
        return last;
    }

    /// <summary>
    /// Resident memory by kind of mapping: anonymous (the GC heap, thread stacks, native allocations in mmap'd
    /// arenas), glibc's brk heap, the runtime's executable and loader memory (JIT-compiled code, type data: the
    /// double-mapped memfd), mapped assemblies (.dll) and native libraries (.so).
    /// </summary>
    static Dictionary<string, double> RssByKind(int pid)
    {
        var kb = new Dictionary<string, long>();
        var kind = "anonymous";
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 0 && fields[0].Contains('-') && !fields[0].EndsWith(':'))
            {
                var path = fields.Length >= 6 ? string.Join(' ', fields[5..]) : "";
                kind = path switch
                {
                    "" => "anonymous",
                    "[heap]" => "malloc brk heap",
                    "[stack]" => "main stack",
                    _ when path.Contains("doublemapper", StringComparison.Ordinal) => "runtime code+data",
                    _ when path.EndsWith(".dll", StringComparison.Ordinal) => "assemblies",
                    _ when path.Contains(".so", StringComparison.Ordinal) => "native libraries",
                    _ => "other",
                };
            }
            else if (fields.Length >= 2 && fields[0] == "Rss:")
            {
                kb[kind] = kb.GetValueOrDefault(kind) + long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }
        return kb.ToDictionary(p => p.Key, p => Math.Round(p.Value / 1024.0, 1));
    }

    static int Threads(int pid) => (int)Status(pid, "Threads:");

    /// <summary>A number field of /proc/&lt;pid&gt;/status (VmRSS in KB, Threads).</summary>
    static long Status(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Prometheus text: each sample line's name (without labels) and value (a timestamp after it is ignored).</summary>
    static List<(string Name, double Value)> Metrics(string text) =>
        text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l =>
        {
            var nameEnd = l.IndexOfAny(['{', ' ']);
            if (nameEnd < 0) return (l, double.NaN);
            var rest = l[nameEnd] == '{' ? l[(l.LastIndexOf('}') + 1)..] : l[nameEnd..];
            var value = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return (l[..nameEnd], double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN);
        }).ToList();

    /// <summary>The sum over the labels of a metric whose name starts with <paramref name="prefix"/> (units are appended by the exporter), or null.</summary>
    static double? Find(List<(string Name, double Value)> metrics, string prefix)
    {
        var matching = metrics.Where(m => m.Name.StartsWith(prefix, StringComparison.Ordinal) && !double.IsNaN(m.Value)).ToList();
        return matching.Count == 0 ? null : matching.Sum(m => m.Value);
    }

    static double Mb(long bytes) => Math.Round(bytes / 1048576.0, 1);

    static double? Mb(double? bytes) => bytes is { } b ? Math.Round(b / 1048576.0, 1) : null;
}
