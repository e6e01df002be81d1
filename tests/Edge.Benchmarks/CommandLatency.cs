using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Commands;
using Edge.Cloud.Gateways;
using Edge.Cloud.Inventory;
using Edge.Sim.Demo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Benchmarks;

/// <summary>
/// Command latency, API call → <c>acked</c>: the demo composition (cloud on SQLite, one gateway, the Igoumenitsa fleet of
/// host-build nodes ticking every 250 ms) on loopback, with a second gateway posting telemetry batches as background
/// ingest load. Commands (<c>identify</c> to a random street light) are issued one at a time through the API; each is
/// timed from just before the call to the cloud's recorded <c>resultAtMs</c> (same clock). Rounds alternate the
/// event-driven record feed with the baseline measured in the same run: the feed applying records only at its
/// periodic pass (<c>Alarms:ApplyOnArrival</c> false, the behaviour before).
/// </summary>
public static class CommandLatency
{
    sealed record Sample(string Mode, double AckedMs, double DeliveredMs, double BackMs);

    const string LoadGateway = "gw-load-1";
    const string LoadToken = "bench-load-token-0123456789abcdef";

    public static async Task<int> RunAsync(string[] args)
    {
        var perRound = Program.Arg(args, "--commands", 40);
        var rounds = Math.Max(1, Program.Arg(args, "--rounds", 2));
        var ingestRate = Program.Arg(args, "--ingest", 500);
        var before = Spread.Machine(Spread.Option(args, "--load"));
        Console.WriteLine($"# {before["utc"]}, {before["cores"]} cores ({before["cpu"]}), load {before["loadavg"]}; {before["note"]}");
        Console.WriteLine($"# {rounds} rounds × 2 modes × {perRound} commands, background ingest {ingestRate} telemetry records/s; A/B order alternating");

        var dataDir = Path.Combine(Path.GetTempPath(), "edge-bench-commands-" + Guid.NewGuid().ToString("N")[..8]);
        var fleet = IgoumenitsaFleet.Create();
        var site = await DemoSite.StartAsync(new DemoOptions
        {
            DataDir = dataDir, HttpPort = Program.FreePort(), GatewayHttpPort = Program.FreePort(), MqttPort = Program.FreePort(), LogLevel = LogLevel.Warning,
        }, fleet);
        using var stop = new CancellationTokenSource();
        try
        {
            var api = await LoginAsync(site);
            var load = await StartIngestLoadAsync(site, ingestRate, stop.Token);
            var feedOptions = site.Cloud.Services.GetRequiredService<IOptions<AlarmOptions>>().Value;
            var commands = site.Cloud.Services.GetRequiredService<CommandService>();
            var lights = fleet.Nodes.Where(n => n.Type == "streetlight").Select(n => n.Id).ToList();
            await WaitUntilConnectedAsync(site, lights);
            var random = new Random(7);
            var samples = new List<Sample>();
            var perRoundP99 = new Dictionary<string, List<double>> { ["event-driven"] = new(), ["baseline (periodic pass)"] = new() };
            for (var round = 0; round < rounds; round++)
            {
                var order = round % 2 == 0 ? new[] { true, false } : new[] { false, true };
                foreach (var onArrival in order)
                {
                    feedOptions.ApplyOnArrival = onArrival;
                    // A feed waiting out a periodic pass in the other mode must pass once before the round starts.
                    await Task.Delay(TimeSpan.FromSeconds(feedOptions.IntervalS + 0.5));
                    var mode = onArrival ? "event-driven" : "baseline (periodic pass)";
                    var these = new List<Sample>();
                    for (var i = 0; i < perRound; i++)
                    {
                        these.Add(await OneAsync(api, commands, mode, lights[random.Next(lights.Count)]));
                        // A random gap over a whole feed interval: issuing right after the previous outcome would always
                        // land just after a periodic pass and make the baseline look worse than it is.
                        await Task.Delay(random.Next(50, 50 + (int)(feedOptions.IntervalS * 1000)));
                    }
                    samples.AddRange(these);
                    perRoundP99[mode].Add(Percentile(these.Select(s => s.AckedMs), 0.99));
                    Console.WriteLine($"round {round + 1} {mode,-26} acked p50 {Percentile(these.Select(s => s.AckedMs), 0.5):F0} ms  p99 {perRoundP99[mode][^1]:F0} ms" +
                                      $"   (ingest so far {Interlocked.Read(ref load.Stored)} records)");
                }
            }
            feedOptions.ApplyOnArrival = true;
            stop.Cancel();
            Console.WriteLine("pooled over the rounds (API call → delivered to the gateway, → acked; delivered → acked):");
            var summary = new Dictionary<string, object>();
            foreach (var mode in perRoundP99.Keys)
            {
                var of = samples.Where(s => s.Mode == mode).ToList();
                var figures = new
                {
                    commands = of.Count,
                    ackedP50Ms = Percentile(of.Select(s => s.AckedMs), 0.50), ackedP95Ms = Percentile(of.Select(s => s.AckedMs), 0.95),
                    ackedP99Ms = Percentile(of.Select(s => s.AckedMs), 0.99), ackedMaxMs = of.Max(s => s.AckedMs),
                    deliveredP50Ms = Percentile(of.Select(s => s.DeliveredMs), 0.50), deliveredP99Ms = Percentile(of.Select(s => s.DeliveredMs), 0.99),
                    backP50Ms = Percentile(of.Select(s => s.BackMs), 0.50), backP99Ms = Percentile(of.Select(s => s.BackMs), 0.99),
                    ackedP99PerRound = Spread.Of(perRoundP99[mode]),
                };
                summary[mode] = figures;
                Console.WriteLine($"{mode,-26} acked p50 {figures.ackedP50Ms:F0} / p95 {figures.ackedP95Ms:F0} / p99 {figures.ackedP99Ms:F0} ms (max {figures.ackedMaxMs:F0})" +
                                  $"   delivered p50 {figures.deliveredP50Ms:F0} / p99 {figures.deliveredP99Ms:F0} ms   back p50 {figures.backP50Ms:F0} / p99 {figures.backP99Ms:F0} ms" +
                                  $"   p99 per round {figures.ackedP99PerRound.Text("F0")}");
            }
            Console.WriteLine($"background ingest: {Interlocked.Read(ref load.Stored)} telemetry records stored, {Interlocked.Read(ref load.Failed)} failed batches");
            var path = Spread.Write("command-latency", new
            {
                what = "command API call → acked on loopback: demo fleet (ticks 250 ms), background telemetry ingest; event-driven record feed vs periodic pass",
                perRound, rounds, ingestRate, machineBefore = before, machineAfter = Spread.Machine(null), summary,
                ingest = new { stored = Interlocked.Read(ref load.Stored), failedBatches = Interlocked.Read(ref load.Failed) }, samples,
            }, Spread.Option(args, "--out"));
            Console.WriteLine($"raw results: {path}");
            await load.Task;
            return 0;
        }
        finally
        {
            stop.Cancel();
            await site.DisposeAsync();
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        }
    }

