using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Edge.Cloud.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Benchmarks;

/// <summary>
/// <c>--gateways N</c>: a region's nodes arrive through several gateways at once. The same records split by node over
/// N gateways (each node always through the same one, as the inventory assigns it), each gateway posting its own
/// batches one after another, all N at the same time; the baseline runs N writers the same way (each its own
/// connection, its gateway's batches in turn), so the ratio compares the same concurrency. The one-gateway paths stay.
/// </summary>
public static partial class Program
{
    private static int Gateways = 1;

    /// <summary>The suffix of a path measured with N concurrent writers.</summary>
    private static string WritersSuffix => $" [{Gateways} gateways]";

    /// <summary>Whether two paths ran with the same number of writers (so their ratio is fair).</summary>
    private static bool SameWriters(string a, string b) => a.EndsWith(WritersSuffix, StringComparison.Ordinal) == b.EndsWith(WritersSuffix, StringComparison.Ordinal);

    private static string GatewayId(int index) => $"gw-bench-{index + 1}";

    /// <summary>The gateway of a node: by its number, so every gateway carries a tenth of each kind of node.</summary>
    private static string GatewayOf(string node) => GatewayId(int.Parse(node.AsSpan(node.IndexOf('-') + 1), CultureInfo.InvariantCulture) % Gateways);

    /// <summary>Each gateway's batches: its nodes' records in order, as its own (the gateway column and key are its id),
    /// numbered 1, 2, 3 … as a gateway's outbox numbers them (a gap in a stream's seq is the rare case of a record refused,
    /// and makes the record feed read the stream back instead of applying the records ingestion held).</summary>
    private static List<List<IngestRecord[]>> SplitByGateway(List<IngestRecord[]> batches)
    {
        var size = batches[0].Length;
        var byGateway = Enumerable.Range(0, Gateways).Select(_ => new List<IngestRecord>()).ToList();
        foreach (var record in batches.SelectMany(b => b))
        {
            var gateway = GatewayOf(record.Node!);
            var own = byGateway[int.Parse(gateway["gw-bench-".Length..], CultureInfo.InvariantCulture) - 1];
            var numbered = record with { Gateway = gateway, Seq = own.Count + 1 };
            // The record's JSON starts with its outbox seq ({"seq":N,…); the payload's own seq is the node's and stays.
            var json = Json[record];
            if (!json.StartsWith("{\"seq\":", StringComparison.Ordinal)) throw new InvalidOperationException("a record's JSON must start with its seq: " + json);
            Json[numbered] = $"{{\"seq\":{numbered.Seq}" + json[json.IndexOf(',')..];
            own.Add(numbered);
        }
        return byGateway.Select(records => records.Chunk(size).ToList()).ToList();
    }

