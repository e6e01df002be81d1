using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Gateways;
using Edge.Cloud.Inventory;
using Edge.Cloud.Users;
using Edge.Tests.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Edge.Sim.Load;

/// <summary>One component's resource use over the measured window: mean CPU in cores, resident memory at the end and at its peak.</summary>
public sealed record ComponentUsage(string Component, double CpuCores, double RssMb, double PeakRssMb);

/// <summary>A percentile summary in milliseconds (null figures when there were no samples).</summary>
public sealed record Latency(int Samples, double? P50Ms, double? P95Ms, double? P99Ms, double? MaxMs)
{
    public static Latency Of(List<double> values)
    {
        if (values.Count == 0) return new Latency(0, null, null, null, null);
        values.Sort();
        double At(double p) => values[Math.Min(values.Count - 1, (int)Math.Ceiling(p * values.Count) - 1)];
        return new Latency(values.Count, At(0.50), At(0.95), At(0.99), values[^1]);
    }

    public override string ToString() => Samples == 0 ? "no samples"
        : FormattableString.Invariant($"p50 {P50Ms:F0} ms, p95 {P95Ms:F0} ms, p99 {P99Ms:F0} ms, max {MaxMs:F0} ms ({Samples} samples)");
}

/// <summary>What a scale run measured.</summary>
public sealed record LoadReport(
    int Nodes, int Gateways, double Minutes, double IntervalS, double MeasuredSeconds,
    long TelemetryPublished, long TelemetryArrived, long TelemetryNotArrived, double TelemetryPerSecond,
    Latency IngestLag, int CommandsIssued, int CommandsAcked, int CommandErrors, Latency CommandLatency,
    IReadOnlyList<ComponentUsage> Components, string MachineLoad, CloudPipeline Pipeline);

/// <summary>
/// What the cloud's own metrics (its Prometheus endpoint, read before and after the window) counted meanwhile: the
/// batches it accepted and their records, the time their stores took, the record feed's transactions (each one applies
/// a chunk of records: node state, alarm rules, acks) and the <c>node_state</c> rows they wrote. Per batch, these say
/// how large the gateways' uplink batches were and whether the feed kept up one transaction a batch or caught up in
/// chunks.
/// </summary>
public sealed record CloudPipeline(long Batches, long Records, double StoreSeconds, long FeedTransactions, double FeedSeconds, long NodeStateRows)
{
    /// <summary>The counters of one /metrics scrape (absent ones are 0: nothing counted yet).</summary>
    public static CloudPipeline Of(PrometheusText scrape) => new(
        (long)(scrape.Value("edge_cloud_ingestion_batches_total", "outcome", "accepted") ?? 0),
        (long)(scrape.Value("edge_cloud_ingestion_records_total", "outcome", "accepted") ?? 0),
        scrape.Value("edge_cloud_ingestion_store_duration_seconds_sum") ?? 0,
        (long)(scrape.Value("edge_cloud_feed_apply_duration_seconds_count") ?? 0),
        scrape.Value("edge_cloud_feed_apply_duration_seconds_sum") ?? 0,
        (long)(scrape.Value("edge_cloud_feed_node_state_rows_total") ?? 0));

    /// <summary>What was counted between <paramref name="before"/> and this.</summary>
    public CloudPipeline Since(CloudPipeline before) => new(Batches - before.Batches, Records - before.Records, StoreSeconds - before.StoreSeconds,
        FeedTransactions - before.FeedTransactions, FeedSeconds - before.FeedSeconds, NodeStateRows - before.NodeStateRows);

    public override string ToString() => Batches == 0 ? "no batch accepted"
        : FormattableString.Invariant(
            $"{Batches} batches accepted, {(double)Records / Batches:F1} records a batch; store {StoreSeconds * 1000 / Batches:F1} ms a batch; ") +
          FormattableString.Invariant(
            $"record feed {FeedTransactions} transactions ({(double)FeedTransactions / Batches:F2} a batch, {(FeedTransactions == 0 ? 0 : FeedSeconds * 1000 / FeedTransactions):F1} ms each), {(double)NodeStateRows / Batches:F1} node_state rows written a batch");
}