    static async Task<Sample> OneAsync(HttpClient api, CommandService commands, string mode, string node)
    {
        var startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var response = await api.PostAsJsonAsync($"api/v1/nodes/{node}/commands", new { kind = "identify", args = new { durationS = 1 }, expiresInS = 60 });
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"issuing to {node}: {(int)response.StatusCode} {created}");
        var id = created.GetProperty("id").GetString()!;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            // Read in process (not through the API) so waiting does not load the cloud's HTTP side.
            var command = await commands.GetAsync(id);
            if (command.Status is not (CommandStatus.Pending or CommandStatus.Delivered))
            {
                if (command.Status != CommandStatus.Acked) throw new InvalidOperationException($"{id} to {node} ended {command.Status}: {command.Message}");
                return new Sample(mode, command.ResultAtMs!.Value - startMs, command.DeliveredAtMs!.Value - startMs, command.ResultAtMs.Value - command.DeliveredAtMs.Value);
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{id} to {node} still {command.Status} after 60 s");
            await Task.Delay(5);
        }
    }

    sealed class IngestLoad
    {
        public long Stored;
        public long Failed;
        public Task Task = Task.CompletedTask;
    }

    /// <summary>A second gateway with 200 street lights posting telemetry batches at <paramref name="perSecond"/> records/s.</summary>
    static async Task<IngestLoad> StartIngestLoadAsync(DemoSite site, int perSecond, CancellationToken ct)
    {
        var load = new IngestLoad();
        if (perSecond <= 0) return load;
        await site.Cloud.Services.GetRequiredService<GatewayRegistry>().RegisterAsync(LoadGateway, "benchmark load", LoadToken);
        var inventory = site.Cloud.Services.GetRequiredService<InventoryService>();
        var nodes = Enumerable.Range(0, 200).Select(i => $"sl-load-{i:000}").ToList();
        foreach (var node in nodes)
        {
            await inventory.PutNodeAsync("bench", node, new NodeRequest(IgoumenitsaFleet.Site, "streetlight", LoadGateway, null, null, 39.5, 20.27, null, null, null, null, null));
        }
        var http = new HttpClient { BaseAddress = new Uri(site.CloudUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", LoadToken);
        load.Task = Task.Run(async () =>
        {
            long seq = 0;
            var perBatch = Math.Max(1, perSecond / 10);
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            try
            {
                while (await timer.WaitForNextTickAsync(ct))
                {
                    var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                    var records = new JsonArray();
                    for (var i = 0; i < perBatch; i++)
                    {
                        seq++;
                        records.Add(new JsonObject
                        {
                            ["seq"] = seq, ["node"] = nodes[(int)(seq % nodes.Count)], ["site"] = IgoumenitsaFleet.Site, ["kind"] = "telemetry", ["receivedAt"] = now,
                            ["payload"] = new JsonObject
                            {
                                ["v"] = 1, ["type"] = "streetlight", ["ts"] = now, ["boot"] = 1, ["seq"] = seq / nodes.Count + 1, ["level"] = 60, ["source"] = "schedule",
                                ["watts"] = 38.4, ["volts"] = 230.1, ["energyWh"] = 412873, ["faults"] = new JsonArray(),
                            },
                        });
                    }
                    var batch = new JsonObject { ["v"] = 1, ["gateway"] = LoadGateway, ["sentAt"] = now, ["records"] = records };
                    using var response = await http.PostAsync($"api/v1/gateways/{LoadGateway}/batches",
                        new StringContent(batch.ToJsonString(), System.Text.Encoding.UTF8, "application/json"), ct);
                    var answer = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                    if (response.IsSuccessStatusCode && answer.GetProperty("rejected").GetArrayLength() == 0) Interlocked.Add(ref load.Stored, answer.GetProperty("accepted").GetInt32());
                    else Interlocked.Increment(ref load.Failed);
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                http.Dispose();
            }
        }, CancellationToken.None);
        return load;
    }

    static async Task<HttpClient> LoginAsync(DemoSite site)
    {
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer() };
        using var login = new HttpClient(handler) { BaseAddress = new Uri(site.CloudUrl) };
        var technician = DemoUsers.All.Single(u => u.Role == "technician");
        (await login.PostAsJsonAsync("api/v1/auth/login", new { name = technician.Name, password = technician.Password })).EnsureSuccessStatusCode();
        var token = await (await login.PostAsJsonAsync("api/v1/auth/tokens", new { name = "bench" })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var api = new HttpClient { BaseAddress = new Uri(site.CloudUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("token").GetString());
        return api;
    }

    /// <summary>Every street light connected to the gateway (its registry says so), so no command waits for a birth.</summary>
    static async Task WaitUntilConnectedAsync(DemoSite site, IReadOnlyList<string> lights)
    {
        var registry = site.Gateway.Services.GetRequiredService<Edge.Gateway.Registry.NodeRegistry>();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (lights.Any(l => registry.Find(l) is not { Connected: true }))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the fleet did not connect within 120 s");
            await Task.Delay(200);
        }
        await Task.Delay(2000); // births, time and retained configs settle first
    }

    static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1))];
    }
}
