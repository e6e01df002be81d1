using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Inventory;
using Edge.Cloud.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Tests.Ingestion;

/// <summary>
/// Issue 13 item 5: several gateways posting at once to the real endpoint on a real PostgreSQL. Each gateway
/// has two senders in flight (a retry overlapping a slow request, or a cloned gateway) whose batches touch the
/// same nodes in opposite orders — the pattern that deadlocked the node-state upsert. Every record must be
/// stored exactly once and no answer may be a 500.
/// </summary>
public sealed class ConcurrentBatchesTests : IAsyncLifetime
{
    private const int Gateways = 4;
    private const int NodesPerGateway = 20;
    private const int BatchesPerSender = 8;
    private TestPostgres _database = null!;
    private CloudServer _server = null!;

    private static string GatewayId(int g) => $"gw-conc-{g}";

    private static string Token(int g) => $"token-of-gw-conc-{g}-is-at-least-32-characters";

    private static string Node(int g, int n) => $"sl-c{g}-{n:D2}";

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:PostgresConnectionString"] = _database.ConnectionString,
        };
        for (var g = 0; g < Gateways; g++)
        {
            settings[$"Gateways:Seed:{g}:Id"] = GatewayId(g);
            settings[$"Gateways:Seed:{g}:Token"] = Token(g);
        }
        _server = await CloudServer.StartAsync(settings);
        var inventory = _server.App.Services.GetRequiredService<InventoryService>();
        await inventory.PutSiteAsync("installer", Records.Site, new SiteRequest("Igoumenitsa", null));
        for (var g = 0; g < Gateways; g++)
        {
            for (var n = 0; n < NodesPerGateway; n++)
            {
                await inventory.PutNodeAsync("installer", Node(g, n),
                    new NodeRequest(Records.Site, "streetlight", GatewayId(g), null, null, null, null, null, null, null, null, null));
            }
        }
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>One batch: every node of the gateway once as telemetry and once as a state, nodes in the given order.</summary>
    private static JsonObject Batch(int g, long firstSeq, bool reversed, long now)
    {
        var order = Enumerable.Range(0, NodesPerGateway);
        if (reversed) order = order.Reverse();
        var records = new List<JsonObject>();
        var seq = firstSeq;
        foreach (var n in order)
        {
            records.Add(Records.Streetlight(seq++, Node(g, n), now, 40 + n));
            records.Add(Records.State(seq++, Node(g, n), now, "online", 1));
        }
        var batch = Records.Batch(GatewayId(g), records.ToArray());
        batch["sentAt"] = now;
        return batch;
    }

    private Task<(HttpStatusCode Status, string Body)> PostAsync(int g, JsonObject batch) => _server.PostBatchAsync(GatewayId(g), Token(g), batch);

    [Fact]
    public async Task Concurrent_gateways_store_every_record_once_without_a_server_error()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        const int perBatch = NodesPerGateway * 2;
        var senders = new List<Task<List<(HttpStatusCode Status, string Body)>>>();
        for (var g = 0; g < Gateways; g++)
        {
            for (var s = 0; s < 2; s++)
            {
                var (gateway, sender) = (g, s);
                senders.Add(Task.Run(async () =>
                {
                    var answers = new List<(HttpStatusCode, string)>();
                    for (var b = 0; b < BatchesPerSender; b++)
                    {
                        // Sender 0 takes seqs 1.., sender 1 the range after it; opposite node orders.
                        var firstSeq = 1 + (sender * BatchesPerSender + b) * perBatch;
                        answers.Add(await PostAsync(gateway, Batch(gateway, firstSeq, reversed: sender == 1, now)));
                    }
                    return answers;
                }));
            }
        }
        var all = (await Task.WhenAll(senders)).SelectMany(a => a).ToList();

        var failures = all.Where(a => a.Status != HttpStatusCode.OK).Select(a => $"{(int)a.Status}: {a.Body}").ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} of {all.Count} answers failed, first: {failures.FirstOrDefault()}");
        var accepted = all.Sum(a => JsonDocument.Parse(a.Body).RootElement.GetProperty("accepted").GetInt32());
        const int expected = Gateways * 2 * BatchesPerSender * perBatch;
        Assert.Equal(expected, accepted);
        Assert.Equal(expected, await CountAsync("SELECT COUNT(*) FROM records"));
        Assert.Equal(expected, await CountAsync("SELECT COUNT(DISTINCT (gateway, seq)) FROM records"));
        Assert.Equal(expected / 2, await CountAsync("SELECT COUNT(*) FROM telemetry"));
        // Node state is derived after the ingest transactions, by the record feed: one more pass, then every node is in.
        await _server.App.Services.GetRequiredService<RecordFeed>().RunOnceAsync();
        Assert.Equal(Gateways * NodesPerGateway, await CountAsync("SELECT COUNT(*) FROM node_state WHERE status = 'online'"));
    }

    private Task<long> CountAsync(string sql) => _server.CountAsync(sql);
}
