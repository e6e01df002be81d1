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
/// Gateway memory per idle connected node: the gateway process with N provisioned nodes; its resident set size
/// (VmRSS from /proc) with no node connected, after the first 1,000 idle nodes connected, after all N, and after
/// they all disconnected. Each setting (GC mode, conserve-memory level, MQTT write buffers) is one gateway process,
/// given by its environment; the order of the settings alternates between rounds.
/// </summary>
public static class IdleMemory
{
    sealed record Setting(string Name, Dictionary<string, string> Environment);

    sealed record Sample(string Setting, int Round, double EmptyMb, double At1000Mb, double AtAllMb, double AfterLeaveMb, double PerNodeFirst1000Kb, double PerNodeAfter1000Kb);

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
        new("server GC, gen0 budget 4 MB", new() { ["DOTNET_GCgen0size"] = "0x400000" }),
        // glibc gives each thread that allocates natively (SQLite, OpenSSL's PBKDF2 for logins) its own arena, kept after use.
        new("server GC, MALLOC_ARENA_MAX=2", new() { ["MALLOC_ARENA_MAX"] = "2" }),
        new("workstation GC, non-concurrent, GCConserveMemory=7", new() { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "0", ["DOTNET_GCConserveMemory"] = "7" }),
        new("server GC, MQTTnet's write buffers 4096 (max 65535)", new() { ["Gateway__Broker__WriterBufferBytes"] = "4096", ["Gateway__Broker__WriterBufferMaxBytes"] = "65535" }),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var nodes = Math.Max(1001, Program.Arg(args, "--nodes", 5000));
        var rounds = Math.Max(1, Program.Arg(args, "--rounds", 1));
        var only = Spread.Option(args, "--only"); // run only the settings whose name contains this (or one of these, split by |)
        // By default the first five; --only picks by name among all of them.
        var settings = (only is null ? Settings.Take(5) : Settings.Where(s => only.Split('|').Any(part => s.Name.Contains(part, StringComparison.Ordinal)))).ToArray();
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
                    samples.Add(await RunOnceAsync(setting, round, fleet, nodes, dumps));
                    var s = samples[^1];
                    Console.WriteLine($"round {round + 1} {s.Setting,-52} empty {s.EmptyMb:F1} MB, 1,000 nodes {s.At1000Mb:F1} MB, {nodes} nodes {s.AtAllMb:F1} MB, " +
                                      $"after they left {s.AfterLeaveMb:F1} MB; per node {s.PerNodeFirst1000Kb:F1} KB (first 1,000), {s.PerNodeAfter1000Kb:F1} KB (after)");
                }
            }
        }
        finally
        {
            Directory.Delete(fleet.Directory, recursive: true);
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
        using var process = Program.StartGateway(dataDir, mqttPort, httpPort, "FULL", setting.Environment);
        var clients = new List<IMqttClient>();
        try
        {
            using var http = new HttpClient();
            await Program.WaitAsync(async () => { try { return (await http.GetAsync($"http://127.0.0.1:{httpPort}/health")).IsSuccessStatusCode; } catch (HttpRequestException) { return false; } });
            // A heap dump forces a full collection, so each is taken after that stage's RSS reading.
            async Task DumpAsync(string stage)
            {
                if (dumps is not null) await GcDumpAsync(process.Id, Path.Combine(dumps, $"{Slug(setting.Name)}-r{round + 1}-{stage}.gcdump"));
            }
            var empty = await SettledRssAsync(process.Id);
            await DumpAsync("empty");
            await ConnectAsync(clients, fleet.Credentials.Take(1000), mqttPort);
            var at1000 = await SettledRssAsync(process.Id);
            await DumpAsync("1000");
            await ConnectAsync(clients, fleet.Credentials.Skip(1000).Take(nodes - 1000), mqttPort);
            var atAll = await SettledRssAsync(process.Id);
            await DumpAsync("all");
            foreach (var client in clients)
            {
                await client.DisconnectAsync();
                client.Dispose();
            }
            clients.Clear();
            // Long enough for the gateway's reclaim check (every 15 s) to see that they left.
            var after = await SettledRssAsync(process.Id, TimeSpan.FromSeconds(40));
            await DumpAsync("left");
            return new Sample(setting.Name, round + 1, Mb(empty), Mb(at1000), Mb(atAll), Mb(after),
                Math.Round((at1000 - empty) / 1024.0 / 1000, 1), Math.Round((atAll - at1000) / 1024.0 / (nodes - 1000), 1));
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
            process.Kill();
            process.WaitForExit();
            Directory.Delete(dataDir, recursive: true);
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
        // A few at a time: each login costs the gateway a PBKDF2 check.
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
        var last = Rss(pid);
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(2000);
            var now = Rss(pid);
            if (Math.Abs(now - last) < last / 100 && wait is null) return now;
            last = now;
        }
        return last;
    }

    static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    static double Mb(long bytes) => Math.Round(bytes / 1048576.0, 1);
}
