using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Tests.RealCloud;
using Xunit.Abstractions;

namespace Edge.Gateway.Tests.Uplink;

/// <summary>
/// Issue 5 "Done when": SIGKILL the gateway process repeatedly under load and prove, by reading what the real cloud
/// (Edge.Cloud in-process, on SQLite and on PostgreSQL) stored, that every acknowledged message arrives exactly once
/// and in order per node — in gateway-seq order and in the order the cloud accepted them. The cloud dedupes by
/// gateway seq (docs/uplink.md §2 rule 2); on top of that the test checks that no (node, boot, seq) was stored under
/// two different gateway seqs — a payload-level duplicate the cloud's dedupe could not catch. Nodes are registered in
/// the cloud's inventory and reach the gateway through the real downlink. Kept lean (three nodes, three kills): it is
/// one of the suite's expensive tests, run twice.
/// </summary>
public abstract class UplinkCrashTests(CloudStorage storage, ITestOutputHelper output)
{
    const int Nodes = 3;
    const int Kills = 3;
    const int AcksBetweenKills = 150;

    [Fact]
    public async Task Repeated_SIGKILL_under_load_delivers_every_acknowledged_message_to_the_cloud_exactly_once_and_in_order()
    {
        await using var cloud = await EdgeCloud.StartAsync(storage);
        var secrets = new Dictionary<string, string>();
        for (var i = 1; i <= Nodes; i++) secrets[$"sl-{i:0000}"] = await cloud.AddNodeAsync($"sl-{i:0000}", "streetlight");
        var dataDir = TestGateway.NewTempDir();
        var mqttPort = TestGateway.FreePort();
        var httpPort = TestGateway.FreePort();
        var args = cloud.GatewayArgs("--Gateway:Uplink:MaxBatchRecords=40", "--Gateway:Uplink:ForwardState=false");
        GatewayProcess? gateway = await GatewayProcess.StartAsync(dataDir, mqttPort, httpPort, args);

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

        var records = await NodeRecords(cloud);
        output.WriteLine($"acked {TotalAcked()}, stored at the cloud ({storage}) {records.Count}");
        var byIdentity = records.GroupBy(r => (r.Node, r.Boot, r.Seq)).Where(g => g.Count() > 1).ToList();
        Assert.True(byIdentity.Count == 0, "payload-level duplicates: " + string.Join(", ", byIdentity.Take(10).Select(g => $"{g.Key} under gateway seqs {string.Join("/", g.Select(r => r.GatewaySeq))}")));
        foreach (var (node, queue) in acked)
        {
            var seqs = records.Where(r => r.Node == node).OrderBy(r => r.GatewaySeq).Select(r => r.Seq).ToList();
            for (var i = 1; i < seqs.Count; i++)
            {
                Assert.True(seqs[i] > seqs[i - 1], $"{node}: seq {seqs[i]} after {seqs[i - 1]} in gateway seq order");
            }
            // The same, in the order the cloud accepted them (not only sorted by gateway seq).
            var bySeq = records.Where(r => r.Node == node).ToDictionary(r => r.GatewaySeq, r => r.Seq);
            var arrived = cloud.Arrivals.Seqs().Where(bySeq.ContainsKey).Select(s => bySeq[s]).ToList();
            Assert.Equal(seqs, arrived);
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

    static async Task<List<NodeRecord>> NodeRecords(EdgeCloud cloud)
        => (await cloud.RecordsAsync()).Where(r => r.Kind is "telemetry" or "event")
            .Select(r => new NodeRecord(r.Seq, r.Node!, (long)r.Payload["boot"]!, (long)r.Payload["seq"]!)).ToList();

}

public sealed class UplinkCrashOnSqliteTests(ITestOutputHelper output) : UplinkCrashTests(CloudStorage.Sqlite, output);

public sealed class UplinkCrashOnPostgresTests(ITestOutputHelper output) : UplinkCrashTests(CloudStorage.Postgres, output);
