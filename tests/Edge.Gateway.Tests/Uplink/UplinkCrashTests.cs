using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Json;
using System.Threading;
using System.Threading.Tasks;
using MQTTnet;
using MQTTnet.Formatter;
using Xunit.Abstractions;

namespace Edge.Gateway.Tests.Uplink;

/// <summary>
/// Issue 5 "Done when": SIGKILL the gateway process repeatedly under load and prove, by counting at a real HTTP
/// receiver standing in for the cloud, that every acknowledged message arrives exactly once and in order per node.
/// The receiver dedupes by gateway seq (as the cloud does, docs/uplink.md §2 rule 2); on top of that the test checks
/// that no (node, boot, seq) reached it under two different gateway seqs — a payload-level duplicate the cloud's
/// dedupe could not catch.
/// </summary>
public sealed class UplinkCrashTests(ITestOutputHelper output)
{
    const int Nodes = 4;
    const int Kills = 5;
    const int AcksBetweenKills = 250;

    [Fact]
    public async Task Repeated_SIGKILL_under_load_delivers_every_acknowledged_message_to_the_cloud_exactly_once_and_in_order()
    {
        await using var cloud = await FakeCloud.StartAsync();
        var dataDir = TestGateway.NewTempDir();
        var mqttPort = TestGateway.FreePort();
        var httpPort = TestGateway.FreePort();
        var args = CloudArgs.For(cloud, "--Gateway:Uplink:MaxBatchRecords=40");
        GatewayProcess? gateway = await GatewayProcess.StartAsync(dataDir, mqttPort, httpPort, args);
        var secrets = new Dictionary<string, string>();
        using (var http = new HttpClient())
        {
            for (var i = 1; i <= Nodes; i++)
            {
                var nodeId = $"sl-{i:0000}";
                var response = await http.PostAsJsonAsync($"http://127.0.0.1:{httpPort}/api/nodes", new { nodeId, site = TestGateway.Site, type = "streetlight" });
                response.EnsureSuccessStatusCode();
                secrets[nodeId] = (await response.Content.ReadFromJsonAsync<Dictionary<string, string>>())!["secret"];
            }
        }

        var acked = secrets.Keys.ToDictionary(n => n, _ => new ConcurrentQueue<long>());
        using var stop = new CancellationTokenSource();
        var publishers = secrets.Select(kv => Task.Run(() => CrashLoad.PublishLikeANode(kv.Key, kv.Value, mqttPort, acked[kv.Key], stop.Token))).ToArray();
        long TotalAcked() => acked.Values.Sum(q => (long)q.Count);
        try
        {
            for (var kill = 1; kill <= Kills; kill++)
            {
                var target = TotalAcked() + AcksBetweenKills;
                await TestGateway.WaitUntilAsync(() => TotalAcked() >= target, $"{AcksBetweenKills} more acks before kill {kill}", 180);
                gateway.KillHard();
                gateway.Dispose();
                gateway = null;
                gateway = await GatewayProcess.StartAsync(dataDir, mqttPort, httpPort, args);
            }
            var final = TotalAcked() + AcksBetweenKills;
            await TestGateway.WaitUntilAsync(() => TotalAcked() >= final, "acks after the last restart", 180);
            stop.Cancel();
            await Task.WhenAll(publishers);
            // Drained: the gateway has marked everything forwarded, which it may do only after the cloud's 200.
            using var health = new HttpClient();
            await TestGateway.WaitUntilAsync(() => OutboxDepth(health, httpPort) == 0, "the outbox forwarded completely", 180);
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(publishers);
            gateway?.Dispose(); // SIGKILL: nothing is flushed at shutdown
        }

        var records = NodeRecords(cloud);
        output.WriteLine($"acked {TotalAcked()}, stored at the cloud {records.Count}, batch duplicates absorbed by seq {cloud.Duplicates}");
        var byIdentity = records.GroupBy(r => (r.Node, r.Boot, r.Seq)).Where(g => g.Count() > 1).ToList();
        Assert.True(byIdentity.Count == 0, "payload-level duplicates: " + string.Join(", ", byIdentity.Take(10).Select(g => $"{g.Key} under gateway seqs {string.Join("/", g.Select(r => r.GatewaySeq))}")));
        foreach (var (node, queue) in acked)
        {
            var seqs = records.Where(r => r.Node == node).OrderBy(r => r.GatewaySeq).Select(r => r.Seq).ToList();
            for (var i = 1; i < seqs.Count; i++)
            {
                Assert.True(seqs[i] > seqs[i - 1], $"{node}: seq {seqs[i]} after {seqs[i - 1]} in gateway seq order");
            }
            var present = seqs.ToHashSet();
            var missing = queue.Where(s => !present.Contains(s)).ToArray();
            Assert.True(missing.Length == 0, $"{node}: acknowledged but never reached the cloud: {string.Join(",", missing.Take(20))}");
        }
        Assert.True(TotalAcked() >= (Kills + 1) * AcksBetweenKills);
    }

    static long OutboxDepth(HttpClient http, int httpPort)
    {
        try
        {
            var report = System.Text.Json.Nodes.JsonNode.Parse(http.GetStringAsync($"http://127.0.0.1:{httpPort}/health").Result)!;
            return (long)report["outboxDepth"]!;
        }
        catch (AggregateException)
        {
            return -1;
        }
    }

    sealed record NodeRecord(long GatewaySeq, string Node, long Boot, long Seq);

    static List<NodeRecord> NodeRecords(FakeCloud cloud)
        => cloud.Records().Where(r => (string?)r["kind"] is "telemetry" or "event")
            .Select(r => new NodeRecord((long)r["seq"]!, (string)r["node"]!, (long)r["payload"]!["boot"]!, (long)r["payload"]!["seq"]!)).ToList();

}
