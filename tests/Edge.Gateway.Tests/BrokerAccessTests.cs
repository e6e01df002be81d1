using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Edge.Gateway.Broker;
using Edge.Gateway.Operations;
using Edge.Gateway.Outbox;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Gateway.Tests;

/// <summary>Credentials and ACL of protocol.md §2.2–§2.4 with real clients against the embedded broker.</summary>
public sealed class BrokerAccessTests
{
    [Theory]
    [InlineData("mqttnet")]
    [InlineData("kestrel")]
    public async Task Mosquitto_pub_with_a_wrong_secret_or_unknown_node_is_refused_and_counted(string transport)
    {
        await using var gateway = await TestGateway.StartAsync(null, TestGateway.Transport(transport));
        var secret = gateway.AddNode("sl-0001");
        var port = gateway.MqttPort.ToString();

        var wrongSecret = await Mosquitto.RunAsync("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-i", "sl-0001", "-u", "sl-0001", "-P", "not-the-secret",
            "-q", "1", "-t", TestGateway.Topic("sl-0001", "telemetry"), "-m", TestGateway.Telemetry(1, 1));
        var unknownNode = await Mosquitto.RunAsync("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-i", "sl-9999", "-u", "sl-9999", "-P", secret,
            "-q", "1", "-t", TestGateway.Topic("sl-9999", "telemetry"), "-m", TestGateway.Telemetry(1, 1));
        var good = await Mosquitto.RunAsync("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-i", "sl-0001", "-u", "sl-0001", "-P", secret,
            "-q", "1", "-t", TestGateway.Topic("sl-0001", "telemetry"), "-m", TestGateway.Telemetry(1, 1));

        Assert.NotEqual(0, wrongSecret.ExitCode);
        Assert.Contains("bad user name or password", wrongSecret.StdErr + wrongSecret.StdOut, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(0, unknownNode.ExitCode);
        Assert.Equal(0, good.ExitCode);
        var metrics = gateway.Metrics;
        Assert.Equal(1, metrics.Get("edge.gateway.auth.failures", "reason", "bad_secret"));
        Assert.Equal(1, metrics.Get("edge.gateway.auth.failures", "reason", "unknown_node"));
        Assert.Equal(1, gateway.Get<IOutboxReader>().GetStats().Depth);
    }

    [Fact]
    public async Task Client_id_must_equal_user_name_and_a_rotated_secret_stops_working()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secretA = gateway.AddNode("sl-0001");
        gateway.AddNode("sl-0002");

        var mismatch = await gateway.TryConnectAsync("sl-0002", secretA, b => b.WithCredentials("sl-0001", secretA));
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, mismatch.Result);

        var rotated = gateway.Get<Edge.Gateway.Registry.NodeRegistry>().RotateSecret("sl-0001");
        var old = await gateway.TryConnectAsync("sl-0001", secretA);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, old.Result);
        using var client = await gateway.ConnectAsync("sl-0001", rotated);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Subscriptions_outside_the_own_subtree_and_wildcards_are_refused_with_0x80()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secret = gateway.AddNode("sl-0001");
        gateway.AddNode("sl-0002");
        var port = gateway.MqttPort.ToString();

        foreach (var filter in new[] { TestGateway.Topic("sl-0002", "config"), "edge/kalamaki/+/config", "edge/#", TestGateway.Topic("sl-0001", "telemetry") })
        {
            var result = await Mosquitto.RunAsync("mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-i", "sl-0001", "-u", "sl-0001", "-P", secret,
                "-q", "1", "-t", filter, "-C", "1", "-W", "5");
            Assert.Contains("denied", result.StdErr + result.StdOut, StringComparison.OrdinalIgnoreCase);
        }

        using var client = await gateway.ConnectAsync("sl-0001", secret);
        var granted = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(TestGateway.Topic("sl-0001", "config"), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(TestGateway.Topic("sl-0002", "cmd"), MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var codes = granted.Items.ToDictionary(i => i.TopicFilter.Topic, i => i.ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, codes[TestGateway.Topic("sl-0001", "config")]);
        Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, codes[TestGateway.Topic("sl-0002", "cmd")]); // 0x80 in MQTT 3.1.1
        Assert.Equal(5, gateway.Metrics.Get("edge.gateway.acl.violations", "operation", "subscribe"));
    }

    [Fact]
    public async Task A_publish_into_another_nodes_subtree_is_dropped_counted_and_never_seen_by_that_node()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secretA = gateway.AddNode("sl-0001");
        var secretB = gateway.AddNode("sl-0002");

        using var victim = await gateway.ConnectAsync("sl-0002", secretB);
        var received = new ConcurrentQueue<string>();
        victim.ApplicationMessageReceivedAsync += e => { received.Enqueue(e.ApplicationMessage.Topic + " " + e.ApplicationMessage.ConvertPayloadToString()); return Task.CompletedTask; };
        await victim.SubscribeAsync(TestGateway.Topic("sl-0002", "cmd"), MqttQualityOfServiceLevel.AtLeastOnce);
        await victim.SubscribeAsync(TestGateway.Topic("sl-0002", "config"), MqttQualityOfServiceLevel.AtLeastOnce);

        // The attacker uses mosquitto_pub: forged command, forged retained config, forged telemetry for B.
        var port = gateway.MqttPort.ToString();
        foreach (var (leaf, retain) in new[] { ("cmd", false), ("config", true), ("telemetry", false) })
        {
            var args = new[] { "-h", "127.0.0.1", "-p", port, "-i", "sl-0001", "-u", "sl-0001", "-P", secretA, "-q", "1",
                "-t", TestGateway.Topic("sl-0002", leaf), "-m", "{\"v\":1,\"version\":99,\"id\":\"evil\",\"kind\":\"reboot\",\"boot\":1,\"seq\":1,\"type\":\"streetlight\",\"ts\":1}" };
            var result = await Mosquitto.RunAsync("mosquitto_pub", retain ? [.. args, "-r"] : args);
            Assert.Equal(0, result.ExitCode); // MQTT 3.1.1 cannot refuse a PUBLISH: it is acknowledged and dropped (§2.4)
        }

        // A genuine command from the gateway afterwards: once it arrives, everything before it has been dispatched.
        await gateway.Get<INodePublisher>().SendCommandAsync(TestGateway.Site, "sl-0002", Encoding.UTF8.GetBytes("{\"v\":1,\"id\":\"marker\"}"));
        await TestGateway.WaitUntilAsync(() => !received.IsEmpty, "the genuine command reaches sl-0002");

        Assert.Equal(new[] { TestGateway.Topic("sl-0002", "cmd") + " {\"v\":1,\"id\":\"marker\"}" }, received.ToArray());
        Assert.Equal(3, gateway.Metrics.Get("edge.gateway.acl.violations", "operation", "publish"));
        Assert.Equal(0, gateway.Get<IOutboxReader>().GetStats().Depth);
        Assert.Null(gateway.Get<RetainedStore>().Get(TestGateway.Topic("sl-0002", "config")));
    }
}
