using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Edge.Gateway.Broker;
using Edge.Gateway.Registry;

namespace Edge.Gateway.Tests;

/// <summary>Retained config across restarts (protocol.md §9, §16.3) and online/offline from birth and will (§4, §8, §16.5).</summary>
public sealed class RetainedAndRegistryTests
{
    [Fact]
    public async Task Retained_config_is_delivered_on_subscribe_and_survives_a_gateway_restart()
    {
        var dataDir = TestGateway.NewTempDir();
        string secret;
        int port;
        var config = "{\"v\":1,\"version\":43,\"type\":\"streetlight\"}";
        await using (var gateway = await TestGateway.StartAsync(dataDir))
        {
            secret = gateway.AddNode("sl-0001");
            var publisher = gateway.Get<INodePublisher>();
            Assert.True(await publisher.PublishConfigAsync(TestGateway.Site, "sl-0001", Encoding.UTF8.GetBytes("{\"v\":1,\"version\":42}")));
            Assert.True(await publisher.PublishConfigAsync(TestGateway.Site, "sl-0001", Encoding.UTF8.GetBytes(config)));
            // §16.3: never an older or equal version.
            Assert.False(await publisher.PublishConfigAsync(TestGateway.Site, "sl-0001", Encoding.UTF8.GetBytes("{\"v\":1,\"version\":43,\"other\":1}")));
            Assert.False(await publisher.PublishConfigAsync(TestGateway.Site, "sl-0001", Encoding.UTF8.GetBytes("{\"v\":1,\"version\":7}")));
            await Assert.ThrowsAsync<ArgumentException>(() => publisher.PublishConfigAsync(TestGateway.Site, "sl-0001", new byte[16385]));

            var before = await Mosquitto.RunAsync("mosquitto_sub", "-h", "127.0.0.1", "-p", gateway.MqttPort.ToString(), "-i", "sl-0001", "-u", "sl-0001", "-P", secret,
                "-q", "1", "-t", TestGateway.Topic("sl-0001", "config"), "-C", "1", "-W", "10");
            Assert.Equal(config, before.StdOut.Trim());
        }

        await using (var restarted = await TestGateway.StartAsync(dataDir))
        {
            port = restarted.MqttPort;
            var after = await Mosquitto.RunAsync("mosquitto_sub", "-h", "127.0.0.1", "-p", port.ToString(), "-i", "sl-0001", "-u", "sl-0001", "-P", secret,
                "-q", "1", "-t", TestGateway.Topic("sl-0001", "config"), "-C", "1", "-W", "10", "-v");
            Assert.Equal(TestGateway.Topic("sl-0001", "config") + " " + config, after.StdOut.Trim());
            Assert.False(await restarted.Get<INodePublisher>().PublishConfigAsync(TestGateway.Site, "sl-0001", Encoding.UTF8.GetBytes("{\"v\":1,\"version\":43}")));
        }
    }

    [Fact]
    public async Task Birth_marks_a_node_online_and_its_last_will_marks_it_offline_lost()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secret = gateway.AddNode("wl-0003", "waterlevel");
        var registry = gateway.Get<NodeRegistry>();
        var feed = gateway.Get<INodeMessageFeed>();
        using var subscription = feed.Subscribe();

        // mosquitto_sub plays the node: will per protocol.md §2.2; it subscribes to its own config.
        using var node = new Mosquitto.Subscriber("-h", "127.0.0.1", "-p", gateway.MqttPort.ToString(), "-i", "wl-0003", "-u", "wl-0003", "-P", secret,
            "-q", "1", "-t", TestGateway.Topic("wl-0003", "config"), "-k", "60",
            "--will-topic", TestGateway.Topic("wl-0003", "state"), "--will-qos", "1", "--will-retain", "--will-payload", "{\"v\":1,\"status\":\"offline\",\"reason\":\"lost\"}");
        await TestGateway.WaitUntilAsync(() => registry.Find("wl-0003")!.Connected, "wl-0003 connected");

        // A second client speaking for the node under another client id is refused (§2.2: client id = user name = node id).
        var birth = "{\"v\":1,\"status\":\"online\",\"ts\":1767220005,\"type\":\"waterlevel\",\"fw\":\"1.2.0\",\"hw\":\"esp32-devkitc-waterlevel\",\"configVersion\":7,\"boot\":5}";
        var pub = await Mosquitto.RunAsync("mosquitto_pub", "-h", "127.0.0.1", "-p", gateway.MqttPort.ToString(), "-i", "wl-0003-birth", "-u", "wl-0003", "-P", secret,
            "-q", "1", "-r", "-t", TestGateway.Topic("wl-0003", "state"), "-m", birth);
        Assert.NotEqual(0, pub.ExitCode); // client id must equal the node id: a second identity is refused

        node.Kill(); // no DISCONNECT: the broker publishes the will
        node.WaitForExit();
        // The will and the broker's disconnect notification arrive on different paths: wait for both.
        await TestGateway.WaitUntilAsync(() => registry.Find("wl-0003") is { Status: NodeStatus.Offline, Connected: false }, "will marks wl-0003 offline and disconnected");
        var record = registry.Find("wl-0003")!;
        Assert.Equal("lost", record.StatusReason);
        Assert.False(record.Connected);

        // A real birth, then the will again, now with an MQTTnet client.
        using (var client = await gateway.ConnectAsync("wl-0003", secret, b => b
            .WithWillTopic(TestGateway.Topic("wl-0003", "state")).WithWillPayload("{\"v\":1,\"status\":\"offline\",\"reason\":\"lost\"}")
            .WithWillRetain().WithWillQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce)))
        {
            await client.PublishAsync(TestGateway.Message(TestGateway.Topic("wl-0003", "state"), birth, retain: true));
            var online = registry.Find("wl-0003")!;
            Assert.Equal((NodeStatus.Online, "1.2.0", 7L, "esp32-devkitc-waterlevel"), (online.Status, online.Firmware, online.ConfigVersion!.Value, online.Hardware));
            Assert.Equal(birth, Encoding.UTF8.GetString(gateway.Get<RetainedStore>().Get(TestGateway.Topic("wl-0003", "state"))!));
        }
        // Disposing the MQTTnet client without DisconnectAsync drops the TCP connection: will again.
        await TestGateway.WaitUntilAsync(() => registry.Find("wl-0003")!.Status == NodeStatus.Offline, "second will");
        var states = Drain(subscription).Where(m => m.Leaf == "state").Select(m => Encoding.UTF8.GetString(m.Payload)).ToArray();
        Assert.Equal(3, states.Length);
        Assert.Contains("\"online\"", states[1]);
        Assert.Equal("1.2.0", registry.Find("wl-0003")!.Firmware); // the will keeps what the birth said
    }

    [Fact]
    public void An_asleep_node_counts_as_offline_120_s_after_its_wake_time()
    {
        var node = new NodeRecord("wl-1", "s", "waterlevel", null, null, null, null, null, null, NodeStatus.Asleep, null, 1000, null, false);
        Assert.Equal(NodeStatus.Asleep, node.EffectiveStatus(1120));
        Assert.Equal(NodeStatus.Offline, node.EffectiveStatus(1121));
    }

    static System.Collections.Generic.List<NodeMessage> Drain(NodeMessageSubscription subscription)
    {
        var list = new System.Collections.Generic.List<NodeMessage>();
        while (subscription.Reader.TryRead(out var message)) list.Add(message);
        return list;
    }
}
