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
    }

    sealed record Sample(string Setting, int Round, double EmptyMb, double At1000Mb, double AtAllMb, double AfterLeaveMb, double PerNodeFirst1000Kb, double PerNodeAfter1000Kb,
        Stage Empty, Stage At1000, Stage AtAll, Stage AfterLeave);

    const string MosquittoName = "mosquitto (passwd + ACL)";

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
        new("server GC, gen0 max budget 4 MB", new() { ["DOTNET_GCGen0MaxBudget"] = "0x400000" }),
        // glibc gives each thread that allocates natively (SQLite, OpenSSL's PBKDF2 for logins) its own arena, kept after use.
        new("server GC, MALLOC_ARENA_MAX=2", new() { ["MALLOC_ARENA_MAX"] = "2" }),
        new("server GC, GCConserveMemory=5", new() { ["DOTNET_GCConserveMemory"] = "5" }),
        new("server GC, DATAS off", new() { ["DOTNET_GCDynamicAdaptationMode"] = "0" }),
        new("workstation GC, non-concurrent", new() { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "0" }),
        new("workstation GC, non-concurrent, GCConserveMemory=7", new() { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "0", ["DOTNET_GCConserveMemory"] = "7" }),
        // One optimised compilation per method instead of a quick one, then a second for the hot ones.
        new("server GC, TieredCompilation off", new() { ["DOTNET_TieredCompilation"] = "0" }),
        // The gateway runs at most one login check per core but one (LoginGate); this is as before, unbounded.
        new("server GC, login checks unbounded", new() { ["Gateway__Broker__Limits__ConcurrentLogins"] = "100000" }),
        new("server GC, MQTTnet's write buffers 4096 (max 65535)", new() { ["Gateway__Broker__WriterBufferBytes"] = "4096", ["Gateway__Broker__WriterBufferMaxBytes"] = "65535" }),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var nodes = Math.Max(1001, Program.Arg(args, "--nodes", 5000));
        var rounds = Math.Max(1, Program.Arg(args, "--rounds", 1));
        var only = Spread.Option(args, "--only"); // run only the settings whose name contains this (or one of these, split by |)
        // By default the first five; --only picks by name among all of them.
        var settings = (only is null ? Settings.Take(5) : Settings.Where(s => only.Split('|').Any(part => s.Name.Contains(part, StringComparison.Ordinal)))).ToArray();
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
                    samples.Add(setting.Mosquitto ? await RunMosquittoAsync(setting, round, fleet, nodes) : await RunOnceAsync(setting, round, fleet, nodes, dumps));
                    var s = samples[^1];
                    Console.WriteLine($"round {round + 1} {s.Setting,-52} empty {s.EmptyMb:F1} MB, 1,000 nodes {s.At1000Mb:F1} MB, {nodes} nodes {s.AtAllMb:F1} MB, " +
                                      $"after they left {s.AfterLeaveMb:F1} MB; per node {s.PerNodeFirst1000Kb:F1} KB (first 1,000), {s.PerNodeAfter1000Kb:F1} KB (after)");
                    Console.WriteLine($"        threads {s.Empty.Threads} → {s.At1000.Threads} → {s.AtAll.Threads} → {s.AfterLeave.Threads}" +
                                      (s.Empty.HeapMb is null ? "" :
                                          $"; pool threads {s.Empty.PoolThreads} → {s.At1000.PoolThreads} → {s.AtAll.PoolThreads} → {s.AfterLeave.PoolThreads}" +
                                          $"; GC heap {s.Empty.HeapMb:F1} → {s.At1000.HeapMb:F1} → {s.AtAll.HeapMb:F1} → {s.AfterLeave.HeapMb:F1} MB" +
                                          $"; GC committed {s.Empty.CommittedMb:F1} → {s.At1000.CommittedMb:F1} → {s.AtAll.CommittedMb:F1} → {s.AfterLeave.CommittedMb:F1} MB" +
                                          $"; JIT methods {s.Empty.JitMethods} → {s.At1000.JitMethods} → {s.AtAll.JitMethods}" +
                                          $"; allocated {s.Empty.AllocatedMb:F1} → {s.At1000.AllocatedMb:F1} → {s.AtAll.AllocatedMb:F1} MB; collections {s.Empty.Collections} → {s.At1000.Collections} → {s.AtAll.Collections} → {s.AfterLeave.Collections}"));
                    Console.WriteLine("        RSS by mapping (MB): " + string.Join("; ", s.AtAll.RssByKind.Keys.Union(s.Empty.RssByKind.Keys).Order().Select(kind =>
                        $"{kind} {s.Empty.RssByKind.GetValueOrDefault(kind):F1} → {s.At1000.RssByKind.GetValueOrDefault(kind):F1} → {s.AtAll.RssByKind.GetValueOrDefault(kind):F1} → {s.AfterLeave.RssByKind.GetValueOrDefault(kind):F1}")));
                }
            }
        }
        finally
        {
            Directory.Delete(fleet.Directory, recursive: true);
        }
        foreach (var group in samples.GroupBy(s => s.Setting))
        {
            Console.WriteLine($"{group.Key,-52} per node, first 1,000: {Spread.Of(group.Select(s => s.PerNodeFirst1000Kb)).Text("F1")} KB; 1,000 → {nodes}: {Spread.Of(group.Select(s => s.PerNodeAfter1000Kb)).Text("F1")} KB; " +
                              $"after they left {Spread.Of(group.Select(s => s.AfterLeaveMb)).Text("F1")} MB");
        }
        var path = Spread.Write("gateway-idle-memory", new
        {
            what = "gateway RSS with idle connected nodes, per runtime setting", nodes, rounds, machineBefore = before, machineAfter = Spread.Machine(null), samples,
        }, Spread.Option(args, "--out"));
        Console.WriteLine($"raw results: {path}");
        return 0;
    }

    static async Task<Sample> RunOnceAsync(Setting setting, int round, Program.Fleet fleet, int nodes, string? dumps)
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
                    (long?)Find(metrics, "dotnet_jit_compiled_methods"), Mb(Find(metrics, "dotnet_gc_heap_total_allocated_bytes")), (int?)Find(metrics, "dotnet_gc_collections")) { RssByKind = RssByKind(process.Id) };
                if (dumps is not null) await GcDumpAsync(process.Id, Path.Combine(dumps, $"{Slug(setting.Name)}-r{round + 1}-{stage}.gcdump"));
                return reading;
            }
            return await MeasureAsync(setting, round, fleet, nodes, mqttPort, ReadAsync);
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>The baseline: Mosquitto with the password file and ACL the gateway exported for the same nodes (idle clean sessions persist nothing).</summary>
    static async Task<Sample> RunMosquittoAsync(Setting setting, int round, Program.Fleet fleet, int nodes)
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
            return await MeasureAsync(setting, round, fleet, nodes, port, ReadAsync);
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
            Directory.Delete(dir, recursive: true);
        }
    }

    static async Task<Sample> MeasureAsync(Setting setting, int round, Program.Fleet fleet, int nodes, int port, Func<string, TimeSpan?, Task<Stage>> read)
    {
        var clients = new List<IMqttClient>();
        try
        {
            var empty = await read("empty", null);
            await ConnectAsync(clients, fleet.Credentials.Take(1000), port);
            var at1000 = await read("1000", null);
            await ConnectAsync(clients, fleet.Credentials.Skip(1000).Take(nodes - 1000), port);
            var atAll = await read("all", null);
            foreach (var client in clients)
            {
                await client.DisconnectAsync();
                client.Dispose();
            }
            clients.Clear();
            // Long enough for the gateway's reclaim check (every 15 s) to see that they left.
            var after = await read("left", TimeSpan.FromSeconds(40));
            return new Sample(setting.Name, round + 1, empty.RssMb, at1000.RssMb, atAll.RssMb, after.RssMb,
                Math.Round((at1000.RssMb - empty.RssMb) * 1024 / 1000, 1), Math.Round((atAll.RssMb - at1000.RssMb) * 1024 / (nodes - 1000), 1), empty, at1000, atAll, after);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
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

    static async Task ConnectAsync(List<IMqttClient> clients, IEnumerable<(string Id, string Secret)> credentials, int port)
    {
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
