using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using MQTTnet;
using MQTTnet.Formatter;

namespace Edge.Gateway.Tests;

/// <summary>
/// Issue 5 "survives kill -9 at any instant": QoS 1 publishers drive the gateway process while it is SIGKILLed
/// repeatedly; afterwards every message that got a PUBACK is in the outbox exactly once and in order per node.
/// Publishers behave like node outboxes (protocol.md §14): one message in flight, re-sent with the same
/// (boot, seq) until it is acknowledged.
/// </summary>
public sealed class CrashTests
{
    const int Nodes = 6;
    const int Kills = 5;
    const int AcksBetweenKills = 300;

    sealed record Provisioned(string NodeId, string Secret);

    [Fact]
    public async Task Repeated_SIGKILL_under_load_loses_no_acknowledged_message_and_duplicates_none()
    {
        var dataDir = TestGateway.NewTempDir();
        var mqttPort = TestGateway.FreePort();
        var httpPort = TestGateway.FreePort();
        var gateway = await GatewayProcess.StartAsync(dataDir, mqttPort, httpPort);
        var nodes = new List<Provisioned>();
        using (var http = new HttpClient())
        {
            for (var i = 1; i <= Nodes; i++)
            {
                var response = await http.PostAsJsonAsync($"http://127.0.0.1:{httpPort}/api/nodes", new { nodeId = $"sl-{i:0000}", site = TestGateway.Site, type = "streetlight" });
                response.EnsureSuccessStatusCode();
                var body = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();
                nodes.Add(new Provisioned($"sl-{i:0000}", body!["secret"]));
            }
        }

        var acked = nodes.ToDictionary(n => n.NodeId, _ => new ConcurrentQueue<long>());
        var attempted = new ConcurrentDictionary<string, long>();
        using var stop = new CancellationTokenSource();
        var publishers = nodes.Select(n => Task.Run(() => CrashLoad.PublishLikeANode(n.NodeId, n.Secret, mqttPort, acked[n.NodeId], stop.Token,
            seq => attempted.AddOrUpdate(n.NodeId, seq, (_, old) => Math.Max(old, seq))))).ToArray();
        long TotalAcked() => acked.Values.Sum(q => (long)q.Count);

        try
        {
            for (var kill = 1; kill <= Kills; kill++)
            {
                var target = TotalAcked() + AcksBetweenKills;
                await TestGateway.WaitUntilAsync(() => TotalAcked() >= target, $"{AcksBetweenKills} more acks before kill {kill}", 180);
                gateway.KillHard();
                gateway.Dispose();
                gateway = await GatewayProcess.StartAsync(dataDir, mqttPort, httpPort);
            }
            var final = TotalAcked() + AcksBetweenKills;
            await TestGateway.WaitUntilAsync(() => TotalAcked() >= final, "acks after the last restart", 180);
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(publishers);
            gateway.KillHard(); // the last one too: nothing is flushed at shutdown
            gateway.Dispose();
        }

        var stored = CrashLoad.ReadOutbox(Path.Combine(dataDir, "outbox.db"));
        foreach (var node in nodes)
        {
            var seqs = stored.TryGetValue(node.NodeId, out var list) ? list : new List<long>();
            // In order and exactly once: strictly increasing in gateway sequence order.
            for (var i = 1; i < seqs.Count; i++)
            {
                Assert.True(seqs[i] > seqs[i - 1], $"{node.NodeId}: seq {seqs[i]} after {seqs[i - 1]} in the outbox");
            }
            var present = seqs.ToHashSet();
            var missing = acked[node.NodeId].Where(s => !present.Contains(s)).ToArray();
            Assert.True(missing.Length == 0, $"{node.NodeId}: acknowledged but missing: {string.Join(",", missing.Take(20))}");
            Assert.All(seqs, s => Assert.InRange(s, 1, attempted[node.NodeId]));
        }
        Assert.True(TotalAcked() >= (Kills + 1) * AcksBetweenKills);
    }
}
