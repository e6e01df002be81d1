using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Edge.Cloud.Ingestion;
using Edge.Cloud.Storage;
using Edge.Cloud.Storage.Migrations;
using Edge.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using System.Net.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Edge.Cloud.Benchmarks;

/// <summary>
/// Ingestion events/s into SQLite and PostgreSQL through the real stores (<see cref="SqliteIngestStore"/>,
/// <see cref="PostgresIngestStore"/>: idempotency check, derived rows, node state), next to a raw baseline
/// measured in the same run on the same rows: SQLite plain prepared INSERTs, PostgreSQL binary COPY, into the
/// same tables (records, telemetry, events) without the duplicate check and node state, one transaction per
/// batch like the store. Each path starts from a fresh, migrated database. Prints one JSON line per
/// measurement, then a table.
///
/// Usage: dotnet run -c Release --project tests/Edge.Cloud.Benchmarks -- [records] [batch=500] [--nodes 10000]
/// [--rounds 5] [--warmup 2] [--providers sqlite,postgres] [--gateways N] [--interval 300] [--load "what else runs"] [--out file]
/// [--alloc-types] (stderr: what each timed path allocated, by type, from the runtime's allocation sampling)
/// PostgreSQL from EDGE_BENCH_POSTGRES (or EDGE_TEST_POSTGRES); without either only SQLite runs.
/// <c>-- transit [stopTimes]</c>: the GTFS import benchmark instead (<see cref="TransitImportBenchmark"/>);
/// <c>-- validate [passes]</c>: the CPU of record validation alone (<see cref="ValidationBenchmark"/>);
/// <c>-- lastseen [nodes]</c>: the record feed's last-seen cache, bytes a node (<see cref="LastSeenCacheMemory"/>).
/// </summary>
public static partial class Program
{
    private const string Gateway = "gw-bench-1";

