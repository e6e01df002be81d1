using System;
using System.Linq;
using System.Threading.Tasks;
using Edge.Gateway.Operations;
using Edge.Gateway.Outbox;

namespace Edge.Gateway.Tests.Exposure;

/// <summary>Runs alone: it measures the bytes the whole test process allocates while the attack runs.</summary>
[CollectionDefinition(nameof(MemoryMeasured), DisableParallelization = true)]
public sealed class MemoryMeasured;

/// <summary>
/// Oversize packets are refused at their fixed header, before the broker allocates their body (docs/gateway.md
/// "Exposure limits"). Before this, 4 CONNECTs announcing 255 MB took the gateway to 1.6 GB on a 1 GB Pi.
/// </summary>
[Collection(nameof(MemoryMeasured))]
public sealed class BrokerMemoryTests
{
    const int MaxRemainingLength = 268_435_455; // the largest MQTT remaining length, 0xFF 0xFF 0xFF 0x7F (MQTT 3.1.1 §2.2.3)
    const long Bound = 50L * 1024 * 1024;

    [Theory]
    [InlineData("mqttnet")]
    [InlineData("kestrel")]
    public async Task CONNECTs_announcing_255_MB_are_closed_without_the_process_allocating_them(string transport)
    {
        await using var gateway = await TestGateway.StartAsync(null, TestGateway.Transport(transport));
        await AssertRefusedWithoutBufferingAsync("4 CONNECTs announcing 255 MB each", 4,
            async _ => (await RawMqtt.OpenAsync(gateway.MqttPort), 0x10, MaxRemainingLength));
        Assert.Equal(4, gateway.Metrics.Get("edge.gateway.mqtt.connections.closed", "reason", "too_large"));
    }

    [Theory]
    [InlineData("mqttnet")]
    [InlineData("kestrel")]
    public async Task Oversize_PUBLISHes_and_SUBSCRIBEs_of_an_authenticated_node_close_its_connection_and_store_nothing(string transport)
    {
        await using var gateway = await TestGateway.StartAsync(null, TestGateway.Transport(transport));
        var secret = gateway.AddNode("sl-0001");
        // One connection each (the broker closes a connection at its first oversize packet): 10 × 10 MB PUBLISH QoS 1, then a SUBSCRIBE.
        await AssertRefusedWithoutBufferingAsync("10 × 10 MB PUBLISHes and a 1 MB SUBSCRIBE of an authenticated node", 11,
            async i => (await RawMqtt.LoginAsync(gateway.MqttPort, "sl-0001", secret), i < 10 ? (byte)0x32 : (byte)0x82, i < 10 ? 10 * 1024 * 1024 : 1024 * 1024));
        Assert.Equal(11, gateway.Metrics.Get("edge.gateway.mqtt.connections.closed", "reason", "too_large"));
        Assert.Equal(0, gateway.Get<IOutboxReader>().GetStats().Depth);

        // A node's largest payload (protocol.md §13: 4096 bytes) still goes through on the same node's next connection.
        using var again = await RawMqtt.LoginAsync(gateway.MqttPort, "sl-0001", secret);
        var telemetry = TestGateway.Telemetry(1, 1);
        var padded = telemetry[..^1] + ",\"pad\":\"" + new string('x', 4096 - telemetry.Length - 9) + "\"}";
        Assert.Equal(4096, padded.Length);
        await again.SendAsync(RawMqtt.Publish(System.Text.Encoding.ASCII.GetBytes(TestGateway.Topic("sl-0001", "telemetry")), 1, padded));
        Assert.Equal(RawMqtt.PubAck(1), await again.ReadPacketAsync());
        Assert.Equal(1, gateway.Get<IOutboxReader>().GetStats().Depth);
    }

    /// <summary>
    /// Opens <paramref name="count"/> connections, each announcing a packet (type byte, remaining length) and sending
    /// up to 10 MB of it; asserts the process allocated less than <see cref="Bound"/> meanwhile and every connection was closed.
    /// </summary>
    static async Task AssertRefusedWithoutBufferingAsync(string what, int count, Func<int, Task<(RawMqtt Connection, byte Type, int Length)>> open)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var connections = new RawMqtt[count];
        for (var i = 0; i < count; i++)
        {
            var (connection, type, length) = await open(i);
            connections[i] = connection;
            await connection.SendAsync(RawMqtt.Header(type, length));
            await connection.SendFillerAsync(Math.Min(length, 10 * 1024 * 1024)); // by the time TCP took this, the broker has read the header
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < Bound, $"{allocated / (1024 * 1024)} MB allocated while refusing {what}");
        foreach (var connection in connections)
        {
            Assert.Empty(await connection.ReadUntilClosedAsync());
            connection.Dispose();
        }
    }
}