    /// <summary>Runs every gateway's batches through <paramref name="post"/>, one after another per gateway, all gateways
    /// at once: the rate over all records and the batch latencies of all gateways.</summary>
    private static async Task<Result> TimeGatewaysAsync(string provider, string path, List<List<IngestRecord[]>> perGateway,
        Func<int, IngestRecord[], int, Task> post, Func<Task>? drain = null)
    {
        var latencies = new List<double>();
        var window = TimedWindow.Start();
        var total = Stopwatch.StartNew();
        await Task.WhenAll(perGateway.Select((batches, gateway) => Task.Run(async () =>
        {
            var own = new List<double>(batches.Count);
            for (var i = 0; i < batches.Count; i++)
            {
                var one = Stopwatch.StartNew();
                await post(gateway, batches[i], i);
                own.Add(one.Elapsed.TotalMilliseconds);
            }
            lock (latencies) latencies.AddRange(own);
        })));
        if (drain is not null) await drain();
        var seconds = total.Elapsed.TotalSeconds;
        window.Print(provider, path + WritersSuffix, perGateway.Sum(g => g.Count));
        latencies.Sort();
        return new Result(provider, path + WritersSuffix, perGateway.Sum(g => g.Sum(b => b.Length)), seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.95));
    }

    /// <summary>The baseline with N writers: each gateway's batches on its own connection, all at once.</summary>
    private static async Task<Result> RawGatewaysAsync(string provider, string path, List<IngestRecord[]> batches, IStorageConnections database,
        Func<DbConnection, IngestRecord[], Task> write)
    {
        var perGateway = SplitByGateway(batches);
        var connections = new List<DbConnection>();
        for (var i = 0; i < Gateways; i++) connections.Add(await database.OpenAsync());
        try
        {
            return await TimeGatewaysAsync(provider, path, perGateway, (gateway, batch, _) => write(connections[gateway], batch));
        }
        finally
        {
            foreach (var connection in connections) await connection.DisposeAsync();
        }
    }

    /// <summary>The http path with N gateways posting at once, each with its own token and client, timed until the record
    /// feed has derived the node state of every gateway's last record.</summary>
    private static async Task<Result> HttpGatewaysAsync(string provider, List<IngestRecord[]> batches, Dictionary<string, string?> storage)
    {
        var perGateway = SplitByGateway(batches);
        var tokens = Enumerable.Range(0, Gateways).Select(_ => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))).ToList();
        var settings = new Dictionary<string, string?>(storage) { ["Logging:LogLevel:Default"] = "Warning" };
        for (var i = 0; i < Gateways; i++)
        {
            settings[$"Gateways:Seed:{i}:Id"] = GatewayId(i);
            settings[$"Gateways:Seed:{i}:Token"] = tokens[i];
        }
        var app = Edge.Cloud.Program.CreateApp([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(settings);
        });
        await app.StartAsync();
        try
        {
            var connections = app.Services.GetRequiredService<IStorageConnections>();
            await SeedNodesAsync(connections, batches, GatewayOf);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var clients = tokens.Select(token =>
            {
                var http = new HttpClient { BaseAddress = new Uri(address) };
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
                http.DefaultRequestHeaders.UserAgent.TryParseAdd("edge-gateway/1.0.0-bench");
                return http;
            }).ToList();
            for (var i = 0; i < Gateways; i++) await FirstRequestAsync(clients[i], GatewayId(i));
            await JitQuietAsync();
            var bodies = perGateway.Select((own, gateway) => own.Select(b => GzipBody(b, GatewayId(gateway))).ToList()).ToList();
            // The same split as the one-gateway path (its stages summed over all gateways' batches), so that the CPU per batch
            // and the record feed's transactions per batch of the figure the target is judged on are printed too.
            using var stages = new StageListener(app.Services.GetRequiredService<Edge.Cloud.Telemetry.CloudMetrics>().Meter);
            var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            var settleCpu = PathSettle.Cpu;
            var jit = System.Runtime.JitInfo.GetCompilationTime();
            try
            {
                var result = await TimeGatewaysAsync(provider, "http: POST gzip batches", perGateway, async (gateway, batch, index) =>
                {
                    using var content = new ByteArrayContent(bodies[gateway][index]);
                    content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    content.Headers.ContentEncoding.Add("gzip");
                    content.Headers.Add("Edge-Outbox-Depth", ((perGateway[gateway].Count - index - 1) * batch.Length).ToString(CultureInfo.InvariantCulture));
                    using var response = await clients[gateway].PostAsync($"api/v1/gateways/{GatewayId(gateway)}/batches", content);
                    var answer = await response.Content.ReadAsStringAsync();
                    using var json = JsonDocument.Parse(answer);
                    if (!response.IsSuccessStatusCode || json.RootElement.GetProperty("accepted").GetInt32() != batch.Length)
                    {
                        throw new InvalidOperationException($"{GatewayId(gateway)} batch {index + 1} was not accepted whole: {(int)response.StatusCode} {answer}");
                    }
                }, () => AllNodeStateAppliedAsync(connections, perGateway.Select((own, gateway) => (GatewayId(gateway), own[^1][^1].Seq)).ToList()));
                var cpuMs = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu - (PathSettle.Cpu - settleCpu)).TotalMilliseconds;
                HttpSplits.Add(new HttpSplit($"{provider} [{Gateways} gateways]", batches.Count, result.Seconds * 1000, cpuMs, (System.Runtime.JitInfo.GetCompilationTime() - jit).TotalMilliseconds, stages.Snapshot(), stages.FeedMs, stages.FeedBatches,
                    app.Services.GetRequiredService<Edge.Cloud.Alarms.RecordFeed>().NodeStatesWritten));
                return result;
            }
            finally
            {
                foreach (var client in clients) client.Dispose();
            }
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Waits until the record feed has derived node state up to each gateway's last seq.</summary>
    private static async Task AllNodeStateAppliedAsync(IStorageConnections connections, List<(string Gateway, long Seq)> last)
    {
        while (true)
        {
            var applied = new Dictionary<string, long>(StringComparer.Ordinal);
            await using (var connection = await connections.OpenAsync())
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT gateway, seq FROM node_state_feed";
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync()) applied[reader.GetString(0)] = reader.GetInt64(1);
            }
            if (last.All(l => applied.GetValueOrDefault(l.Gateway, -1) >= l.Seq)) return;
            await Task.Delay(5);
        }
    }
}