/// <summary>
/// `edge-sim load` (<see cref="LoadOptions.Usage"/>): seeds a cloud schema on PostgreSQL, starts the cloud and the
/// gateways as their own processes, connects the virtual nodes (<see cref="VirtualNode"/>) and measures. Every part
/// except the nodes is the shipped program: the same Edge.Cloud.dll and Edge.Gateway.dll a deployment runs.
/// </summary>
public sealed class LoadRun
{
    public const string Site = "scale";
    private const string Actor = "scale-run";

    private readonly LoadOptions _options;
    private readonly TextWriter _log;
    private readonly string _schema = "load_" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "edge-load-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<(string Name, Process Process)> _processes = new();
    private string _connectionString = "";

    public LoadRun(LoadOptions options, TextWriter log)
    {
        _options = options;
        _log = log;
    }

    public static string GatewayId(int index) => "gw-load-" + (index + 1).ToString(CultureInfo.InvariantCulture);

    public static string NodeId(int index) => "ld-" + index.ToString("D6", CultureInfo.InvariantCulture);

    public async Task<LoadReport> RunAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_directory);
        var nodes = new List<VirtualNode>();
        try
        {
            await using (var server = new NpgsqlConnection(_options.Postgres))
            {
                await server.OpenAsync(ct);
                await using var create = new NpgsqlCommand($"CREATE SCHEMA {_schema}", server);
                await create.ExecuteNonQueryAsync(ct);
            }
            _connectionString = new NpgsqlConnectionStringBuilder(_options.Postgres) { SearchPath = _schema, MaxPoolSize = 20 }.ToString();
            var seed = await SeedAsync(ct);
            var cloudUrl = await StartCloudAsync(ct);
            var mqttPorts = new List<int>();
            for (var g = 0; g < _options.Gateways; g++) mqttPorts.Add(await StartGatewayAsync(g, cloudUrl, seed.GatewayTokens[g], ct));
            _log.WriteLine($"connecting {_options.Nodes} virtual nodes …");
            nodes.AddRange(await ConnectAsync(seed.Secrets, mqttPorts, ct));
            return await MeasureAsync(nodes, cloudUrl, seed.ApiToken, ct);
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
            foreach (var (_, process) in _processes)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                await process.WaitForExitAsync(CancellationToken.None);
                process.Dispose();
            }
            if (!_options.Keep)
            {
                NpgsqlConnection.ClearAllPools();
                await using var server = new NpgsqlConnection(_options.Postgres);
                await server.OpenAsync(CancellationToken.None);
                await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", server);
                await drop.ExecuteNonQueryAsync(CancellationToken.None);
                try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
            }
            else
            {
                _log.WriteLine($"kept: schema {_schema}, run directory {_directory}");
            }
        }
    }

    private sealed record Seed(List<string> GatewayTokens, Dictionary<string, string> Secrets, string ApiToken);

    /// <summary>The site, gateways, nodes (with secrets) and a technician's API token, through the cloud's own services
    /// (an in-process cloud on the same schema, stopped before the measured cloud starts; it also migrates).</summary>
    private async Task<Seed> SeedAsync(CancellationToken ct)
    {
        _log.WriteLine($"seeding schema {_schema}: {_options.Gateways} gateways, {_options.Nodes} nodes …");
        var app = Edge.Cloud.Program.CreateApp([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(CloudSettings());
        });
        await app.StartAsync(ct);
        try
        {
            var services = app.Services;
            var inventory = services.GetRequiredService<InventoryService>();
            await inventory.PutSiteAsync(Actor, Site, new SiteRequest("Scale run", null), ct);
            var tokens = new List<string>();
            for (var g = 0; g < _options.Gateways; g++)
            {
                tokens.Add((await services.GetRequiredService<GatewayRegistry>().RegisterAsync(GatewayId(g), "scale run " + (g + 1), null, ct)).Token);
            }
            var secrets = new ConcurrentDictionary<string, string>();
            await Parallel.ForEachAsync(Enumerable.Range(0, _options.Nodes), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, token) =>
            {
                var id = NodeId(i);
                await inventory.PutNodeAsync(Actor, id, new NodeRequest(Site, "streetlight", GatewayId(i % _options.Gateways), null, "1.2.0", null, null, null, null, null, null, null), token);
                secrets[id] = (await inventory.NewSecretAsync(Actor, id, token)).Secret;
            });
            var users = services.GetRequiredService<UserService>();
            await users.CreateAsync(Actor, "scale-tech", Roles.Technician, Guid.NewGuid().ToString("N") + "Aa1!", ct);
            var (_, apiToken) = await users.CreateTokenAsync("scale-tech", "scale run", null, ct);
            return new Seed(tokens, new Dictionary<string, string>(secrets), apiToken);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    private Dictionary<string, string?> CloudSettings() => new()
    {
        ["Storage:Provider"] = "Postgres",
        ["Storage:PostgresConnectionString"] = _connectionString,
        ["Logging:LogLevel:Default"] = "Warning",
    };

    private async Task<string> StartCloudAsync(CancellationToken ct)
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var args = new List<string> { "--urls=" + url };
        args.AddRange(CloudSettings().Select(kv => $"--{kv.Key}={kv.Value}"));
        Start("cloud", "Edge.Cloud.dll", args);
        await WaitHealthyAsync("cloud", url + "/api/v1/health", ct);
        _log.WriteLine($"cloud on {url}");
        return url;
    }

    private async Task<int> StartGatewayAsync(int index, string cloudUrl, string token, CancellationToken ct)
    {
        var mqttPort = FreePort();
        var httpPort = FreePort();
        var id = GatewayId(index);
        Start(id, "Edge.Gateway.dll",
        [
            "--data-dir", Path.Combine(_directory, id), "--port", mqttPort.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--http-port", httpPort.ToString(CultureInfo.InvariantCulture),
            "--Gateway:Http:BindAddress=127.0.0.1", "--Gateway:Uplink:Kind=https", "--Gateway:Uplink:BaseUrl=" + cloudUrl + "/",
            "--Gateway:Uplink:GatewayId=" + id, "--Gateway:Uplink:Token=" + token, "--Gateway:Downlink:DefaultSite=" + Site,
            "--Gateway:Rules:SirenDriver=none", "--Logging:LogLevel:Default=Warning",
        ]);
        await WaitHealthyAsync(id, $"http://127.0.0.1:{httpPort}/health", ct);
        _log.WriteLine($"{id}: MQTT on 127.0.0.1:{mqttPort}");
        return mqttPort;
    }

    /// <summary>Starts a shipped program next to this one (`dotnet X.dll`) in a folder of its own, its output to a log file there.</summary>
    private void Start(string name, string assembly, IEnumerable<string> args)
    {
        var folder = Path.Combine(_directory, name + "-run");
        Directory.CreateDirectory(folder);
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + assembly);
        var logFile = new StreamWriter(Path.Combine(folder, "output.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (logFile) logFile.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (logFile) logFile.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add((name, process));
    }

    private async Task WaitHealthyAsync(string name, string url, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var process = _processes.Single(p => p.Name == name).Process;
            if (process.HasExited) throw new InvalidOperationException($"{name} exited with {process.ExitCode} (see {Path.Combine(_directory, name + "-run", "output.log")})");
            try
            {
                if ((await http.GetAsync(url, ct)).IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{name} did not answer {url} within 3 minutes");
            await Task.Delay(250, ct);
        }
    }

    /// <summary>Connects every node to its gateway, a few at a time per gateway (each login is a PBKDF2 check there),
    /// retrying while the gateway has not yet learnt the node's credentials from the cloud's downlink.</summary>
    private async Task<List<VirtualNode>> ConnectAsync(Dictionary<string, string> secrets, List<int> ports, CancellationToken ct)
    {
        var connected = new ConcurrentBag<VirtualNode>();
        var deadline = DateTime.UtcNow.AddMinutes(3) + TimeSpan.FromMilliseconds(20.0 * _options.Nodes);
        await Parallel.ForEachAsync(Enumerable.Range(0, _options.Nodes), new ParallelOptions { MaxDegreeOfParallelism = 8 * _options.Gateways, CancellationToken = ct }, async (i, token) =>
        {
            var id = NodeId(i);
            while (true)
            {
                try
                {
                    connected.Add(await VirtualNode.ConnectAsync(Site, id, secrets[id], ports[i % _options.Gateways], token));
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    if (DateTime.UtcNow > deadline) throw new TimeoutException($"{id} could not connect to {GatewayId(i % _options.Gateways)}: {e.Message}");
                    await Task.Delay(500, token);
                }
            }
        });
        return connected.OrderBy(n => n.Id, StringComparer.Ordinal).ToList();
    }

    private async Task<LoadReport> MeasureAsync(List<VirtualNode> nodes, string cloudUrl, string apiToken, CancellationToken ct)
    {
        var components = Components();
        var window = TimeSpan.FromMinutes(_options.Minutes);
        _log.WriteLine($"measuring for {window.TotalSeconds:F0} s: telemetry every {_options.IntervalS} s per node ({nodes.Count / _options.IntervalS:F0} msg/s), a command every {_options.CommandEveryS} s");
        var published = new ConcurrentDictionary<(string Node, long Seq), long>();
        var lags = new List<double>();
        var publishedCount = 0L;
        var arrived = 0L;
        using var stopPublishing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var clock = Stopwatch.StartNew();
        var cpuStart = components.ToDictionary(c => c.Name, c => ProcessUsage.CpuSeconds(c.Pids()));
        var rss = components.ToDictionary(c => c.Name, _ => new List<long>());
        var pipelineStart = await PipelineAsync(cloudUrl, ct);

        var publisher = PublishAsync(nodes, published, () => Interlocked.Increment(ref publishedCount), clock, stopPublishing.Token);
        var watcher = WatchAsync(published, lags, () => Interlocked.Increment(ref arrived), clock, stopWatching.Token);
        var commands = new List<(string Id, long SentMs)>();
        var commandErrors = 0;
        var commander = CommandAsync(nodes, cloudUrl, apiToken, commands, () => Interlocked.Increment(ref commandErrors), stopPublishing.Token);
        var sampler = Task.Run(async () =>
        {
            while (!stopPublishing.IsCancellationRequested)
            {
                foreach (var c in components) rss[c.Name].Add(ProcessUsage.RssBytes(c.Pids()));
                try { await Task.Delay(2000, stopPublishing.Token); } catch (OperationCanceledException) { }
            }
        }, CancellationToken.None);

        try { await Task.Delay(window, ct); } catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        var seconds = clock.Elapsed.TotalSeconds;
        var pipeline = (await PipelineAsync(cloudUrl, ct)).Since(pipelineStart);
        var usage = components.Select(c =>
        {
            var cpu = (ProcessUsage.CpuSeconds(c.Pids()) - cpuStart[c.Name]) / seconds;
            var samples = rss[c.Name].DefaultIfEmpty(0).ToList();
            return new ComponentUsage(c.Name, Math.Round(cpu, 3), Mb(samples[^1]), Mb(samples.Max()));
        }).ToList();
        stopPublishing.Cancel();
        await Task.WhenAll(publisher, commander, sampler);

        // Drain: what was published is still on its way through the outboxes (give it a minute at most).
        var drainUntil = DateTime.UtcNow.AddSeconds(60);
        while (!published.IsEmpty && DateTime.UtcNow < drainUntil && !ct.IsCancellationRequested) await Task.Delay(200, CancellationToken.None);
        var commandLatency = await CommandResultsAsync(cloudUrl, apiToken, commands, ct);
        stopWatching.Cancel();
        await watcher;

        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "";
        List<double> lagCopy;
        lock (lags) lagCopy = lags.ToList();
        return new LoadReport(nodes.Count, _options.Gateways, _options.Minutes, _options.IntervalS, Math.Round(seconds, 1),
            publishedCount, arrived, published.Count, Math.Round(publishedCount / seconds, 1),
            Latency.Of(lagCopy), commands.Count, commandLatency.Samples, commandErrors, commandLatency, usage, load, pipeline);
    }

    /// <summary>The cloud's pipeline counters now, from its /metrics (open to loopback without a token).</summary>
    private static async Task<CloudPipeline> PipelineAsync(string cloudUrl, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return CloudPipeline.Of(new PrometheusText(await http.GetStringAsync(cloudUrl + "/metrics", ct)));
    }

    private static double Mb(long bytes) => Math.Round(bytes / 1048576.0, 1);

    private sealed record Component(string Name, Func<IEnumerable<int>> Pids);

    private List<Component> Components()
    {
        var list = _processes.Select(p => new Component(p.Name, () => [p.Process.Id])).ToList();
        list.Add(new Component("edge-sim (virtual nodes)", () => [Environment.ProcessId]));
        if (PostmasterPid() is { } postmaster) list.Add(new Component("postgresql (all backends)", () => ProcessUsage.WithChildren(postmaster)));
        else _log.WriteLine("PostgreSQL's processes were not found here (not local, or its data directory not readable): not measured");
        return list;
    }

    private int? PostmasterPid()
    {
        try
        {
            using var connection = new NpgsqlConnection(_options.Postgres);
            connection.Open();
            using var command = new NpgsqlCommand("SHOW data_directory", connection);
            var file = Path.Combine((string)command.ExecuteScalar()!, "postmaster.pid");
            return int.Parse(File.ReadLines(file).First(), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is PostgresException or IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Each node publishes every interval, phases spread evenly over the interval; up to 256 publishes in flight.</summary>
    private async Task PublishAsync(List<VirtualNode> nodes, ConcurrentDictionary<(string, long), long> published, Action counted, Stopwatch clock, CancellationToken ct)
    {
        var intervalMs = _options.IntervalS * 1000;
        var due = nodes.Select((_, i) => clock.Elapsed.TotalMilliseconds + intervalMs * i / nodes.Count).ToArray();
        using var inFlight = new SemaphoreSlim(256);
        var pending = new List<Task>();
        while (!ct.IsCancellationRequested)
        {
            var now = clock.Elapsed.TotalMilliseconds;
            for (var i = 0; i < nodes.Count; i++)
            {
                if (due[i] > now) continue;
                due[i] += intervalMs;
                var node = nodes[i];
                try { await inFlight.WaitAsync(ct); } catch (OperationCanceledException) { break; }
                var seq = node.NextSeq();
                published[(node.Id, seq)] = (long)clock.Elapsed.TotalMilliseconds;
                counted();
                pending.Add(Task.Run(async () =>
                {
                    try { await node.PublishTelemetryAsync(seq, CancellationToken.None); }
                    catch (Exception e) { _log.WriteLine($"{node.Id}: publish failed: {e.Message}"); }
                    finally { inFlight.Release(); }
                }, CancellationToken.None));
            }
            pending.RemoveAll(t => t.IsCompleted);
            try { await Task.Delay(20, ct); } catch (OperationCanceledException) { }
        }
        await Task.WhenAll(pending);
    }

    /// <summary>Every 200 ms, each gateway's records stored since the last look (an index range on (gateway, epoch, seq)):
    /// a telemetry record's lag is when it was first seen minus when its node published it.</summary>
    private async Task WatchAsync(ConcurrentDictionary<(string, long), long> published, List<double> lags, Action counted, Stopwatch clock, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(CancellationToken.None);
        var last = Enumerable.Range(0, _options.Gateways).ToDictionary(GatewayId, _ => (Epoch: (string?)null, Seq: 0L));
        while (true)
        {
            var stopping = ct.IsCancellationRequested;
            foreach (var gateway in last.Keys.ToList())
            {
                var (epoch, after) = last[gateway];
                if (epoch is null)
                {
                    await using var find = new NpgsqlCommand("SELECT epoch FROM gateway_epochs WHERE gateway = @g ORDER BY first_seen_at DESC LIMIT 1", connection);
                    find.Parameters.AddWithValue("g", gateway);
                    epoch = (string?)await find.ExecuteScalarAsync(CancellationToken.None);
                    if (epoch is null) continue;
                }
                await using var read = new NpgsqlCommand(
                    "SELECT seq, node, CASE WHEN kind = 'telemetry' THEN (payload->>'seq')::bigint END FROM records WHERE gateway = @g AND epoch = @e AND seq > @s ORDER BY seq", connection);
                read.Parameters.AddWithValue("g", gateway);
                read.Parameters.AddWithValue("e", epoch);
                read.Parameters.AddWithValue("s", after);
                await using (var reader = await read.ExecuteReaderAsync(CancellationToken.None))
                {
                    var seenMs = clock.Elapsed.TotalMilliseconds;
                    while (await reader.ReadAsync(CancellationToken.None))
                    {
                        after = reader.GetInt64(0);
                        if (reader.IsDBNull(1) || reader.IsDBNull(2)) continue;
                        if (published.TryRemove((reader.GetString(1), reader.GetInt64(2)), out var sentMs))
                        {
                            lock (lags) lags.Add(seenMs - sentMs);
                            counted();
                        }
                    }
                }
                last[gateway] = (epoch, after);
            }
            if (stopping) return;
            try { await Task.Delay(200, ct); } catch (OperationCanceledException) { }
        }
    }

    /// <summary>An <c>identify</c> to a random node every --command-every seconds through the cloud's API, timed from just
    /// before the call.</summary>
    private async Task CommandAsync(List<VirtualNode> nodes, string cloudUrl, string apiToken, List<(string Id, long SentMs)> commands, Action failed, CancellationToken ct)
    {
        using var http = Api(cloudUrl, apiToken);
        var random = new Random(11);
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(TimeSpan.FromSeconds(_options.CommandEveryS), ct); } catch (OperationCanceledException) { return; }
            var node = nodes[random.Next(nodes.Count)];
            var sentMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            try
            {
                var response = await http.PostAsJsonAsync($"api/v1/nodes/{node.Id}/commands", new { kind = "identify", args = new { durationS = 5 }, expiresInS = 120 }, CancellationToken.None);
                if (!response.IsSuccessStatusCode)
                {
                    _log.WriteLine($"command to {node.Id}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                    failed();
                    continue;
                }
                var body = await response.Content.ReadFromJsonAsync<JsonObject>(CancellationToken.None);
                lock (commands) commands.Add(((string)body!["id"]!, sentMs));
            }
            catch (HttpRequestException e)
            {
                _log.WriteLine($"command to {node.Id}: {e.Message}");
                failed();
            }
        }
    }

    /// <summary>Waits (30 s at most) for the commands to be acked, then each one's API call → <c>resultAtMs</c>.</summary>
    private static async Task<Latency> CommandResultsAsync(string cloudUrl, string apiToken, List<(string Id, long SentMs)> commands, CancellationToken ct)
    {
        using var http = Api(cloudUrl, apiToken);
        var latencies = new List<double>();
        var until = DateTime.UtcNow.AddSeconds(30);
        foreach (var (id, sentMs) in commands)
        {
            while (true)
            {
                var command = await http.GetFromJsonAsync<JsonObject>("api/v1/commands/" + Uri.EscapeDataString(id), ct);
                var status = (string?)command!["status"];
                if (status == "acked" && command["resultAtMs"] is { } result)
                {
                    latencies.Add(result.GetValue<long>() - sentMs);
                    break;
                }
                if (status is not ("pending" or "delivered") || DateTime.UtcNow > until) break;
                await Task.Delay(200, ct);
            }
        }
        return Latency.Of(latencies);
    }

    private static HttpClient Api(string cloudUrl, string apiToken)
    {
        var http = new HttpClient { BaseAddress = new Uri(cloudUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiToken);
        return http;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The report as the console shows it.</summary>
    public static void Print(LoadReport report, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine(FormattableString.Invariant($"scale run: {report.Nodes} nodes through {report.Gateways} gateways, {report.MeasuredSeconds:F0} s measured, telemetry every {report.IntervalS} s per node"));
        output.WriteLine(FormattableString.Invariant($"telemetry: {report.TelemetryPublished} published ({report.TelemetryPerSecond:F0}/s), {report.TelemetryArrived} arrived in the cloud, {report.TelemetryNotArrived} not (yet) arrived"));
        output.WriteLine($"ingest lag (node publish → stored in the cloud): {report.IngestLag}");
        output.WriteLine($"commands: {report.CommandsIssued} issued, {report.CommandsAcked} acked, {report.CommandErrors} failed calls; API call → acked: {report.CommandLatency}");
        output.WriteLine($"cloud pipeline over the measured window (its /metrics): {report.Pipeline}");
        output.WriteLine("resources over the measured window (CPU in cores; RSS at the end, peak):");
        foreach (var c in report.Components) output.WriteLine(FormattableString.Invariant($"  {c.Component,-28} CPU {c.CpuCores,6:F2}   RSS {c.RssMb,7:F1} MB (peak {c.PeakRssMb:F1} MB)"));
        output.WriteLine("load average at the end: " + report.MachineLoad);
    }
}
