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
        var publishers = nodes.Select(n => Task.Run(() => PublishLikeANode(n, mqttPort, acked[n.NodeId], attempted, stop.Token))).ToArray();
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

        var stored = ReadOutbox(Path.Combine(dataDir, "outbox.db"));
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

    static async Task PublishLikeANode(Provisioned node, int port, ConcurrentQueue<long> acked, ConcurrentDictionary<string, long> attempted, CancellationToken stop)
    {
        var factory = new MqttClientFactory();
        IMqttClient? client = null;
        long seq = 1;
        var topicTelemetry = TestGateway.Topic(node.NodeId, "telemetry");
        var topicEvent = TestGateway.Topic(node.NodeId, "event");
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (client is null || !client.IsConnected)
                {
                    client?.Dispose();
                    client = factory.CreateMqttClient();
                    var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V311)
                        .WithClientId(node.NodeId).WithCredentials(node.NodeId, node.Secret).WithCleanSession().WithTimeout(TimeSpan.FromSeconds(10)).Build();
                    var connect = await client.ConnectAsync(options, stop);
                    if (connect.ResultCode != MqttClientConnectResultCode.Success) throw new InvalidOperationException(connect.ResultCode.ToString());
                }
                attempted.AddOrUpdate(node.NodeId, seq, (_, old) => Math.Max(old, seq));
                var message = seq % 5 == 0
                    ? TestGateway.Message(topicEvent, TestGateway.Event(1, seq))
                    : TestGateway.Message(topicTelemetry, TestGateway.Telemetry(1, seq));
                var result = await client.PublishAsync(message, stop);
                if (result.IsSuccess)
                {
                    acked.Enqueue(seq);
                    seq++;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception)
            {
                // Connection lost (the gateway was killed): re-send the same seq after reconnecting.
                client?.Dispose();
                client = null;
                try { await Task.Delay(20, stop); } catch (OperationCanceledException) { break; }
            }
        }
        client?.Dispose();
    }

    static Dictionary<string, List<long>> ReadOutbox(string path)
    {
        var result = new Dictionary<string, List<long>>();
        using var db = new SqliteConnection($"Data Source={path};Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT node_id, seq FROM outbox ORDER BY gw_seq";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var node = reader.GetString(0);
            if (!result.TryGetValue(node, out var list)) result[node] = list = new List<long>();
            list.Add(reader.GetInt64(1));
        }
        return result;
    }
}
