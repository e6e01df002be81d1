using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Gateway.Tests.Downlink;

/// <summary>An MQTT client that behaves like a node on connect (protocol.md §4.1): subscribe to its downstream topics, then publish the birth.</summary>
public sealed class NodeClient : IAsyncDisposable
{
    readonly ConcurrentQueue<(string Leaf, JsonObject? Payload, bool Retained)> _received = new();

    NodeClient(IMqttClient client, string nodeId)
    {
        Client = client;
        NodeId = nodeId;
    }

    public IMqttClient Client { get; }
    public string NodeId { get; }

    public static async Task<NodeClient> ConnectAsync(TestGateway gateway, string nodeId, string secret, string type, bool birth = true)
    {
        var client = await gateway.ConnectAsync(nodeId, secret);
        var node = new NodeClient(client, nodeId);
        var prefix = $"edge/{TestGateway.Site}/{nodeId}/";
        client.ApplicationMessageReceivedAsync += e =>
        {
            var text = Encoding.UTF8.GetString(e.ApplicationMessage.Payload);
            node._received.Enqueue((e.ApplicationMessage.Topic[prefix.Length..], text.Length == 0 ? null : JsonNode.Parse(text)!.AsObject(), e.ApplicationMessage.Retain));
            return Task.CompletedTask;
        };
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var leaf in type == "busstop" ? new[] { "config", "cmd", "time", "display" } : new[] { "config", "cmd", "time" })
        {
            subscribe.WithTopicFilter(prefix + leaf, MqttQualityOfServiceLevel.AtLeastOnce);
        }
        await client.SubscribeAsync(subscribe.Build());
        if (birth) await node.BirthAsync(type);
        return node;
    }

    /// <summary>An <c>online</c> state: the first of a connection or of a new <paramref name="boot"/> is a birth, a repeat a heartbeat.</summary>
    public Task BirthAsync(string type, long configVersion = 0, long boot = 1)
        => Client.PublishAsync(TestGateway.Message(TestGateway.Topic(NodeId, "state"),
            $$"""{"v":1,"status":"online","ts":{{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}},"type":"{{type}}","fw":"1.2.0","configVersion":{{configVersion}},"boot":{{boot}}}""", retain: true));

    public Task PublishAsync(string leaf, string payload) => Client.PublishAsync(TestGateway.Message(TestGateway.Topic(NodeId, leaf), payload));

    public (string Leaf, JsonObject? Payload, bool Retained)[] Received => _received.ToArray();

    public JsonObject[] Of(string leaf) => _received.Where(m => m.Leaf == leaf && m.Payload is not null).Select(m => m.Payload!).ToArray();

    public async ValueTask DisposeAsync()
    {
        try { await Client.DisconnectAsync(); } catch (Exception) { }
        Client.Dispose();
    }
}
