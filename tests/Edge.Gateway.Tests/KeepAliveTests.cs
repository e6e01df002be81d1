using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using Edge.Gateway.Registry;

namespace Edge.Gateway.Tests;

/// <summary>
/// protocol.md §1.3 / §4.3 and docs/gateway.md: the broker considers a node gone after 1.5 × its keep-alive of
/// silence and publishes its will (offline, lost). The node is a raw MQTT 3.1.1 client written here — CONNECT with
/// a will and a 2 s keep-alive, then nothing, not even PINGREQ (a client library would ping) — so the silence is
/// real. Before 1.5 × keep-alive the node must still be connected; the upper end is only a hang guard.
/// </summary>
public sealed class KeepAliveTests
{
    const ushort KeepAliveSeconds = 2;

    [Fact]
    public async Task A_silent_node_is_dropped_after_one_and_a_half_keep_alives_and_its_will_marks_it_offline()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secret = gateway.AddNode("sl-0001");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", gateway.MqttPort);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Connect("sl-0001", secret, KeepAliveSeconds, TestGateway.Topic("sl-0001", "state"), """{"v":1,"status":"offline","reason":"lost"}"""));
        var connack = new byte[4];
        await stream.ReadExactlyAsync(connack);
        Assert.Equal(new byte[] { 0x20, 0x02, 0x00, 0x00 }, connack); // accepted
        var silent = Stopwatch.StartNew();
        var registry = gateway.Get<NodeRegistry>();
        await TestGateway.WaitUntilAsync(() => registry.Find("sl-0001")!.Connected, "connected");

        await TestGateway.WaitUntilAsync(() => registry.Find("sl-0001") is { Connected: false, Status: NodeStatus.Offline }, "the will after the keep-alive ran out");
        Assert.True(silent.Elapsed >= TimeSpan.FromSeconds(1.5 * KeepAliveSeconds), $"dropped after {silent.Elapsed.TotalSeconds:0.00} s of silence, before 1.5 × keep-alive");
        Assert.Equal("lost", registry.Find("sl-0001")!.StatusReason);
        Assert.Equal(0, await stream.ReadAsync(new byte[1])); // the broker closed the connection
    }

    /// <summary>An MQTT 3.1.1 CONNECT (§3.1) with clean session, a QoS 1 retained will, user name and password.</summary>
    static byte[] Connect(string clientId, string password, ushort keepAlive, string willTopic, string willMessage)
    {
        var body = new List<byte>();
        void Text(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            body.Add((byte)(bytes.Length >> 8));
            body.Add((byte)bytes.Length);
            body.AddRange(bytes);
        }
        Text("MQTT");
        body.Add(4);                                   // protocol level 3.1.1
        body.Add(0x80 | 0x40 | 0x20 | 0x08 | 0x04 | 0x02); // user name, password, will retain, will QoS 1, will, clean session
        body.Add((byte)(keepAlive >> 8));
        body.Add((byte)keepAlive);
        Text(clientId);
        Text(willTopic);
        Text(willMessage);
        Text(clientId);
        Text(password);
        var packet = new List<byte> { 0x10 };
        var length = body.Count;
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            packet.Add(length > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (length > 0);
        packet.AddRange(body);
        return packet.ToArray();
    }
}
