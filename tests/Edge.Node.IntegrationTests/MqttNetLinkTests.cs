using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Edge.Firmware.Host.Link;
using Edge.Firmware.Runtime;
using Edge.Node.IntegrationTests.Mosquitto;

namespace Edge.Node.IntegrationTests;

/// <summary>
/// MqttNetLink against a real Mosquitto with per-node credentials and ACL (docs/protocol.md §1–§4).
/// The gateway side is the real mosquitto_sub / mosquitto_pub.
/// </summary>
public sealed class MqttNetLinkTests : IAsyncLifetime
{
    private static readonly NodeAccount Node = new("kalamaki", "sl-0042", "c2VjcmV0LWZvci1zbC0wMDQyLWluLXRlc3RzLW9ubHkx");
    private const string WillPayload = "{\"v\":1,\"status\":\"offline\",\"reason\":\"lost\"}";

    private MosquittoBroker _broker = null!;
    private readonly List<IAsyncDisposable> _cleanup = new();
    private readonly List<MqttNetLink> _links = new();

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync(Node);

    public async Task DisposeAsync()
    {
        foreach (MqttNetLink link in _links) link.Dispose();
        foreach (IAsyncDisposable d in _cleanup) await d.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task Connects_with_the_nodes_own_credentials()
    {
        MqttNetLink link = NewLink();
        Assert.Equal(LinkState.Disconnected, link.State);

        link.BeginConnect(Options(Node.Secret));

        await Wait.Until(() => link.State != LinkState.Connecting, "the connect attempt to finish");
        Assert.Equal(LinkState.Connected, link.State);
        Assert.Equal("", link.LastError);
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_with_a_clear_error()
    {
        MqttNetLink link = NewLink();

        link.BeginConnect(Options("not-the-secret"));

        await Wait.Until(() => link.State != LinkState.Connecting, "the connect attempt to finish");
        Assert.Equal(LinkState.Disconnected, link.State);
        // Mosquitto answers a wrong password with CONNACK 5 (not authorised) rather than 4.
        Assert.Contains("broker refused the connection: not authorised (CONNACK 5)", link.LastError);
        Assert.Equal(0, link.Publish(Node.Topic("telemetry"), new byte[] { 1 }, 0, 1, false));
    }

    [Fact]
    public async Task Nothing_is_sent_while_disconnected_and_an_unreachable_broker_is_named()
    {
        await _broker.StopAsync();
        MqttNetLink link = NewLink();

        link.BeginConnect(Options(Node.Secret));

        await Wait.Until(() => link.State != LinkState.Connecting, "the connect attempt to finish");
        Assert.Equal(LinkState.Disconnected, link.State);
        Assert.Contains("cannot connect to 127.0.0.1:" + _broker.Port, link.LastError);
        Assert.Equal(0, link.Publish(Node.Topic("telemetry"), new byte[] { 1 }, 0, 1, false));
    }

    [Fact]
    public async Task Publishes_outside_the_nodes_subtree_reach_no_subscriber()
    {
        MosquittoSub gateway = await Sub("edge/#");
        MqttNetLink link = await ConnectedLink();

        // Another node's topic, another site, and a topic of the node's own subtree it may not publish.
        Publish(link, "edge/kalamaki/sl-0099/telemetry", "{\"forged\":1}");
        Publish(link, "edge/other-site/sl-0042/telemetry", "{\"forged\":2}");
        Publish(link, Node.Topic("config"), "{\"forged\":3}");
        Publish(link, Node.Topic("telemetry"), "{\"allowed\":true}");

        // One client's QoS 1 messages are handled in order, so once the allowed one has arrived any
        // forged one that got through would have arrived before it.
        await gateway.WaitForAsync(Node.Topic("telemetry"), p => p.Contains("allowed"));
        Assert.DoesNotContain(gateway.Messages, m => m.Payload.Contains("forged"));
        Assert.Single(gateway.Messages);
    }

    [Fact]
    public async Task The_will_is_published_retained_when_the_connection_drops_without_DISCONNECT()
    {
        MosquittoSub gateway = await Sub(Node.Topic("state"));
        MqttNetLink link = await ConnectedLink();

        link.Abort();

        ReceivedLine will = await gateway.WaitForAsync(Node.Topic("state"), p => p == WillPayload);
        Assert.False(will.Retained); // delivered live to a subscriber that was already there
        // A subscriber that comes later (the gateway after a restart) gets it as the retained state.
        MosquittoSub later = await Sub(Node.Topic("state"));
        ReceivedLine retained = await later.WaitForAsync(Node.Topic("state"));
        Assert.True(retained.Retained);
        Assert.Equal(WillPayload, retained.Payload);
    }

    [Fact]
    public async Task A_clean_disconnect_does_not_publish_the_will()
    {
        MosquittoSub gateway = await Sub(Node.Topic("state"));
        MqttNetLink link = await ConnectedLink();
        Publish(link, Node.Topic("state"), "{\"v\":1,\"status\":\"offline\",\"reason\":\"reboot\"}", retain: true);
        await gateway.WaitForAsync(Node.Topic("state"), p => p.Contains("reboot"));

        link.Disconnect();
        // Order on one connection: anything published by a second client after the node left arrives
        // after a will the broker would have sent at once.
        await MosquittoPub.PublishAsync(_broker, Node.Topic("state"), "marker");
        await gateway.WaitForAsync(Node.Topic("state"), p => p == "marker");

        Assert.DoesNotContain(gateway.Messages, m => m.Payload == WillPayload);
        Assert.Equal(LinkState.Disconnected, link.State);
        Assert.Equal("", link.LastError);
    }

    [Fact]
    public async Task Every_QoS1_publish_id_is_acknowledged_once_and_messages_arrive_in_order()
    {
        MosquittoSub gateway = await Sub(Node.Topic("event"));
        MqttNetLink link = await ConnectedLink();

        var ids = new List<int>();
        for (int i = 1; i <= 20; i++) ids.Add(Publish(link, Node.Topic("event"), "{\"seq\":" + i + "}"));

        var acked = new List<int>();
        await Wait.Until(() => acked.Count >= ids.Count, () => { while (link.TryGetAcknowledged(out int id)) acked.Add(id); }, "20 PUBACKs");
        Assert.All(ids, id => Assert.True(id > 0));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ids.OrderBy(i => i), acked.OrderBy(i => i));

        await Wait.Until(() => gateway.Messages.Count == 20, "20 events at mosquitto_sub");
        Assert.Equal(Enumerable.Range(1, 20).Select(i => "{\"seq\":" + i + "}"), gateway.Messages.Select(m => m.Payload));
    }

    [Fact]
    public async Task Retained_messages_arrive_on_subscribe_marked_retained()
    {
        const string config = "{\"v\":1,\"version\":7,\"type\":\"streetlight\"}";
        await MosquittoPub.PublishAsync(_broker, Node.Topic("config"), config, retain: true);
        MqttNetLink link = await ConnectedLink();

        link.Subscribe(Node.Topic("config"));

        var inbound = new InboundMessage(16384);
        await Wait.Until(() => link.TryReceive(inbound), "the retained config");
        Assert.Equal(Node.Topic("config"), inbound.Topic);
        Assert.True(inbound.Retained);
        Assert.Equal(config, Encoding.UTF8.GetString(inbound.Payload, 0, inbound.Length));
    }

    [Fact]
    public async Task A_payload_larger_than_the_runtimes_buffer_is_reported_by_its_length()
    {
        string big = new string('x', 300);
        await MosquittoPub.PublishAsync(_broker, Node.Topic("cmd"), big);
        MqttNetLink link = await ConnectedLink();
        link.Subscribe(Node.Topic("cmd"));
        await Wait.Until(() => link.PendingInbound == 0, "the subscription to settle"); // nothing retained on cmd

        await MosquittoPub.PublishAsync(_broker, Node.Topic("cmd"), big);

        var inbound = new InboundMessage(100);
        await Wait.Until(() => link.TryReceive(inbound), "the command");
        Assert.Equal(300, inbound.Length);
        Assert.False(inbound.Retained);
    }

    [Fact]
    public async Task A_node_never_receives_another_nodes_messages()
    {
        MqttNetLink link = await ConnectedLink();
        // Mosquitto's ACL file grants the SUBACK for a topic the node may not read (the link treats a
        // 0x80 SUBACK as a failed connection, protocol §4.1) but never delivers anything on it.
        link.Subscribe("edge/kalamaki/sl-0099/cmd");
        link.Subscribe(Node.Topic("cmd"));
        await Wait.Until(() => link.State != LinkState.Connected || SubscribedProbe(link), "the subscriptions");

        await MosquittoPub.PublishAsync(_broker, "edge/kalamaki/sl-0099/cmd", "{\"for\":\"sl-0099\"}");
        await MosquittoPub.PublishAsync(_broker, Node.Topic("cmd"), "{\"for\":\"sl-0042\"}");

        var inbound = new InboundMessage(1024);
        await Wait.Until(() => link.TryReceive(inbound), "the node's own command");
        Assert.Equal(Node.Topic("cmd"), inbound.Topic);
        Assert.Equal("{\"for\":\"sl-0042\"}", Encoding.UTF8.GetString(inbound.Payload, 0, inbound.Length));
        Assert.Equal(0, link.PendingInbound);
        Assert.Equal(LinkState.Connected, link.State);
    }

    /// <summary>
    /// Subscriptions are asynchronous: publish a retained probe on the node's own config and wait for
    /// it, which proves the earlier SUBSCRIBE packets (sent before, in order) were handled.
    /// </summary>
    private bool SubscribedProbe(MqttNetLink link)
    {
        if (!_probed)
        {
            _probed = true;
            link.Subscribe(Node.Topic("time"));
            MosquittoPub.PublishAsync(_broker, Node.Topic("time"), "probe", retain: true).GetAwaiter().GetResult();
        }
        var inbound = new InboundMessage(64);
        while (link.TryReceive(inbound)) if (inbound.Topic == Node.Topic("time")) return true;
        return false;
    }

    private bool _probed;

    [Fact]
    public async Task Reconnects_after_a_broker_restart_and_finds_retained_messages_kept()
    {
        const string config = "{\"v\":1,\"version\":9}";
        await MosquittoPub.PublishAsync(_broker, Node.Topic("config"), config, retain: true);
        MqttNetLink link = await ConnectedLink();

        await _broker.RestartAsync();

        await Wait.Until(() => link.State == LinkState.Disconnected, "the link to notice the broker went away");
        Assert.StartsWith("connection lost", link.LastError);
        link.BeginConnect(Options(Node.Secret));
        await Wait.Until(() => link.State != LinkState.Connecting, "the reconnect to finish");
        Assert.Equal(LinkState.Connected, link.State);

        link.Subscribe(Node.Topic("config"));
        var inbound = new InboundMessage(1024);
        await Wait.Until(() => link.TryReceive(inbound), "the retained config after the restart");
        Assert.Equal(config, Encoding.UTF8.GetString(inbound.Payload, 0, inbound.Length));
        int id = Publish(link, Node.Topic("telemetry"), "{}");
        await Wait.Until(() => link.TryGetAcknowledged(out int acked) && acked == id, "the PUBACK after reconnecting");
    }

    private MqttNetLink NewLink()
    {
        var link = new MqttNetLink();
        _links.Add(link);
        return link;
    }

    private async Task<MqttNetLink> ConnectedLink()
    {
        MqttNetLink link = NewLink();
        link.BeginConnect(Options(Node.Secret));
        await Wait.Until(() => link.State != LinkState.Connecting, "the connect attempt to finish");
        Assert.True(link.State == LinkState.Connected, "not connected: " + link.LastError + "\n" + _broker.Log);
        return link;
    }

    private async Task<MosquittoSub> Sub(params string[] topics)
    {
        MosquittoSub sub = await MosquittoSub.StartAsync(_broker, topics);
        _cleanup.Add(sub);
        return sub;
    }

    private LinkOptions Options(string password) => new()
    {
        Host = _broker.Host,
        Port = _broker.Port,
        ClientId = Node.NodeId,
        Username = Node.NodeId,
        Password = password,
        WillTopic = Node.Topic("state"),
        WillPayload = Encoding.UTF8.GetBytes(WillPayload),
        WillRetain = true,
    };

    private static int Publish(MqttNetLink link, string topic, string payload, bool retain = false)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(payload);
        int id = link.Publish(topic, bytes, 0, bytes.Length, retain);
        Assert.True(id > 0, "publish refused: " + link.LastError);
        return id;
    }
}
