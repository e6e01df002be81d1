using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using MQTTnet;
using MQTTnet.Formatter;

namespace Edge.Gateway.Tests;

/// <summary>The load and the bookkeeping the crash tests share.</summary>
public static class CrashLoad
{
    /// <summary>
    /// Publishes like a node outbox (protocol.md §14): QoS 1, one message in flight, every fifth an event,
    /// re-sent with the same (boot, seq) after a lost connection until acknowledged; each acknowledged seq
    /// goes to <paramref name="acked"/>. <paramref name="attempting"/> (optional) sees each seq before it is sent.
    /// </summary>
    public static async Task PublishLikeANode(string nodeId, string secret, int port, ConcurrentQueue<long> acked,
        CancellationToken stop, Action<long>? attempting = null)
    {
        var factory = new MqttClientFactory();
        IMqttClient? client = null;
        long seq = 1;
        var topicTelemetry = TestGateway.Topic(nodeId, "telemetry");
        var topicEvent = TestGateway.Topic(nodeId, "event");
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (client is null || !client.IsConnected)
                {
                    client?.Dispose();
                    client = factory.CreateMqttClient();
                    var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V311)
                        .WithClientId(nodeId).WithCredentials(nodeId, secret).WithCleanSession().WithTimeout(TimeSpan.FromSeconds(10)).Build();
                    var connect = await client.ConnectAsync(options, stop);
                    if (connect.ResultCode != MqttClientConnectResultCode.Success) throw new InvalidOperationException(connect.ResultCode.ToString());
                }
                attempting?.Invoke(seq);
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

    /// <summary>Node seqs in the outbox database, per node, in gateway-sequence order.</summary>
    public static Dictionary<string, List<long>> ReadOutbox(string path, bool readOnly = false)
    {
        var result = new Dictionary<string, List<long>>();
        using var db = new SqliteConnection($"Data Source={path};{(readOnly ? "Mode=ReadOnly;" : "")}Pooling=False");
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