    private const string Usage = """
        Edge.Cloud.Benchmarks: ingestion events/s through the cloud's real stores and its HTTP path, next to a raw
        baseline measured in the same run on the same rows (SQLite prepared INSERTs bound natively, PostgreSQL binary
        COPY). docs/cloud.md "Ingestion benchmark" explains every path and figure.

          dotnet run -c Release --project tests/Edge.Cloud.Benchmarks -- [records=100000] [batch=500] [options]

          --nodes N          nodes the records come from (10000)
          --interval S       seconds between a node's records (300, the telemetry interval)
          --rounds R         counted rounds, store/baseline order alternating (5)
          --warmup W         uncounted full rounds first, so the JIT is done before the timing (2)
          --paths LIST       of store,retry,pipeline,feed,http,raw,reference (all but feed)
          --providers LIST   sqlite,postgres (both; PostgreSQL from EDGE_BENCH_POSTGRES or EDGE_TEST_POSTGRES)
          --gateways N       also N gateways posting at once, against N raw writers (1)
          --alloc-types      stderr: what each timed path allocated, by type
          --load "TEXT"      what else runs on the machine, recorded with the load average
          --out FILE         raw results as JSON (artifacts/benchmarks/…)

          … -- transit [stopTimes=1000000] [--rounds 3]   the GTFS import benchmark instead
          … -- validate [passes=200]                      the CPU of record validation alone
          … -- lastseen [nodes=100000]                    the record feed's last-seen cache, bytes a node
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        if (args.Contains("--alloc-types")) AllocationTypes.Instance = new AllocationTypes();
        if (args.FirstOrDefault() == "transit") return await TransitImportBenchmark.RunAsync(args[1..]);
        if (args.FirstOrDefault() == "lastseen") return LastSeenCacheMemory.Run(args[1..]);
        if (args.FirstOrDefault() == "validate")
        {
            var sample = MakeBatches(500, 500, 10_000, DefaultIntervalS)[0];
            return ValidationBenchmark.Run(args[1..], sample.Select(r => Json[r]).ToList());
        }
        var positional = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var total = positional.Length > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 100_000;
        var batchSize = positional.Length > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 500;
        var nodes = int.Parse(Edge.Benchmarks.Spread.Option(args, "--nodes") ?? "10000", CultureInfo.InvariantCulture);
        var rounds = Math.Max(1, int.Parse(Edge.Benchmarks.Spread.Option(args, "--rounds") ?? "5", CultureInfo.InvariantCulture));
        var interval = Math.Max(1, int.Parse(Edge.Benchmarks.Spread.Option(args, "--interval") ?? DefaultIntervalS.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        Gateways = Math.Max(1, int.Parse(Edge.Benchmarks.Spread.Option(args, "--gateways") ?? "1", CultureInfo.InvariantCulture));
        Paths = (Edge.Benchmarks.Spread.Option(args, "--paths") ?? "store,retry,pipeline,http,raw,reference").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var providers = (Edge.Benchmarks.Spread.Option(args, "--providers") ?? "sqlite,postgres").Split(',', StringSplitOptions.TrimEntries);
        var postgres = providers.Contains("postgres") ? Environment.GetEnvironmentVariable("EDGE_BENCH_POSTGRES") ?? Environment.GetEnvironmentVariable("EDGE_TEST_POSTGRES") : null;
        var sqlite = providers.Contains("sqlite");
        var before = Edge.Benchmarks.Spread.Machine(Edge.Benchmarks.Spread.Option(args, "--load"));
        Console.WriteLine($"# {before["utc"]}, {before["cores"]} cores ({before["cpu"]}), {before["os"]}, load {before["loadavg"]}; {before["note"]}");
        Console.WriteLine($"# {total} records from {nodes} nodes in batches of {batchSize}, {interval} s between a node's records; paths {string.Join(',', Paths)}; {rounds} rounds, store/raw order alternating");
        // The cloud's settings from the environment the http paths read (A/B runs switch them there), e.g. Alarms__LastSeenResolutionSeconds.
        var cloudSettings = Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("Alarms__", StringComparison.Ordinal) || k.StartsWith("Gateways__", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToDictionary(k => k, k => Environment.GetEnvironmentVariable(k));
        if (cloudSettings.Count > 0) Console.WriteLine($"# cloud settings: {string.Join(", ", cloudSettings.Select(s => s.Key + "=" + s.Value))}");
        var batches = MakeBatches(total, batchSize, nodes, interval);
        var bodies = batches.Select(GzipBody).ToList();
        var results = new List<Result>();

        PathSettle.Postgres = postgres;
        // Warm-up (JIT to its optimized tier, Npgsql's type loading, the pools): --warmup uncounted rounds of the same
        // batches, so that the first counted round runs the same code as the others. 20 batches were not enough: the JIT
        // kept tiering up the per-batch code through the first two counted http rounds (820 and 600 methods compiled
        // inside them, ~0.5 s of CPU each; stderr prints the count per path) (docs/cloud.md §Where the HTTP path's CPU goes).
        var warmUpRounds = Math.Max(0, int.Parse(Edge.Benchmarks.Spread.Option(args, "--warmup") ?? "2", CultureInfo.InvariantCulture));
        if (postgres is null) Console.Error.WriteLine("PostgreSQL skipped (not in --providers, or EDGE_BENCH_POSTGRES / EDGE_TEST_POSTGRES not set).");
        for (var round = 0; round < warmUpRounds; round++)
        {
            if (sqlite) await RunSqliteAsync(batches, bodies, new List<Result>(), round);
            if (postgres is not null) await RunPostgresAsync(postgres, batches, bodies, new List<Result>(), round);
            Console.WriteLine($"warm-up round {round + 1} done");
        }
        Splits.Clear();
        HttpSplits.Clear();
        for (var round = 0; round < rounds; round++)
        {
            // Alternate the order of the store and the raw baseline, so a drift in the machine's load favours neither.
            if (sqlite) await RunSqliteAsync(batches, bodies, results, round);
            if (postgres is not null) await RunPostgresAsync(postgres, batches, bodies, results, round);
            Console.WriteLine($"round {round + 1} done");
        }

        Console.WriteLine();
        Console.WriteLine("events/s, median [min–max] over the rounds; 'vs raw' is the per-round ratio to the raw baseline of the same provider");
        var summary = new List<object>();
        foreach (var group in results.GroupBy(r => (r.Provider, r.Path)))
        {
            var rate = Edge.Benchmarks.Spread.Of(group.Select(r => r.Records / r.Seconds));
            var raws = results.Where(x => x.Provider == group.Key.Provider && x.Path.StartsWith("raw ", StringComparison.Ordinal) && SameWriters(x.Path, group.Key.Path)).ToList();
            var ratio = Edge.Benchmarks.Spread.Of(group.Zip(raws, (r, raw) => (r.Records / r.Seconds) / (raw.Records / raw.Seconds)));
            var p50 = Edge.Benchmarks.Spread.Of(group.Select(r => r.P50Ms));
            var p95 = Edge.Benchmarks.Spread.Of(group.Select(r => r.P95Ms));
            Console.WriteLine($"{group.Key.Provider,-10} {group.Key.Path,-30} {rate.Text("F0"),24} events/s   vs raw {ratio.Text("P0"),16}   batch p50 {p50.Text("F1")} ms, p95 {p95.Text("F1")} ms");
            summary.Add(new { provider = group.Key.Provider, path = group.Key.Path, eventsPerSecond = rate, vsRaw = ratio, batchP50Ms = p50, batchP95Ms = p95 });
        }
        Console.WriteLine();
        Console.WriteLine("pipeline split, ms per batch (median [min–max] over rounds): gunzip+parse / validate / store");
        var splits = new List<object>();
        foreach (var group in Splits.GroupBy(x => x.Provider))
        {
            var decode = Edge.Benchmarks.Spread.Of(group.Select(x => x.Phases.DecodeMs / x.Batches));
            var validate = Edge.Benchmarks.Spread.Of(group.Select(x => x.Phases.ValidateMs / x.Batches));
            var stored = Edge.Benchmarks.Spread.Of(group.Select(x => x.Phases.StoreMs / x.Batches));
            Console.WriteLine($"{group.Key,-10} decode {decode.Text("F1")}   validate {validate.Text("F1")}   store {stored.Text("F1")}");
            splits.Add(new { provider = group.Key, decodeMsPerBatch = decode, validateMsPerBatch = validate, storeMsPerBatch = stored });
        }
        var httpSplits = PrintHttpSplits();
        var file = Edge.Benchmarks.Spread.Write("cloud-ingest", new
        {
            what = "ingestion into the store (SqliteIngestStore / PostgresIngestStore.StoreAsync), in-process pipeline and end to end over HTTP vs a raw baseline on the same rows",
            records = total, batch = batchSize, nodes, intervalS = interval, cloudSettings, rounds, paths = Paths, machineBefore = before, machineAfter = Edge.Benchmarks.Spread.Machine(null), summary, pipelineSplit = splits, httpSplit = httpSplits,
            raw = results,
        }, Edge.Benchmarks.Spread.Option(args, "--out"));
        Console.WriteLine($"raw results: {file}");
        return 0;
    }

    private sealed record Result(string Provider, string Path, int Records, double Seconds, double P50Ms, double P95Ms);

    /// <summary>Runs <paramref name="store"/> on each batch in turn, timing each: the path's rate and batch latencies.</summary>
    /// <param name="drain">run after the last batch, inside the total time: work the path left behind it</param>
    private static async Task<Result> TimeAsync(string provider, string path, List<IngestRecord[]> batches, Func<IngestRecord[], Task> store, Func<Task>? drain = null)
    {
        await PathSettle.BeforePathAsync();
        var latencies = new List<double>(batches.Count);
        var window = TimedWindow.Start();
        var total = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            var one = Stopwatch.StartNew();
            await store(batch);
            latencies.Add(one.Elapsed.TotalMilliseconds);
        }
        if (drain is not null) await drain();
        var seconds = total.Elapsed.TotalSeconds;
        window.Print(provider, path, batches.Count);
        latencies.Sort();
        return new Result(provider, path, batches.Sum(b => b.Length), seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.95));
    }

    /// <summary>A path's timed window on the monotonic clock (Stopwatch's on Linux), for a profiler's time filter: e.g.
    /// <c>perf record -k CLOCK_MONOTONIC</c>, then <c>perf report --time start,end</c> with these seconds; and how many
    /// methods the JIT had compiled before and after it (tiering up, dynamic methods of a new app), what the process
    /// allocated meanwhile and how long its garbage collections paused it (with <c>--alloc-types</c>, by type too).</summary>
    private readonly record struct TimedWindow(long Started, long Jitted, long Allocated, TimeSpan Paused)
    {
        public static TimedWindow Start()
        {
            AllocationTypes.Instance?.Reset();
            return new(Stopwatch.GetTimestamp(), System.Runtime.JitInfo.GetCompiledMethodCount(), GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration());
        }

        public void Print(string provider, string path, int batches)
        {
            static string Seconds(long ticks) => ((decimal)ticks / Stopwatch.Frequency).ToString("F6", CultureInfo.InvariantCulture);
            var (allocated, paused) = (GC.GetTotalAllocatedBytes() - Allocated, GC.GetTotalPauseDuration() - Paused);
            Console.Error.WriteLine($"# window {provider} '{path}' {Seconds(Started)},{Seconds(Stopwatch.GetTimestamp())}; methods JIT-compiled in the process before it {Jitted}, after it {System.Runtime.JitInfo.GetCompiledMethodCount()}; {allocated / 1048576.0:F0} MB allocated, GC pauses {paused.TotalMilliseconds:F0} ms");
            AllocationTypes.Instance?.Print(provider + " " + path, batches);
        }
    }

    internal static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>Seconds between a node's records by default: the protocol's telemetry interval. Runs before
    /// <c>--interval</c> spaced them one second a record, so <c>--nodes</c> seconds apart (10,000 s at 10,000 nodes).</summary>
    private const int DefaultIntervalS = 300;

    /// <summary>A region's mix from <paramref name="nodes"/> nodes: 90 % telemetry (mostly street lights, some water
    /// gauges), 5 % events, 5 % states. The nodes take turns, each record <paramref name="intervalS"/> seconds
    /// (<c>receivedAt</c> and <c>ts</c>) after its node's previous one, as a fleet reporting at that interval sends them:
    /// what decides how often the record feed rewrites a node's <c>last_seen</c> (<c>Alarms:LastSeenResolutionSeconds</c>).</summary>
    private static List<IngestRecord[]> MakeBatches(int total, int batchSize, int nodes, int intervalS)
    {
        var records = new List<IngestRecord>(total);
        // Readings of the last hours, as a fleet's batches are: a street light reading older than two days is late and
        // makes the store drop the energy report's kept day sums (a gateway's backlog), which is not the steady state.
        var start = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - (long)total * intervalS / nodes) / 3600 * 3600 - 3600;
        // Within one month (UTC): PostgreSQL's baselines get their partition from the first reading.
        var end = DateTimeOffset.FromUnixTimeSeconds(start + (long)total * intervalS / nodes);
        start = Math.Max(start, new DateTimeOffset(end.Year, end.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds());
        for (var seq = 1; seq <= total; seq++)
        {
            var node = seq % nodes;
            var ts = start + (long)seq * intervalS / nodes;
            string kind, payload, nodeId;
            switch (seq % 20)
            {
                case 0:
                    kind = "event"; nodeId = $"sl-{node:D5}";
                    payload = $"{{\"v\":1,\"kind\":\"lamp.fault\",\"ts\":{ts},\"boot\":3,\"seq\":{seq},\"fault\":\"lamp-failure\",\"active\":true,\"level\":60,\"watts\":0.8,\"volts\":229.7}}";
                    break;
                case 1:
                    kind = "state"; nodeId = $"sl-{node:D5}";
                    payload = $"{{\"v\":1,\"status\":\"online\",\"ts\":{ts},\"type\":\"streetlight\",\"fw\":\"1.2.0\",\"configVersion\":{seq % 50},\"boot\":3,\"uptimeS\":600}}";
                    break;
                case 2:
                    kind = "telemetry"; nodeId = $"wl-{node / 20:D5}";
                    payload = $"{{\"v\":1,\"type\":\"waterlevel\",\"ts\":{ts},\"boot\":5,\"seq\":{seq},\"levelMm\":{700 + seq % 300},\"distanceMm\":2458,\"state\":\"watch\",\"rateMmH\":120,\"batteryV\":3.27,\"samples\":7}}";
                    break;
                default:
                    kind = "telemetry"; nodeId = $"sl-{node:D5}";
                    payload = $"{{\"v\":1,\"type\":\"streetlight\",\"ts\":{ts},\"boot\":17,\"seq\":{seq},\"level\":{seq % 101},\"source\":\"schedule\",\"watts\":38.4,\"volts\":230.1,\"energyWh\":412873,\"burnHours\":10233.4,\"switches\":2871,\"faults\":[]}}";
                    break;
            }
            var json = $"{{\"seq\":{seq},\"node\":\"{nodeId}\",\"site\":\"igoumenitsa\",\"kind\":\"{kind}\",\"receivedAt\":{ts},\"payload\":{payload}}}";
            using var document = JsonDocument.Parse(json);
            var check = RecordValidator.Validate(Gateway, document.RootElement);
            records.Add(check.Record ?? throw new InvalidOperationException(check.Error));
            Json[records[^1]] = json;
        }
        return records.Chunk(batchSize).ToList();
    }

    /// <summary>Each record's JSON as a gateway sends it (for the HTTP pipeline path).</summary>
    private static readonly Dictionary<IngestRecord, string> Json = new(ReferenceEqualityComparer.Instance);

    /// <summary>The batch body a gateway posts (docs/uplink.md §2), gzip-compressed as the gateway sends it.</summary>
    private static byte[] GzipBody(IngestRecord[] batch) => GzipBody(batch, Gateway);

    private static byte[] GzipBody(IngestRecord[] batch, string gateway)
    {
        var body = $"{{\"v\":1,\"gateway\":\"{gateway}\",\"sentAt\":{DateTimeOffset.UtcNow.ToUnixTimeSeconds()},\"records\":[{string.Join(',', batch.Select(r => Json[r]))}]}}";
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest)) gzip.Write(System.Text.Encoding.UTF8.GetBytes(body));
        return buffer.ToArray();
    }

    /// <summary>Time per phase of the HTTP path's own work, summed over batches (ms): gunzip + JSON parse, validation, store.</summary>
    private sealed class PhaseTimes
    {
        public double DecodeMs, ValidateMs, StoreMs;
    }

    /// <summary>What the batch endpoint does with a body, in process (no Kestrel, admission or epochs): gunzip and
    /// parse, validate each record (<see cref="RecordValidator"/>), store the valid ones.</summary>
    private static async Task PipelineAsync(byte[] gzipBody, IIngestStore store, PhaseTimes phases)
    {
        var time = Stopwatch.StartNew();
        using var plain = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(gzipBody), CompressionMode.Decompress)) gzip.CopyTo(plain);
        using var document = JsonDocument.Parse(plain.GetBuffer().AsMemory(0, (int)plain.Length));
        phases.DecodeMs += time.Elapsed.TotalMilliseconds;
        time.Restart();
        var valid = new List<IngestRecord>();
        foreach (var element in document.RootElement.GetProperty("records").EnumerateArray())
        {
            if (RecordValidator.Validate(Gateway, element).Record is { } record) valid.Add(record);
        }
        phases.ValidateMs += time.Elapsed.TotalMilliseconds;
        time.Restart();
        await store.StoreAsync(valid);
        phases.StoreMs += time.Elapsed.TotalMilliseconds;
    }

    private static readonly List<(string Provider, PhaseTimes Phases, int Batches)> Splits = new();

    /// <summary>End to end over HTTP: the real cloud app (Kestrel on loopback, all its services, the record feed
    /// included) on a fresh database, its nodes in the inventory (admission), the gzip bodies POSTed one after another
    /// as one gateway sends them; each answer must accept the whole batch.</summary>
    private static async Task<Result> HttpPathAsync(string provider, List<IngestRecord[]> batches, Dictionary<string, string?> storage)
    {
        var token = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var app = Edge.Cloud.Program.CreateApp([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(storage)
            {
                ["Gateways:Seed:0:Id"] = Gateway, ["Gateways:Seed:0:Token"] = token, ["Logging:LogLevel:Default"] = "Warning",
            });
        });
        await app.StartAsync();
        try
        {
            await SeedNodesAsync(app.Services.GetRequiredService<IStorageConnections>(), batches);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            // What a gateway sends with each batch (HttpRecordSender): its version, and its backlog per request below.
            http.DefaultRequestHeaders.UserAgent.TryParseAdd("edge-gateway/1.0.0-bench");
            await FirstRequestAsync(http, Gateway);
            await JitQuietAsync();
            // Stamped now, as a gateway stamps each batch: an old sentAt would raise the cloud's clock alarm on every batch.
            var bodies = batches.Select(GzipBody).ToList();
            var index = 0;
            using var stages = new StageListener(app.Services.GetRequiredService<Edge.Cloud.Telemetry.CloudMetrics>().Meter);
            var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            var settleCpu = PathSettle.Cpu;
            var jit = System.Runtime.JitInfo.GetCompilationTime();
            var result = await TimeAsync(provider, "http: POST gzip batches", batches, async batch =>
            {
                using var content = new ByteArrayContent(bodies[index++]);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                content.Headers.ContentEncoding.Add("gzip");
                content.Headers.Add("Edge-Outbox-Depth", ((batches.Count - index) * batch.Length).ToString(CultureInfo.InvariantCulture));
                using var response = await http.PostAsync($"api/v1/gateways/{Gateway}/batches", content);
                var answer = await response.Content.ReadAsStringAsync();
                using var json = JsonDocument.Parse(answer);
                if (!response.IsSuccessStatusCode || json.RootElement.GetProperty("accepted").GetInt32() != batch.Length)
                {
                    throw new InvalidOperationException($"batch {index} was not accepted whole: {(int)response.StatusCode} {answer}");
                }
            }, () => NodeStateAppliedAsync(app.Services.GetRequiredService<IStorageConnections>(), batches[^1][^1].Seq));
            // Node state is in the timing (the batch is not ingested until its nodes' state is current); the alarm part of the
            // record feed applies the last batches after that: wait for it (up to 30 s) so its work is counted whole in the split.
            var feedDone = Stopwatch.StartNew();
            var lastSeq = batches[^1][^1].Seq;
            while (await FeedCheckpointAsync(app.Services.GetRequiredService<IStorageConnections>()) < lastSeq && feedDone.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(20);
            var cpuMs = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu - (PathSettle.Cpu - settleCpu)).TotalMilliseconds;
            HttpSplits.Add(new HttpSplit(provider, batches.Count, result.Seconds * 1000, cpuMs, (System.Runtime.JitInfo.GetCompilationTime() - jit).TotalMilliseconds, stages.Snapshot(), stages.FeedMs, stages.FeedBatches,
                app.Services.GetRequiredService<Edge.Cloud.Alarms.RecordFeed>().NodeStatesWritten));
            return result;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>The app's first requests, before the timing: empty batches of the gateway. ASP.NET Core builds every
    /// endpoint's request delegate (expression trees compiled, then JIT-compiled) at a process's first request, ~0.5 s of
    /// CPU for this app's endpoints, which a running cloud pays once at start and not per batch; inside the timing it was
    /// ~40 % of the http path's CPU samples in a 60-batch round (docs/cloud.md §Where the HTTP path's CPU goes). Those
    /// delegates are new methods in every app (each round starts one), so the tiered JIT compiles them again at tier 1
    /// after their 30th call: <see cref="WarmRequests"/> requests take them past it, then <see cref="JitQuietAsync"/>
    /// waits for the compilations in the background to end, so the timing starts on code as a running cloud has it.</summary>
    private static async Task FirstRequestAsync(HttpClient http, string gateway)
    {
        for (var i = 0; i < WarmRequests; i++)
        {
            using var content = new ByteArrayContent(GzipBody([], gateway));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            content.Headers.ContentEncoding.Add("gzip");
            using var response = await http.PostAsync($"api/v1/gateways/{gateway}/batches", content);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"the warm-up batch was refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Past the tiered JIT's call count (30) for the endpoint's own methods.</summary>
    private const int WarmRequests = 40;

    /// <summary>Waits until no method has been JIT-compiled for 300 ms (at most 10 s): tier-1 compilations of the code
    /// just warmed run in the background, a little after their 30th call (the runtime's 100 ms call-counting delay).</summary>
    internal static async Task JitQuietAsync()
    {
        var limit = Stopwatch.StartNew();
        var count = System.Runtime.JitInfo.GetCompiledMethodCount();
        var quietSince = Stopwatch.StartNew();
        while (quietSince.ElapsedMilliseconds < 300 && limit.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now != count) quietSince.Restart();
            count = now;
        }
    }

    /// <summary>One http run's time by stage (the cloud's <c>edge.cloud.ingestion.stage.duration</c> histogram, summed),
    /// the record feed's apply time, the whole process's CPU time (cloud, record feed and this client) and the JIT's time in it.</summary>
    private sealed record HttpSplit(string Provider, int Batches, double WallMs, double CpuMs, double JitMs, Dictionary<string, double> StageMs, double FeedMs, int FeedBatches, long NodeStateRows);

    private static readonly List<HttpSplit> HttpSplits = new();

    private static HashSet<string> Paths = new(StringComparer.Ordinal);

    private static readonly string[] StageOrder = ["auth", "read", "parse", "gateway", "epoch", "validate", "admission", "store"];

    /// <summary>Stages that run alongside the others on PostgreSQL (the cloud writes the gateway's clock and report
    /// meanwhile): not subtracted from the batch's latency for "rest". SQLite's driver runs them before the records.</summary>
    private static string[] Alongside(string provider) => provider.StartsWith("postgres", StringComparison.Ordinal) ? ["gateway", "handler"] : ["handler"];

    /// <summary>Stages in the handler's sequence, whose sum "rest" is the remainder of: not those <see cref="Alongside"/>,
    /// nor the record feed's steps (<c>feed.*</c>, after the commit, concurrent with the next batches).</summary>
    private static bool InSequence(string provider, string stage) => !Alongside(provider).Contains(stage) && !stage.StartsWith("feed.", StringComparison.Ordinal);

    /// <summary>Prints the http path's time per batch by stage, median [min–max] over rounds; "rest" is the batch's
    /// latency as the client saw it minus the stages in sequence (Kestrel, routing, the response, the client).</summary>
    private static List<object> PrintHttpSplits()
    {
        var output = new List<object>();
        if (HttpSplits.Count == 0) return output;
        Console.WriteLine();
        Console.WriteLine("http path, ms per batch by stage (wall time in the cloud, median [min–max] over rounds; on PostgreSQL gateway runs alongside the stages after it); feed = the record feed applying the batch (concurrent); cpu = the process's CPU per batch");
        foreach (var group in HttpSplits.GroupBy(x => x.Provider))
        {
            var line = new List<string>();
            var stages = new Dictionary<string, object>();
            // The known stages in their order, then any other the cloud reports (e.g. the record feed's steps).
            foreach (var stage in StageOrder.Concat(group.SelectMany(x => x.StageMs.Keys).Distinct().Where(k => !StageOrder.Contains(k) && k != "handler").Order()))
            {
                var spread = Edge.Benchmarks.Spread.Of(group.Select(x => x.StageMs.GetValueOrDefault(stage) / x.Batches));
                line.Add($"{stage} {spread.Text("F2")}");
                stages[stage] = spread;
            }
            var rest = Edge.Benchmarks.Spread.Of(group.Select(x => (x.WallMs - x.StageMs.Where(s => InSequence(group.Key, s.Key)).Sum(s => s.Value)) / x.Batches));
            // rest = in the handler but in no stage (its waits, e.g. for the gateway's bookkeeping) + outside it (Kestrel, middleware, the answer, the client).
            var inHandler = Edge.Benchmarks.Spread.Of(group.Select(x => (x.StageMs.GetValueOrDefault("handler") - x.StageMs.Where(s => InSequence(group.Key, s.Key)).Sum(s => s.Value)) / x.Batches));
            var outside = Edge.Benchmarks.Spread.Of(group.Select(x => (x.WallMs - x.StageMs.GetValueOrDefault("handler")) / x.Batches));
            var feed = Edge.Benchmarks.Spread.Of(group.Select(x => x.FeedMs / x.Batches));
            var cpu = Edge.Benchmarks.Spread.Of(group.Select(x => x.CpuMs / x.Batches));
            // The JIT's time in the run (tiering up code of the app's start-up and first request, which a running cloud
            // compiled long ago): part of cpu, printed so that a round still compiling is seen for what it is.
            var jit = Edge.Benchmarks.Spread.Of(group.Select(x => x.JitMs / x.Batches));
            var feedShare = Edge.Benchmarks.Spread.Of(group.Select(x => (double)x.FeedBatches / x.Batches));
            var nodeRows = Edge.Benchmarks.Spread.Of(group.Select(x => (double)x.NodeStateRows / x.Batches));
            // With N gateways the batches' stages overlap one another: their sum says nothing about the wall time, so no rest.
            var restText = group.Key.Contains("gateways]", StringComparison.Ordinal) ? "— (stages of concurrent batches overlap)"
                : $"{rest.Text("F2")} (in handler {inHandler.Text("F2")}, outside {outside.Text("F2")})";
            Console.WriteLine($"{group.Key,-10} {string.Join("   ", line)}   rest {restText}   | feed {feed.Text("F2")} ({feedShare.Text("F2")} transactions, {nodeRows.Text("F0")} node_state rows written a batch)   cpu {cpu.Text("F2")} (of it JIT {jit.Text("F2")})");
            output.Add(new { provider = group.Key, stageMsPerBatch = stages, restMsPerBatch = rest, restInHandlerMsPerBatch = inHandler, outsideHandlerMsPerBatch = outside, feedMsPerBatch = feed, nodeStateRowsPerBatch = nodeRows, cpuMsPerBatch = cpu, jitMsPerBatch = jit, runs = group.ToList() });
        }
        return output;
    }

    /// <summary>Sums the cloud app's stage and record-feed histograms while an http run goes.</summary>
    private sealed class StageListener : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private readonly Dictionary<string, double> _stageMs = new(StringComparer.Ordinal);
        private readonly object _lock = new();
        private double _feedMs;
        private int _feedBatches;

        public StageListener(System.Diagnostics.Metrics.Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter) && instrument.Name is "edge.cloud.ingestion.stage.duration" or "edge.cloud.feed.apply.duration" or "edge.cloud.feed.lag")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((instrument, seconds, tags, _) =>
            {
                lock (_lock)
                {
                    if (instrument.Name == "edge.cloud.feed.apply.duration") { _feedMs += seconds * 1000; _feedBatches++; return; }
                    if (instrument.Name == "edge.cloud.feed.lag") return;
                    foreach (var tag in tags)
                    {
                        if (tag.Key == "stage" && tag.Value is string stage) _stageMs[stage] = _stageMs.GetValueOrDefault(stage) + seconds * 1000;
                    }
                }
            });
            _listener.Start();
        }

        public double FeedMs { get { lock (_lock) return _feedMs; } }
        public int FeedBatches { get { lock (_lock) return _feedBatches; } }

        public Dictionary<string, double> Snapshot() { lock (_lock) return new Dictionary<string, double>(_stageMs); }

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>The seq up to which the record feed has applied the benchmark gateway's records (-1 before any).</summary>
    private static async Task<long> FeedCheckpointAsync(IStorageConnections connections)
    {
        await using var connection = await connections.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq FROM record_feed WHERE gateway = @a";
        command.Add("@a", Gateway);
        return await command.ExecuteScalarAsync() is { } seq and not DBNull ? Convert.ToInt64(seq, CultureInfo.InvariantCulture) : -1;
    }

    /// <summary>Waits until the app's record feed has derived <c>node_state</c> from every record up to
    /// <paramref name="seq"/> (it runs in the app, woken by each batch): part of what ingestion costs over HTTP.</summary>
    private static async Task NodeStateAppliedAsync(IStorageConnections connections, long seq)
    {
        while (true)
        {
            await using (var connection = await connections.OpenAsync())
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT COALESCE(MAX(seq), -1) FROM node_state_feed";
                if (Convert.ToInt64(await command.ExecuteScalarAsync()) >= seq) return;
            }
            await Task.Delay(5);
        }
    }

    /// <summary>The site and every node of the batches in the inventory, assigned to the benchmark's gateway (the
    /// cloud admits records only from a node's own gateway).</summary>
    private static async Task SeedNodesAsync(IStorageConnections connections, List<IngestRecord[]> batches, Func<string, string>? gatewayOf = null)
    {
        await using var connection = await connections.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        async Task Exec(string sql, params object[] values)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            for (var i = 0; i < values.Length; i++) command.Add("@" + (char)('a' + i), values[i]);
            await command.ExecuteNonQueryAsync();
        }
        await Exec("INSERT INTO sites (id, name, tz, updated_at) VALUES (@a, @b, @c, 0)", "igoumenitsa", "Igoumenitsa", "Europe/Athens");
        foreach (var id in batches.SelectMany(b => b).Select(r => r.Node!).Distinct())
        {
            await Exec("INSERT INTO nodes (id, site, type, gateway, updated_at) VALUES (@a, @b, @c, @d, 0)",
                id, "igoumenitsa", id.StartsWith("wl-", StringComparison.Ordinal) ? "waterlevel" : "streetlight", gatewayOf?.Invoke(id) ?? Gateway);
        }
        await transaction.CommitAsync();
    }

    /// <summary>The store, then the node state feed on what it stored, batch after batch, on a fresh database: all the
    /// database work a batch causes (the feed runs in the record feed after the commit, not inside the store).</summary>
    private static async Task<Result> StoreThenNodeStateAsync(string provider, List<IngestRecord[]> batches, IStorageConnections connections, Func<IStorageConnections, IIngestStore> create)
    {
        var store = create(connections);
        var feed = new NodeStateFeed(connections);
        // Partitions and the feed's first cursor row, as for the baseline: not part of what it measures.
        await store.StoreAsync([batches[0].First(r => r.Telemetry is not null) with { Gateway = "warm-up" }]);
        return await TimeAsync(provider, "store + node state feed", batches, async b =>
        {
            await store.StoreAsync(b);
            await feed.ApplyStreamAsync(Gateway, "");
        });
    }

    /// <summary>Each batch stored, then the record feed's pass over it (<see cref="RecordFeedPath"/>).</summary>
    private static async Task<Result> RecordFeedAsync(string provider, List<IngestRecord[]> batches, Dictionary<string, string?> storage)
    {
        var (seconds, latencies) = await RecordFeedPath.RunAsync(batches, storage, Gateway, connections => SeedNodesAsync(connections, batches));
        latencies.Sort();
        return new Result(provider, "store + record feed", batches.Sum(b => b.Length), seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.95));
    }

    /// <summary>The in-process HTTP pipeline on a fresh database: its rate and batch latencies, and its phase split.</summary>
    private static async Task<Result> PipelineAsync(string provider, List<IngestRecord[]> batches, List<byte[]> bodies, IIngestStore store)
    {
        var phases = new PhaseTimes();
        var index = 0;
        var result = await TimeAsync(provider, "pipeline: gunzip+parse+validate+store", batches, _ => PipelineAsync(bodies[index++], store, phases));
        Splits.Add((provider, phases, batches.Count));
        return result;
    }

    /// <param name="round">even: the store first, then the raw baseline; odd: the other way round</param>
    private static async Task RunSqliteAsync(List<IngestRecord[]> batches, List<byte[]> bodies, List<Result> results, int round)
    {
        var directory = Path.Combine(Path.GetTempPath(), "edge-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            async Task Store()
            {
                if (Paths.Contains("store"))
                {
                    var store = await FreshSqliteAsync(Path.Combine(directory, "store.db"));
                    var ingest = new SqliteIngestStore(store, TimeProvider.System);
                    results.Add(await TimeAsync("sqlite", "store (new records)", batches, b => ingest.StoreAsync(b)));
                    if (Paths.Contains("retry")) results.Add(await TimeAsync("sqlite", "store (retry: duplicates)", batches, b => ingest.StoreAsync(b)));
                    results.Add(await StoreThenNodeStateAsync("sqlite", batches, await FreshSqliteAsync(Path.Combine(directory, "feed.db")),
                        connections => new SqliteIngestStore(connections, TimeProvider.System)));
                }
                if (Paths.Contains("feed")) results.Add(await RecordFeedAsync("sqlite", batches, new() { ["Storage:Provider"] = "Sqlite", ["Storage:DataDirectory"] = Path.Combine(directory, "record-feed") }));
                if (Paths.Contains("pipeline")) results.Add(await PipelineAsync("sqlite", batches, bodies, new SqliteIngestStore(await FreshSqliteAsync(Path.Combine(directory, "pipeline.db")), TimeProvider.System)));
                if (Paths.Contains("http")) results.Add(await HttpPathAsync("sqlite", batches, new() { ["Storage:Provider"] = "Sqlite", ["Storage:DataDirectory"] = Path.Combine(directory, "http") }));
                if (Paths.Contains("http") && Gateways > 1) results.Add(await HttpGatewaysAsync("sqlite", batches, new() { ["Storage:Provider"] = "Sqlite", ["Storage:DataDirectory"] = Path.Combine(directory, "http-gateways") }));
            }
            async Task Raw()
            {
                var raw = await FreshSqliteAsync(Path.Combine(directory, "raw.db"));
                await using var connection = await raw.OpenAsync();
                results.Add(await TimeAsync("sqlite", "raw prepared INSERT, tx/batch", batches, b => RawSqliteBatchAsync(connection, b)));
                if (Gateways > 1) results.Add(await RawGatewaysAsync("sqlite", "raw prepared INSERT, tx/batch", batches, await FreshSqliteAsync(Path.Combine(directory, "raw-gateways.db")), RawSqliteBatchAsync));
            }
            if (round % 2 == 0) { await Store(); await Raw(); }
            else { await Raw(); await Store(); }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    internal static async Task<SqliteConnections> FreshSqliteAsync(string file, params IMigrationSource[] schemas)
    {
        var connections = new SqliteConnections(file);
        await new Migrator(connections, schemas.Length > 0 ? schemas : [new IngestSchema(), new IntegritySchema()], NullLogger<Migrator>.Instance).MigrateAsync();
        return connections;
    }

    /// <summary>The SQLite baseline: plain prepared INSERTs, one transaction a batch, each row bound straight into SQLite
    /// (<see cref="SqliteRowStatement"/>, as the store binds since 2026-12-04): binding through Microsoft.Data.Sqlite's
    /// parameters allocated a binder, a UTF-8 name and a box per value, and a baseline slower than the store's own
    /// binding would flatter the ratio (docs/cloud.md §Ingestion benchmark).</summary>
    private static async Task RawSqliteBatchAsync(DbConnection connection, IngestRecord[] batch)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        // Every column the store writes, so both write the same bytes into the same tables and indexes.
        var storedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var records = new SqliteRowStatement(connection, "INSERT INTO records (gateway, epoch, seq, node, site, kind, received_at, stored_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        using var telemetry = new SqliteRowStatement(connection, "INSERT INTO telemetry (site, node, ts, type, gateway, seq, level, watts, volts, energy_wh, lux, level_mm, rate_mm_h, flood_state, battery_v, content_version, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        using var events = new SqliteRowStatement(connection, "INSERT INTO events (gateway, epoch, seq, site, node, ts, record_kind, kind, command_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        foreach (var r in batch)
        {
            // The store's own binding (same column order), without its duplicate check.
            SqliteIngestStore.WriteRecord(records, r, storedAt);
            if (r.Telemetry is { } t) SqliteIngestStore.WriteTelemetry(telemetry, r, t);
            if (r.Event is { } e) SqliteIngestStore.WriteEvent(events, r, e);
        }
        await transaction.CommitAsync();
    }

    /// <param name="round">even: the store first, then the raw baseline; odd: the other way round</param>
    private static async Task RunPostgresAsync(string server, List<IngestRecord[]> batches, List<byte[]> bodies, List<Result> results, int round)
    {
        var store = await FreshPostgresAsync(server);
        var raw = await FreshPostgresAsync(server);
        try
        {
            async Task Store()
            {
                if (Paths.Contains("store"))
                {
                    var ingest = new PostgresIngestStore(store.Connections, TimeProvider.System);
                    // Partitions and a pooled connection, as for the baseline: not part of what it measures.
                    await ingest.StoreAsync([batches[0].First(r => r.Telemetry is not null) with { Gateway = "warm-up" }]);
                    results.Add(await TimeAsync("postgres", "store (new records)", batches, b => ingest.StoreAsync(b)));
                    if (Paths.Contains("retry")) results.Add(await TimeAsync("postgres", "store (retry: duplicates)", batches, b => ingest.StoreAsync(b)));
                    var feed = await FreshPostgresAsync(server);
                    try
                    {
                        results.Add(await StoreThenNodeStateAsync("postgres", batches, feed.Connections, connections => new PostgresIngestStore((PostgresConnections)connections, TimeProvider.System)));
                    }
                    finally
                    {
                        await DropAsync(server, feed.Schema);
                    }
                }
                if (Paths.Contains("feed")) await PostgresAppPathAsync(RecordFeedAsync);
                if (Paths.Contains("pipeline")) await PostgresPipelineAsync();
                if (Paths.Contains("http")) await PostgresAppPathAsync(HttpPathAsync);
                if (Paths.Contains("http") && Gateways > 1) await PostgresAppPathAsync(HttpGatewaysAsync);
            }
            async Task PostgresPipelineAsync()
            {
                var pipeline = await FreshPostgresAsync(server);
                try
                {
                    var pipelineStore = new PostgresIngestStore(pipeline.Connections, TimeProvider.System);
                    await pipelineStore.StoreAsync([batches[0].First(r => r.Telemetry is not null) with { Gateway = "warm-up" }]); // partitions, as for the baseline
                    results.Add(await PipelineAsync("postgres", batches, bodies, pipelineStore));
                }
                finally
                {
                    await DropAsync(server, pipeline.Schema);
                }
            }
            // A path that runs the cloud's own services on a fresh schema, given as the app's storage settings.
            async Task PostgresAppPathAsync(Func<string, List<IngestRecord[]>, Dictionary<string, string?>, Task<Result>> path)
            {
                var overHttp = await FreshPostgresAsync(server);
                try
                {
                    results.Add(await path("postgres", batches, new()
                    {
                        ["Storage:Provider"] = "Postgres",
                        ["Storage:PostgresConnectionString"] = new NpgsqlConnectionStringBuilder(server) { SearchPath = overHttp.Schema }.ToString(),
                    }));
                }
                finally
                {
                    NpgsqlConnection.ClearAllPools();
                    await DropAsync(server, overHttp.Schema);
                }
            }
            async Task PostgresRawGatewaysAsync()
            {
                var writers = await FreshPostgresAsync(server);
                try
                {
                    await new PostgresIngestStore(writers.Connections, TimeProvider.System).StoreAsync([batches[0].First(r => r.Telemetry is not null) with { Gateway = "warm-up" }]);
                    results.Add(await RawGatewaysAsync("postgres", "raw binary COPY", batches, writers.Connections, (connection, batch) => RawCopyBatchAsync((NpgsqlConnection)connection, batch)));
                }
                finally
                {
                    await DropAsync(server, writers.Schema);
                }
            }
            async Task Raw()
            {
                // The baseline needs the same partitions; creating them is not part of what it measures.
                await new PostgresIngestStore(raw.Connections, TimeProvider.System).StoreAsync([batches[0].First(r => r.Telemetry is not null) with { Gateway = "warm-up" }]);
                await using var connection = await raw.Connections.DataSource.OpenConnectionAsync();
                results.Add(await TimeAsync("postgres", "raw binary COPY", batches, b => RawCopyBatchAsync(connection, b)));
                if (Gateways > 1) await PostgresRawGatewaysAsync();
                // Where the store's time goes: the same COPY plus the store's node_state upsert in the same transaction.
                if (!Paths.Contains("reference")) return;
                var reference = await FreshPostgresAsync(server);
                try
                {
                    await new PostgresIngestStore(reference.Connections, TimeProvider.System).StoreAsync([batches[0].First(r => r.Telemetry is not null) with { Gateway = "warm-up" }]);
                    await using var withState = await reference.Connections.DataSource.OpenConnectionAsync();
                    results.Add(await TimeAsync("postgres", "reference: COPY + node_state", batches, b => RawCopyBatchAsync(withState, b, nodeState: true)));
                }
                finally
                {
                    await DropAsync(server, reference.Schema);
                }
            }
            if (round % 2 == 0) { await Store(); await Raw(); }
            else { await Raw(); await Store(); }
        }
        finally
        {
            await DropAsync(server, store.Schema);
            await DropAsync(server, raw.Schema);
        }
    }

    internal static async Task<(PostgresConnections Connections, string Schema)> FreshPostgresAsync(string server, params IMigrationSource[] schemas)
    {
        var schema = "bench_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await command.ExecuteNonQueryAsync();
        }
        var connections = new PostgresConnections(new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ToString());
        await new Migrator(connections, schemas.Length > 0 ? schemas : [new IngestSchema(), new IntegritySchema()], NullLogger<Migrator>.Instance).MigrateAsync();
        return (connections, schema);
    }

    internal static async Task DropAsync(string server, string schema)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA {schema} CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>One binary COPY per table, one transaction per batch (like the store), every column the store writes.</summary>
    private static async Task RawCopyBatchAsync(NpgsqlConnection connection, IngestRecord[] batch, bool nodeState = false)
    {
        var storedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var copy = await connection.BeginBinaryImportAsync("COPY records (gateway, epoch, seq, node, site, kind, received_at, stored_at, payload) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var r in batch)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(r.Gateway, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Epoch, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Seq, NpgsqlDbType.Bigint);
                await copy.WriteAsync(r.Node!, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Site, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Kind, NpgsqlDbType.Text);
                await copy.WriteAsync(r.ReceivedAt, NpgsqlDbType.Bigint);
                await copy.WriteAsync(storedAt, NpgsqlDbType.Bigint);
                await copy.WriteAsync(r.PayloadJson, NpgsqlDbType.Jsonb);
            }
            await copy.CompleteAsync();
        }
        await using (var copy = await connection.BeginBinaryImportAsync("COPY telemetry (site, node, ts, type, gateway, seq, level, watts, volts, energy_wh, lux, level_mm, rate_mm_h, flood_state, battery_v, content_version, payload) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var r in batch)
            {
                if (r.Telemetry is not { } t) continue;
                await copy.StartRowAsync();
                await copy.WriteAsync(r.Site, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Node!, NpgsqlDbType.Text);
                await copy.WriteAsync(t.Ts, NpgsqlDbType.Bigint);
                await copy.WriteAsync(t.Type, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Gateway, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Seq, NpgsqlDbType.Bigint);
                await WriteAsync(copy, t.Level, NpgsqlDbType.Integer);
                await WriteAsync(copy, t.Watts, NpgsqlDbType.Double);
                await WriteAsync(copy, t.Volts, NpgsqlDbType.Double);
                await WriteAsync(copy, t.EnergyWh, NpgsqlDbType.Bigint);
                await WriteAsync(copy, t.Lux, NpgsqlDbType.Double);
                await WriteAsync(copy, t.LevelMm, NpgsqlDbType.Integer);
                await WriteAsync(copy, t.RateMmH, NpgsqlDbType.Integer);
                if (t.FloodState is null) await copy.WriteNullAsync(); else await copy.WriteAsync(t.FloodState, NpgsqlDbType.Text);
                await WriteAsync(copy, t.BatteryV, NpgsqlDbType.Double);
                await WriteAsync(copy, t.ContentVersion, NpgsqlDbType.Bigint);
                await copy.WriteAsync(r.PayloadJson, NpgsqlDbType.Jsonb);
            }
            await copy.CompleteAsync();
        }
        await using (var copy = await connection.BeginBinaryImportAsync("COPY events (gateway, epoch, seq, site, node, ts, record_kind, kind, command_id, payload) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var r in batch)
            {
                if (r.Event is not { } e) continue;
                await copy.StartRowAsync();
                await copy.WriteAsync(r.Gateway, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Epoch, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Seq, NpgsqlDbType.Bigint);
                await copy.WriteAsync(r.Site, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Node!, NpgsqlDbType.Text);
                await copy.WriteAsync(e.Ts, NpgsqlDbType.Bigint);
                await copy.WriteAsync(r.Kind, NpgsqlDbType.Text);
                await copy.WriteAsync(e.Kind, NpgsqlDbType.Text);
                if (e.CommandId is null) await copy.WriteNullAsync(); else await copy.WriteAsync(e.CommandId, NpgsqlDbType.Text);
                await copy.WriteAsync(r.PayloadJson, NpgsqlDbType.Jsonb);
            }
            await copy.CompleteAsync();
        }
        if (nodeState) await NodeStateFeed.UpsertPostgresAsync(connection, transaction, NodeStateRows.Collapse(batch.Select(r => r with { State = NodeStateUpdate.Of(r.Kind, r.ReceivedAt, r.Kind == "state" ? r.PayloadJson : null, r.Telemetry?.Type) })), default);
        await transaction.CommitAsync();
    }

    private static Task WriteAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type) where T : struct =>
        value is { } v ? copy.WriteAsync(v, type) : copy.WriteNullAsync();
}
