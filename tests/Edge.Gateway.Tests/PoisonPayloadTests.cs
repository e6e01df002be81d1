using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Edge.Gateway.Operations;
using Edge.Gateway.Outbox;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Gateway.Tests;

/// <summary>
/// Payloads that are JSON by syntax but not valid UTF-8 text (RFC 8259 §8.1; protocol.md §5.1) are refused at the
/// broker, through a real MQTT connection: they never reach the outbox, so they can never block the uplink. MQTT 5
/// clients get PUBACK 0x99 (Payload format invalid); MQTT 3.1.1 has no reason code, so the node gets a plain PUBACK
/// and goes on with its next message.
/// </summary>
public sealed class PoisonPayloadTests
{
    static byte[] Telemetry(long seq, byte[] inString) => [.. Encoding.ASCII.GetBytes(
        $"{{\"v\":1,\"type\":\"streetlight\",\"ts\":1767304800,\"boot\":1,\"seq\":{seq},\"level\":60,\"source\":\"schedule\",\"note\":\"a"),
        .. inString, .. "\"}"u8];

    static readonly (string Name, byte[] Payload, string Reason)[] Poison =
    [
        ("invalid byte 0xFF", Telemetry(1, [0xFF]), "malformed"),
        ("overlong NUL 0xC0 0x80", Telemetry(2, [0xC0, 0x80]), "malformed"),
        ("UTF-8-encoded surrogate U+D800", Telemetry(3, [0xED, 0xA0, 0x80]), "malformed"),
        ("escaped unpaired surrogate", Telemetry(4, "\\ud800"u8.ToArray()), "malformed"),
        ("unknown telemetry type", Encoding.ASCII.GetBytes("{\"v\":1,\"type\":\"lamppost\",\"ts\":1767304800,\"boot\":1,\"seq\":5,\"level\":60}"), "invalid_member"),
    ];

    static MqttApplicationMessage Message(byte[] payload) => new MqttApplicationMessageBuilder()
        .WithTopic(TestGateway.Topic("sl-0001", "telemetry")).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    [Fact]
    public async Task Mqtt5_publishes_of_poison_payloads_get_puback_0x99_and_never_reach_the_outbox()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secret = gateway.AddNode("sl-0001");
        using var node = await gateway.ConnectAsync("sl-0001", secret, b => b.WithProtocolVersion(MqttProtocolVersion.V500));

        foreach (var (name, payload, _) in Poison)
        {
            var result = await node.PublishAsync(Message(payload));
            Assert.True(result.ReasonCode == MqttClientPublishReasonCode.PayloadFormatInvalid, $"{name}: PUBACK {result.ReasonCode}");
        }
        var good = await node.PublishAsync(Message(Encoding.ASCII.GetBytes(TestGateway.Telemetry(1, 6))));
        Assert.Equal(MqttClientPublishReasonCode.Success, good.ReasonCode);

        var stored = await gateway.Get<IOutboxReader>().ReadAfterAsync(0, 100, int.MaxValue, default);
        Assert.Equal([6L], stored.Select(m => m.Seq));
        var metrics = gateway.Metrics;
        Assert.Equal(4, metrics.Get("edge.gateway.messages.rejected", "reason", "malformed"));
        Assert.Equal(1, metrics.Get("edge.gateway.messages.rejected", "reason", "invalid_member"));
    }

    [Fact]
    public async Task Mqtt311_publishes_of_poison_payloads_are_acknowledged_and_dropped_and_the_node_goes_on()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secret = gateway.AddNode("sl-0001");
        using var node = await gateway.ConnectAsync("sl-0001", secret);

        foreach (var (_, payload, _) in Poison) await node.PublishAsync(Message(payload));
        await node.PublishAsync(Message(Encoding.ASCII.GetBytes(TestGateway.Telemetry(1, 6))));

        Assert.True(node.IsConnected);
        var stored = await gateway.Get<IOutboxReader>().ReadAfterAsync(0, 100, int.MaxValue, default);
        Assert.Equal([6L], stored.Select(m => m.Seq));
        foreach (var group in Poison.GroupBy(p => p.Reason))
        {
            Assert.Equal(group.Count(), gateway.Metrics.Get("edge.gateway.messages.rejected", "reason", group.Key));
        }
    }
}
