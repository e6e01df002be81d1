using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Gateways;
using Edge.Cloud.Ingestion;
using Edge.Cloud.Storage;
using Edge.Cloud.Storage.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Benchmarks;

/// <summary>
/// The path <c>feed</c>: each batch stored, then the record feed's pass over what it stored — node state, acks and
/// alarm rules, as the running cloud does after each ingest commit (<see cref="RecordFeed.RunArrivedAsync"/>) —
/// one after the other on a fresh database, with the cloud's real services (no HTTP, no hosted services). All the
/// database work a batch causes; against the "store + node state feed" path it adds the alarm part of the feed.
/// </summary>
internal static class RecordFeedPath
{
    public static async Task<(double Seconds, List<double> Latencies)> RunAsync(List<IngestRecord[]> batches, Dictionary<string, string?> storage, string gateway, Func<IStorageConnections, Task> seed)
    {
        var app = Edge.Cloud.Program.CreateApp([], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(storage) { ["Logging:LogLevel:Default"] = "Warning" }));
        await using (app)
        {
            var services = app.Services;
            await services.GetRequiredService<Migrator>().MigrateAsync();
            await services.GetRequiredService<GatewayRegistry>().RegisterAsync(gateway);
            await services.GetRequiredService<OutboxEpochs>().NoteAsync(gateway, "");
            await seed(services.GetRequiredService<IStorageConnections>());
            var store = services.GetRequiredService<IIngestStore>();
            var arrivals = services.GetRequiredService<RecordArrivals>();
            var feed = services.GetRequiredService<RecordFeed>();
            // Partitions and pooled connections, as for the baseline: not part of what it measures.
            IngestRecord[] warmUp = [batches[0].First(r => r.Telemetry is not null) with { Gateway = "warm-up" }];
            await store.StoreAsync(warmUp);
            await PathSettle.BeforePathAsync();
            var latencies = new List<double>(batches.Count);
            var total = Stopwatch.StartNew();
            foreach (var batch in batches)
            {
                var one = Stopwatch.StartNew();
                arrivals.Notify(batch, await store.StoreAsync(batch));
                await feed.RunArrivedAsync();
                latencies.Add(one.Elapsed.TotalMilliseconds);
            }
            return (total.Elapsed.TotalSeconds, latencies);
        }
    }
}
