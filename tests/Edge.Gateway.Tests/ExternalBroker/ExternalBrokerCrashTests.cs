using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Broker;
using Edge.Gateway.Registry;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Formatter;

namespace Edge.Gateway.Tests.ExternalBroker;

/// <summary>
/// Acknowledge-after-commit with an external broker: nodes publish to a real Mosquitto, which PUBACKs them; the
/// gateway (its own process, external mode) is SIGKILLed repeatedly under that load. Every message Mosquitto
/// acknowledged to a node must end up in the outbox exactly once and in order, because the gateway PUBACKs a
/// message to Mosquitto only after committing it, and Mosquitto re-sends what the killed gateway had not
/// acknowledged. Mutation check: letting MQTTnet acknowledge on receipt (AutoAcknowledge left true) loses messages here.
/// </summary>
public sealed class ExternalBrokerCrashTests
{
    const int Nodes = 4;
    const int Kills = 4;
    const int AcksBetweenKills = 300;

    [Fact]
    public async Task Repeated_SIGKILL_of_the_attached_gateway_loses_no_message_mosquitto_acknowledged_and_duplicates_none()
    {
        await using var broker = SiteMosquitto.Create();
        var dataDir = TestGateway.NewTempDir();
        var secrets = new Dictionary<string, string>();
        using (var registry = new NodeRegistry(Path.Combine(dataDir, "gateway.db"), 1000, NullLogger<NodeRegistry>.Instance))
        {
            for (var i = 1; i <= Nodes; i++) secrets[$"sl-{i:0000}"] = registry.Add(new NodeRegistration($"sl-{i:0000}", TestGateway.Site, "streetlight"));
            MosquittoExport.Write(broker.ExportDirectory, registry, new ExternalBrokerOptions { Password = ExternalSite.GatewayPassword }, 1000);
        }
        await broker.StartAsync();
        string[] args =
        [
            "--broker-mode", "external", "--broker-port", broker.Port.ToString(CultureInfo.InvariantCulture),
            "--Gateway:Broker:External:Password=" + ExternalSite.GatewayPassword,
            "--Gateway:Broker:External:ReconnectBaseMilliseconds=50", "--Gateway:Broker:External:ReconnectCapMilliseconds=500",
        ];
        var httpPort = TestGateway.FreePort();
        var gateway = await GatewayProcess.StartAsync(dataDir, TestGateway.FreePort(), httpPort, args);

        var acked = secrets.Keys.ToDictionary(n => n, _ => new ConcurrentQueue<long>());
        using var stop = new CancellationTokenSource();
        var publishers = secrets.Select(n => Task.Run(() => PublishAsync(n.Key, n.Value, broker.Port, acked[n.Key], stop.Token))).ToArray();
        long TotalAcked() => acked.Values.Sum(q => (long)q.Count);
        try
        {
            for (var kill = 1; kill <= Kills; kill++)
            {
                var target = TotalAcked() + AcksBetweenKills;
                await TestGateway.WaitUntilAsync(() => TotalAcked() >= target, $"{AcksBetweenKills} more acks before kill {kill}", 180);
                gateway.KillHard();
                gateway.Dispose();
                gateway = await GatewayProcess.StartAsync(dataDir, TestGateway.FreePort(), httpPort, args);
            }
            var final = TotalAcked() + AcksBetweenKills;
            await TestGateway.WaitUntilAsync(() => TotalAcked() >= final, "acks after the last restart", 180);
            stop.Cancel();
            await Task.WhenAll(publishers);

            // Everything Mosquitto acknowledged reaches the outbox (a hang guard, not a timing assertion).
            await TestGateway.WaitUntilAsync(() =>
            {
                var stored = CrashLoad.ReadOutbox(Path.Combine(dataDir, "outbox.db"), readOnly: true);
                return acked.All(a => stored.TryGetValue(a.Key, out var seqs) && a.Value.ToHashSet().IsSubsetOf(seqs));
            }, "every acknowledged message in the outbox", 60);
        }
        catch (TimeoutException)
        {
            // Report what is missing below rather than the wait itself.
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(publishers);
            gateway.KillHard();
            gateway.Dispose();
        }

        var stored = CrashLoad.ReadOutbox(Path.Combine(dataDir, "outbox.db"), readOnly: true);
        foreach (var (nodeId, seqsAcked) in acked)
        {
            var seqs = stored.TryGetValue(nodeId, out var list) ? list : new List<long>();
            for (var i = 1; i < seqs.Count; i++)
            {
                Assert.True(seqs[i] > seqs[i - 1], $"{nodeId}: seq {seqs[i]} after {seqs[i - 1]} in the outbox (duplicate or out of order)");
            }
            var present = seqs.ToHashSet();
            var missing = seqsAcked.Where(s => !present.Contains(s)).ToArray();
            Assert.True(missing.Length == 0, $"{nodeId}: acknowledged by Mosquitto but missing from the outbox: {string.Join(",", missing.Take(20))} ({missing.Length})");
        }
        Assert.True(TotalAcked() >= (Kills + 1) * AcksBetweenKills);
    }

    /// <summary>A node on the site broker: QoS 1, one message at a time, a short pause between them.</summary>
    static async Task PublishAsync(string nodeId, string secret, int port, ConcurrentQueue<long> acked, CancellationToken stop)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(nodeId).WithCredentials(nodeId, secret).WithCleanSession().WithTimeout(TimeSpan.FromSeconds(10)).Build();
        var connect = await client.ConnectAsync(options, stop);
        if (connect.ResultCode != MqttClientConnectResultCode.Success) throw new InvalidOperationException($"{nodeId}: {connect.ResultCode}");
        for (long seq = 1; !stop.IsCancellationRequested; seq++)
        {
            var message = seq % 5 == 0
                ? TestGateway.Message(TestGateway.Topic(nodeId, "event"), TestGateway.Event(1, seq))
                : TestGateway.Message(TestGateway.Topic(nodeId, "telemetry"), TestGateway.Telemetry(1, seq));
            try
            {
                var result = await client.PublishAsync(message, stop);
                if (!result.IsSuccess) throw new InvalidOperationException($"{nodeId}: publish {seq} refused: {result.ReasonCode}");
                acked.Enqueue(seq);
                await Task.Delay(3, stop);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                break; // MQTTnet reports a cancelled PUBACK wait as a timeout
            }
        }
    }
}
