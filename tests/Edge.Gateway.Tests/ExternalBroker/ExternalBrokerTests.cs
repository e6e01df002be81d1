using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Edge.Gateway.Broker;
using Edge.Gateway.Operations;
using Edge.Gateway.Registry;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Gateway.Tests.ExternalBroker;

/// <summary>
/// Gateway:Broker:Mode = external against a real Mosquitto (Debian package, started by the test) whose password and
/// ACL files come from the gateway's export. Nodes are MQTTnet clients or mosquitto_pub/sub.
/// </summary>
public sealed class ExternalBrokerTests
{
    const string Site = TestGateway.Site;

    static string Topic(string nodeId, string leaf) => TestGateway.Topic(nodeId, leaf);

    static long SeqOf(Outbox.OutboxMessage message) => message.Seq;

    [Fact]
    public async Task Node_messages_reach_the_outbox_exactly_once_and_in_order()
    {
        await using var site = await ExternalSite.StartAsync("sl-0001", "sl-0002");
        using var a = await site.ConnectNodeAsync("sl-0001");
        using var b = await site.ConnectNodeAsync("sl-0002");
        for (var seq = 1; seq <= 40; seq++)
        {
            await a.PublishAsync(TestGateway.Message(Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, seq)));
            await b.PublishAsync(TestGateway.Message(Topic("sl-0002", seq % 10 == 0 ? "event" : "telemetry"), seq % 10 == 0 ? TestGateway.Event(7, seq) : TestGateway.Telemetry(7, seq)));
        }
        // A marker after everything: once it is in, nothing sent before it can still arrive (one connection, QoS 1 order).
        await a.PublishAsync(TestGateway.Message(Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, 1000)));
        var messages = await site.WaitForOutboxAsync(m => m.Any(x => x.NodeId == "sl-0001" && x.Seq == 1000) && ExternalSite.CountOf(m, "sl-0002") == 40, "all 81 messages");

        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i).Append(1000), messages.Where(m => m.NodeId == "sl-0001").Select(SeqOf));
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), messages.Where(m => m.NodeId == "sl-0002").Select(SeqOf));
        Assert.Equal(4, messages.Count(m => m.NodeId == "sl-0002" && m.Leaf == "event"));
        Assert.Equal(0, site.Running.Metrics.Get("edge.gateway.messages.duplicates"));
        Assert.Equal(81, messages.Count);
    }

    [Fact]
    public async Task Malformed_oversize_and_bad_version_are_rejected_while_another_node_keeps_flowing()
    {
        await using var site = await ExternalSite.StartAsync("sl-0001", "sl-0002");
        using var bad = await site.ConnectNodeAsync("sl-0001");
        using var good = await site.ConnectNodeAsync("sl-0002");
        var oversize = "{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":2,\"pad\":\"" + new string('x', 5000) + "\"}";
        await bad.PublishAsync(TestGateway.Message(Topic("sl-0001", "telemetry"), "{\"v\":1,\"type\":"));
        await good.PublishAsync(TestGateway.Message(Topic("sl-0002", "telemetry"), TestGateway.Telemetry(1, 1)));
        await bad.PublishAsync(TestGateway.Message(Topic("sl-0001", "telemetry"), oversize));
        await good.PublishAsync(TestGateway.Message(Topic("sl-0002", "telemetry"), TestGateway.Telemetry(1, 2)));
        await bad.PublishAsync(TestGateway.Message(Topic("sl-0001", "event"), "{\"v\":2,\"ts\":1,\"boot\":1,\"seq\":3,\"kind\":\"lamp.fault\"}"));
        await good.PublishAsync(TestGateway.Message(Topic("sl-0002", "telemetry"), TestGateway.Telemetry(1, 3)));
        await bad.PublishAsync(TestGateway.Message(Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, 4)));

        var messages = await site.WaitForOutboxAsync(m => ExternalSite.CountOf(m, "sl-0002") == 3 && ExternalSite.CountOf(m, "sl-0001") == 1, "the valid messages of both nodes");
        var metrics = site.Running.Metrics;
        Assert.Equal(1, metrics.Get("edge.gateway.messages.rejected", "reason", "malformed"));
        Assert.Equal(1, metrics.Get("edge.gateway.messages.rejected", "reason", "oversize"));
        Assert.Equal(1, metrics.Get("edge.gateway.messages.rejected", "reason", "bad_version"));
        Assert.Equal(4, messages.Single(m => m.NodeId == "sl-0001").Seq);
        Assert.Equal(new long[] { 1, 2, 3 }, messages.Where(m => m.NodeId == "sl-0002").Select(SeqOf));
        Assert.True(bad.IsConnected);
    }

    [Fact]
    public async Task A_node_missing_from_the_registry_is_rejected_and_counted()
    {
        // The site broker still knows sl-0003 (its files were not re-exported after the removal).
        await using var site = await ExternalSite.StartAsync("sl-0001", "sl-0003");
        Assert.True(site.Running.Get<NodeRegistry>().Remove("sl-0003"));
        using var ghost = await site.ConnectNodeAsync("sl-0003");
        await ghost.PublishAsync(TestGateway.Message(Topic("sl-0003", "telemetry"), TestGateway.Telemetry(1, 1)));
        await ghost.PublishAsync(TestGateway.Message(Topic("sl-0003", "event"), TestGateway.Event(1, 2)));
        using var known = await site.ConnectNodeAsync("sl-0001");
        await known.PublishAsync(TestGateway.Message(Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, 1)));

        var metrics = site.Running.Metrics;
        await TestGateway.WaitUntilAsync(() => metrics.Get("edge.gateway.messages.rejected", "reason", "unknown_node") == 2, "two unknown_node rejections");
        var messages = await site.WaitForOutboxAsync(m => ExternalSite.CountOf(m, "sl-0001") == 1, "the known node's message");
        Assert.Equal(0, ExternalSite.CountOf(messages, "sl-0003"));
    }

    [Fact]
    public async Task Retained_config_and_display_published_by_the_gateway_reach_a_node_that_subscribes_later()
    {
        await using var site = await ExternalSite.StartAsync("sl-0001", "bs-0001");
        var publisher = site.Running.Get<INodePublisher>();
        Assert.True(await publisher.PublishConfigAsync(Site, "sl-0001", Encoding.UTF8.GetBytes("{\"v\":1,\"version\":3,\"profile\":\"night\"}")));
        Assert.False(await publisher.PublishConfigAsync(Site, "sl-0001", Encoding.UTF8.GetBytes("{\"v\":1,\"version\":2,\"profile\":\"old\"}")));
        Assert.True(await publisher.PublishDisplayAsync(Site, "bs-0001", Encoding.UTF8.GetBytes("{\"v\":1,\"version\":9,\"stop\":\"Limani\"}")));

        var configs = await ReceiveRetainedAsync(site, "sl-0001", "config");
        var display = await ReceiveRetainedAsync(site, "bs-0001", "display");
        Assert.Contains("\"version\":3", configs);
        Assert.Contains("Limani", display);
    }

    static async Task<string> ReceiveRetainedAsync(ExternalSite site, string nodeId, string leaf)
    {
        using var node = await site.ConnectNodeAsync(nodeId);
        var received = new ConcurrentQueue<(string Payload, bool Retain)>();
        node.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue((Encoding.UTF8.GetString(e.ApplicationMessage.Payload), e.ApplicationMessage.Retain));
            return Task.CompletedTask;
        };
        var subscribed = await node.SubscribeAsync(Topic(nodeId, leaf), MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, subscribed.Items.Single().ResultCode);
        await TestGateway.WaitUntilAsync(() => !received.IsEmpty, $"retained {leaf} at {nodeId}");
        var (payload, retain) = received.Single();
        Assert.True(retain);
        return payload;
    }

    [Fact]
    public async Task A_command_reaches_the_node_and_its_ack_reaches_the_outbox()
    {
        await using var site = await ExternalSite.StartAsync("sl-0001");
        using var node = await site.ConnectNodeAsync("sl-0001");
        var commands = new ConcurrentQueue<string>();
        node.ApplicationMessageReceivedAsync += e =>
        {
            commands.Enqueue(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        await node.SubscribeAsync(Topic("sl-0001", "cmd"), MqttQualityOfServiceLevel.AtLeastOnce);

        await site.Running.Get<INodePublisher>().SendCommandAsync(Site, "sl-0001", Encoding.UTF8.GetBytes("{\"v\":1,\"id\":\"c-42\",\"op\":\"reboot\",\"expires\":1999999999}"));
        await TestGateway.WaitUntilAsync(() => !commands.IsEmpty, "the command at the node");
        Assert.Contains("\"c-42\"", commands.Single());

        await node.PublishAsync(TestGateway.Message(Topic("sl-0001", "cmd/ack"), "{\"v\":1,\"id\":\"c-42\",\"result\":\"ok\",\"ts\":1767304800,\"boot\":1,\"seq\":5}"));
        var messages = await site.WaitForOutboxAsync(m => m.Count == 1, "the cmd/ack");
        Assert.Equal("cmd/ack", messages.Single().Leaf);
    }

    [Fact]
    public async Task Birth_and_the_will_published_by_mosquitto_set_online_and_offline()
    {
        await using var site = await ExternalSite.StartAsync("sl-0001");
        var secret = site.Secrets["sl-0001"];
        var port = site.Broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var node = new Mosquitto.Subscriber("-h", "127.0.0.1", "-p", port, "-V", "mqttv311", "-i", "sl-0001", "-u", "sl-0001", "-P", secret, "-k", "5",
            "-t", Topic("sl-0001", "config"), "-q", "1",
            "--will-topic", Topic("sl-0001", "state"), "--will-payload", "{\"v\":1,\"status\":\"offline\",\"reason\":\"lost\"}", "--will-qos", "1", "--will-retain");
        var birth = await Mosquitto.RunAsync("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-V", "mqttv311", "-i", "sl-0001-birth", "-u", "sl-0001", "-P", secret,
            "-t", Topic("sl-0001", "state"), "-q", "1", "-r", "-m", "{\"v\":1,\"status\":\"online\",\"type\":\"streetlight\",\"fw\":\"1.4.0\",\"configVersion\":3}");
        Assert.Equal(0, birth.ExitCode);
        var registry = site.Running.Get<NodeRegistry>();
        await TestGateway.WaitUntilAsync(() => registry.Find("sl-0001") is { Status: NodeStatus.Online, Connected: true }, "online after the birth");
        Assert.Equal("1.4.0", registry.Find("sl-0001")!.Firmware);

        node.Kill(); // no DISCONNECT: Mosquitto publishes the will
        await TestGateway.WaitUntilAsync(() => registry.Find("sl-0001") is { Status: NodeStatus.Offline, Connected: false }, "offline after the will");
        Assert.Equal("lost", registry.Find("sl-0001")!.StatusReason);
        Assert.Equal(3, registry.Find("sl-0001")!.ConfigVersion);
    }

    [Fact]
    public async Task Messages_published_while_the_gateway_is_stopped_are_delivered_after_it_restarts_and_committed_once()
    {
        await using var site = await ExternalSite.StartAsync("sl-0001");
        using var node = await site.ConnectNodeAsync("sl-0001");
        for (var seq = 1; seq <= 5; seq++) await node.PublishAsync(TestGateway.Message(Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, seq)));
        await site.WaitForOutboxAsync(m => m.Count == 5, "the first five");

        await site.StopGatewayAsync();
        // Mosquitto PUBACKs these to the node and queues them in the gateway's persistent session.
        for (var seq = 6; seq <= 30; seq++) await node.PublishAsync(TestGateway.Message(Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, seq)));
        await node.PublishAsync(TestGateway.Message(Topic("sl-0001", "event"), TestGateway.Event(1, 31)));

        await site.StartGatewayAsync();
        var messages = await site.WaitForOutboxAsync(m => m.Count >= 31, "all 31 after the restart");
        Assert.Equal(Enumerable.Range(1, 31).Select(i => (long)i), messages.Select(SeqOf));
        Assert.Equal(0, site.Running.Metrics.Get("edge.gateway.messages.duplicates"));
    }

    [Fact]
    public async Task Messages_queued_for_the_stopped_gateway_survive_a_clean_mosquitto_restart()
    {
        await using var site = await ExternalSite.StartAsync("sl-0001");
        await site.StopGatewayAsync();
        using (var node = await site.ConnectNodeAsync("sl-0001"))
        {
            for (var seq = 1; seq <= 10; seq++) await node.PublishAsync(TestGateway.Message(Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, seq)));
        }
        await site.Broker.StopAsync(); // SIGTERM: Mosquitto saves its store (persistence true)
        await site.Broker.StartAsync();

        await site.StartGatewayAsync();
        var messages = await site.WaitForOutboxAsync(m => m.Count >= 10, "the ten queued before the restart");
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), messages.Select(SeqOf));
    }

    [Fact]
    public async Task Exported_files_make_mosquitto_refuse_a_wrong_secret_and_drop_a_cross_node_publish()
    {
        await using var site = await ExternalSite.StartAsync("sl-0001", "sl-0002");
        var (wrong, wrongResult) = await site.TryConnectNodeAsync("sl-0001", "not-the-secret");
        wrong.Dispose();
        Assert.NotEqual(MqttClientConnectResultCode.Success, wrongResult);
        var (swapped, swappedResult) = await site.TryConnectNodeAsync("sl-0001", site.Secrets["sl-0002"]);
        swapped.Dispose();
        Assert.NotEqual(MqttClientConnectResultCode.Success, swappedResult);

        using var a = await site.ConnectNodeAsync("sl-0001");
        using var b = await site.ConnectNodeAsync("sl-0002");
        var seenByA = new ConcurrentQueue<string>();
        var seenByB = new ConcurrentQueue<string>();
        a.ApplicationMessageReceivedAsync += e => { seenByA.Enqueue(e.ApplicationMessage.Topic); return Task.CompletedTask; };
        b.ApplicationMessageReceivedAsync += e => { seenByB.Enqueue(e.ApplicationMessage.Topic); return Task.CompletedTask; };
        await a.SubscribeAsync(Topic("sl-0002", "cmd"), MqttQualityOfServiceLevel.AtLeastOnce); // not a's: Mosquitto must not deliver
        await b.SubscribeAsync(Topic("sl-0002", "cmd"), MqttQualityOfServiceLevel.AtLeastOnce);

        // a publishes as if it were b, then a valid message of its own.
        await a.PublishAsync(TestGateway.Message(Topic("sl-0002", "telemetry"), TestGateway.Telemetry(1, 1)));
        await a.PublishAsync(TestGateway.Message(Topic("sl-0002", "state"), "{\"v\":1,\"status\":\"offline\",\"reason\":\"forged\"}", retain: true));
        await a.PublishAsync(TestGateway.Message(Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, 2)));
        var messages = await site.WaitForOutboxAsync(m => ExternalSite.CountOf(m, "sl-0001") == 1, "a's own message");
        Assert.Equal(0, ExternalSite.CountOf(messages, "sl-0002"));
        Assert.NotEqual("forged", site.Running.Get<NodeRegistry>().Find("sl-0002")!.StatusReason);

        await site.Running.Get<INodePublisher>().SendCommandAsync(Site, "sl-0002", Encoding.UTF8.GetBytes("{\"v\":1,\"id\":\"c-1\",\"op\":\"reboot\",\"expires\":1999999999}"));
        await TestGateway.WaitUntilAsync(() => seenByB.Count == 1, "b's command at b");
        // A round trip on a's connection after the command was routed: anything routed to a is ahead of this PUBACK.
        await a.PublishAsync(TestGateway.Message(Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, 3)));
        Assert.Empty(seenByA);
    }

    [Fact]
    public async Task A_rotated_secret_exported_and_reloaded_disconnects_the_old_session_and_refuses_the_old_secret()
    {
        await using var site = await ExternalSite.StartAsync("sl-0001");
        var old = site.Secrets["sl-0001"];
        using var node = await site.ConnectNodeAsync("sl-0001");

        var rotated = site.Running.Get<NodeRegistry>().RotateSecret("sl-0001");
        var export = site.Export();
        Assert.Equal(new[] { "sl-0001" }, export.Exported);
        await site.Broker.ReloadAsync();

        await TestGateway.WaitUntilAsync(() => !node.IsConnected, "Mosquitto to end the session of the old secret");
        var (again, againResult) = await site.TryConnectNodeAsync("sl-0001", old);
        again.Dispose();
        Assert.NotEqual(MqttClientConnectResultCode.Success, againResult);
        using var renewed = await site.ConnectNodeAsync("sl-0001", rotated);
        Assert.True(renewed.IsConnected);
        Assert.True(site.Running.Get<INodeTransport>().IsListening); // the gateway's own account survived the reload
    }

    [Fact]
    public async Task Mosquitto_password_hash_matches_mosquitto_passwd()
    {
        var file = Path.Combine(TestGateway.NewTempDir(), "passwd");
        var run = await Mosquitto.RunAsync("mosquitto_passwd", "-c", "-b", file, "sl-0001", "s3cret-ΑΒΓ");
        Assert.Equal(0, run.ExitCode);
        var line = File.ReadAllText(file).Trim();
        var hash = line[(line.IndexOf(':') + 1)..];
        var parts = hash.Split('$'); // "", "7", iterations, salt, digest
        Assert.Equal("7", parts[1]);
        Assert.Equal(hash, MosquittoPasswordHash.Format("s3cret-ΑΒΓ", Convert.FromBase64String(parts[3]), int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Export_command_line_writes_accounts_and_names_nodes_it_cannot_export()
    {
        var dataDir = TestGateway.NewTempDir();
        using (var registry = new NodeRegistry(Path.Combine(dataDir, "gateway.db"), 1000, Microsoft.Extensions.Logging.Abstractions.NullLogger<NodeRegistry>.Instance))
        {
            registry.Add(new NodeRegistration("sl-0001", Site, "streetlight"));
            registry.Add(new NodeRegistration("ws-0001", "vrontados", "waterlevel"));
            registry.UpsertFromCloud(new NodeRegistration("bs-0001", Site, "busstop"), SecretHasher.Hash("cloud-secret", 1000));
        }
        var output = Path.Combine(dataDir, "mosquitto");
        var run = await Mosquitto.RunAsync("dotnet", GatewayProcess.GatewayDll, "--data-dir", dataDir, "--export-mosquitto", output,
            "--Gateway:Broker:External:Password=pw", "--Logging:LogLevel:Default=Warning");
        Assert.True(run.ExitCode == 0, run.StdErr + run.StdOut);
        Assert.Contains("bs-0001", run.StdErr);

        var passwd = File.ReadAllLines(Path.Combine(output, MosquittoExport.PasswordFileName));
        Assert.Equal(new[] { "edge-gateway", "sl-0001", "ws-0001" }, passwd.Select(l => l[..l.IndexOf(':')]));
        Assert.All(passwd, l => Assert.StartsWith("$7$", l[(l.IndexOf(':') + 1)..]));
        var acl = File.ReadAllText(Path.Combine(output, MosquittoExport.AclFileName));
        Assert.Contains("user ws-0001\ntopic write edge/vrontados/ws-0001/telemetry\n", acl);
        Assert.Contains("topic read edge/kalamaki/sl-0001/config\n", acl);
        Assert.Contains("user edge-gateway\ntopic readwrite edge/#\n", acl);
        Assert.DoesNotContain("bs-0001\n", acl);
    }
}
