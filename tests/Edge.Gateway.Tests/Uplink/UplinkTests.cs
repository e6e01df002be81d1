using System;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Gateway.Broker;
using Edge.Gateway.Operations;
using Edge.Gateway.Outbox;
using Edge.Gateway.Uplink;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace Edge.Gateway.Tests.Uplink;

/// <summary>The HTTPS uplink (docs/uplink.md §2) against a real HTTP receiver.</summary>
public sealed class UplinkTests
{
    static async Task<IMqttClient> Node(TestGateway gateway, string nodeId)
    {
        var secret = gateway.AddNode(nodeId);
        return await gateway.ConnectAsync(nodeId, secret);
    }

    static Task Publish(IMqttClient client, string nodeId, string leaf, string payload)
        => client.PublishAsync(TestGateway.Message(TestGateway.Topic(nodeId, leaf), payload));

    static JsonObject[] OfKind(FakeCloud cloud, string kind) => cloud.Records().Where(r => (string?)r["kind"] == kind).ToArray();

    [Fact]
    public async Task Node_messages_arrive_as_records_with_kind_node_and_payload_and_the_outbox_is_marked_forwarded()
    {
        await using var cloud = await FakeCloud.StartAsync();
        await using var gateway = await TestGateway.StartAsync(null, CloudArgs.For(cloud));
        using var client = await Node(gateway, "sl-0001");
        await Publish(client, "sl-0001", "telemetry", TestGateway.Telemetry(1, 1));
        await Publish(client, "sl-0001", "event", TestGateway.Event(1, 2));
        await Publish(client, "sl-0001", "cmd/ack", """{"v":1,"id":"c-1","result":"ok","ts":1767305403,"boot":1,"seq":3}""");
        await Publish(client, "sl-0001", "state", """{"v":1,"status":"online","ts":1767220005,"type":"streetlight","configVersion":43,"boot":1}""");

        await TestGateway.WaitUntilAsync(() => cloud.Records().Count >= 4, "four records at the cloud");
        var records = cloud.Records();
        Assert.Equal(["telemetry", "event", "ack"], records.Take(3).Select(r => (string)r["kind"]!));
        Assert.All(records, r => Assert.Equal("sl-0001", (string?)r["node"]));
        Assert.All(records, r => Assert.Equal(TestGateway.Site, (string?)r["site"]));
        Assert.Equal(2L, (long)records[1]["payload"]!["seq"]!);
        Assert.Equal("lamp.fault", (string?)records[1]["payload"]!["kind"]);
        var state = Assert.Single(OfKind(cloud, "state"));
        Assert.Equal(43L, (long)state["payload"]!["configVersion"]!); // applied config versions reach the cloud (§3)
        var outbox = gateway.Get<IOutboxReader>();
        await TestGateway.WaitUntilAsync(() => outbox.ForwardedUpTo == records.Max(r => (long)r["seq"]!), "outbox forwarded up to the last record");
        Assert.Equal(0, outbox.GetStats().Depth);
        Assert.Equal(0, gateway.Metrics.Get("edge.gateway.uplink.lag"));
    }

    [Fact]
    public async Task A_clean_stop_reports_gateway_stopping_as_the_last_record_behind_the_nodes_planned_offline()
    {
        await using var cloud = await FakeCloud.StartAsync();
        var gateway = await TestGateway.StartAsync(null, CloudArgs.For(cloud));
        using (var client = await Node(gateway, "sl-0001"))
        {
            await Publish(client, "sl-0001", "state", """{"v":1,"status":"online","ts":1767220005,"type":"streetlight","configVersion":43,"boot":1}""");
            await Publish(client, "sl-0001", "state", """{"v":1,"status":"offline","reason":"shutdown","ts":1767220105,"type":"streetlight","configVersion":43,"boot":1}""");
            await client.DisconnectAsync();
        }
        await TestGateway.WaitUntilAsync(() => OfKind(cloud, "state").Length == 2, "both states at the cloud");
        await gateway.DisposeAsync(); // a clean stop

        var last = cloud.Records()[^1];
        Assert.Equal(("gateway", (string?)null), ((string)last["kind"]!, (string?)last["node"]));
        Assert.Equal("gateway.stopping", (string?)last["payload"]!["event"]);
        Assert.Equal(TestGateway.Site, (string?)last["site"]);
    }

    [Fact]
    public async Task A_clean_stop_forwards_the_states_already_accepted_before_its_gateway_stopping_record()
    {
        // The race behind a flaky end-to-end test: nodes said goodbye just before the stop, and their states still sat
        // in the forwarder's queue when the stop record was appended, so a state came last and the cloud saw an outage.
        // The states go straight into the gateway's real message feed, as the broker announces them, so the whole queue
        // is there at the moment of the stop (a node publishing over MQTT would let the forwarder catch up first).
        await using var cloud = await FakeCloud.StartAsync();
        var gateway = await TestGateway.StartAsync(null, CloudArgs.For(cloud));
        const int Nodes = 200;
        var feed = gateway.Get<NodeMessageFeed>();
        var payload = Encoding.UTF8.GetBytes("""{"v":1,"status":"offline","reason":"shutdown","ts":1767220105,"type":"streetlight","boot":1}""");
        for (var n = 1; n <= Nodes; n++)
        {
            feed.Publish(new NodeMessage(TestGateway.Site, $"sl-{n:D4}", "state", payload, 1767220105000, null, 1, n));
        }
        await gateway.DisposeAsync(); // a clean stop, at once

        var records = cloud.Records();
        Assert.Equal(Nodes, OfKind(cloud, "state").Length); // none left behind in the queue
        var last = records[^1];
        Assert.Equal("gateway.stopping", (string?)last["payload"]!["event"]);
        Assert.Equal(records.Max(r => (long)r["seq"]!), (long)last["seq"]!);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_the_same_records_and_nothing_is_marked_forwarded_before_a_200()
    {
        await using var cloud = await FakeCloud.StartAsync();
        cloud.FailNext(4, 503);
        // The uplink's waits between retries end only when the test releases them: each retry below happens because the
        // test allowed it, never on its own.
        var gate = new GatedUplinkDelay();
        await using var gateway = await TestGateway.StartWithAsync(b => b.Services.AddSingleton<IUplinkDelay>(gate), null, CloudArgs.For(cloud, "--Gateway:Uplink:ForwardState=false"));
        using var client = await Node(gateway, "sl-0001");
        await Publish(client, "sl-0001", "telemetry", TestGateway.Telemetry(1, 1));

        var outbox = gateway.Get<IOutboxReader>();
        await gate.ReleaseUntilAsync(() => cloud.Attempts().Count >= 1, "the first refused attempt");
        for (var refused = 1; refused <= 4; refused++)
        {
            await TestGateway.WaitUntilAsync(() => gate.IsWaiting, $"the uplink waiting after refusal {refused}");
            Assert.Equal(refused, cloud.Attempts().Count); // no retry happened on its own
            Assert.Equal(0, outbox.ForwardedUpTo);         // nothing marked forwarded while refused
            Assert.Equal(1, outbox.GetStats().Depth);
            Assert.Empty(cloud.Records());
            var next = refused + 1;
            await gate.ReleaseUntilAsync(() => cloud.Attempts().Count >= next, $"attempt {next}");
        }
        // Each wait was a jittered backoff inside the configured cap (0.4 s in these tests).
        Assert.All(gate.Waits(), w => Assert.InRange(w, TimeSpan.Zero, TimeSpan.FromMilliseconds(400)));
        var attempts = cloud.Attempts();
        Assert.Equal([503, 503, 503, 503, 200], attempts.Select(a => a.Status));
        var batches = cloud.AttemptRecords();
        Assert.Equal(1, (long)Assert.Single(batches[0])!["payload"]!["seq"]!);
        Assert.All(batches, batch => Assert.True(JsonNode.DeepEquals(batches[0], batch), "a retry carried other records: " + batch.ToJsonString()));
        await TestGateway.WaitUntilAsync(() => outbox.ForwardedUpTo == (long)batches[0][0]!["seq"]!, "forwarded after the 200");
        Assert.Equal(batches[0].Select(r => (long)r!["seq"]!), cloud.Records().Select(r => (long)r["seq"]!));
        Assert.Equal(4, gateway.Metrics.Get("edge.gateway.uplink.retries", "reason", "http_503"));
    }

    [Fact]
    public async Task With_a_linger_records_that_arrive_while_the_first_one_waits_go_up_in_its_batch()
    {
        await using var cloud = await FakeCloud.StartAsync();
        // The linger ends only when the test releases it, after the other records are in the outbox.
        var gate = new GatedUplinkDelay();
        await using var gateway = await TestGateway.StartWithAsync(b => b.Services.AddSingleton<IUplinkDelay>(gate), null,
            CloudArgs.For(cloud, "--Gateway:Uplink:ForwardState=false", "--Gateway:Uplink:LingerMilliseconds=40"));
        using var client = await Node(gateway, "sl-0001");
        await Publish(client, "sl-0001", "telemetry", TestGateway.Telemetry(1, 1));
        await TestGateway.WaitUntilAsync(() => gate.IsWaiting, "the uplink lingering on the first record");
        for (var seq = 2; seq <= 5; seq++) await Publish(client, "sl-0001", "telemetry", TestGateway.Telemetry(seq, seq));
        var outbox = gateway.Get<IOutboxReader>();
        await TestGateway.WaitUntilAsync(() => outbox.GetStats().Depth == 5, "five records in the outbox");
        Assert.Empty(cloud.Attempts()); // nothing went while it lingered

        await gate.ReleaseUntilAsync(() => cloud.Records().Count == 5, "the five records at the cloud");
        var batch = Assert.Single(cloud.AttemptRecords());
        Assert.Equal([1L, 2, 3, 4, 5], batch.Select(r => (long)r!["payload"]!["seq"]!));
        Assert.Equal(TimeSpan.FromMilliseconds(40), Assert.Single(gate.Waits()));
    }

    [Fact]
    public async Task A_retry_goes_after_its_backoff_without_lingering_again()
    {
        await using var cloud = await FakeCloud.StartAsync();
        cloud.FailNext(1, 503);
        var gate = new GatedUplinkDelay();
        await using var gateway = await TestGateway.StartWithAsync(b => b.Services.AddSingleton<IUplinkDelay>(gate), null,
            CloudArgs.For(cloud, "--Gateway:Uplink:ForwardState=false", "--Gateway:Uplink:LingerMilliseconds=40"));
        using var client = await Node(gateway, "sl-0001");
        await Publish(client, "sl-0001", "telemetry", TestGateway.Telemetry(1, 1));

        await gate.ReleaseUntilAsync(() => cloud.Records().Count == 1, "the record at the cloud after one refusal");
        Assert.Equal([503, 200], cloud.Attempts().Select(a => a.Status));
        // The linger before the first attempt, then the backoff before the retry: no second linger.
        var waits = gate.Waits();
        Assert.Equal(2, waits.Length);
        Assert.Equal(TimeSpan.FromMilliseconds(40), waits[0]);
    }

    [Fact]
    public async Task A_batch_that_is_full_does_not_linger()
    {
        await using var cloud = await FakeCloud.StartAsync();
        var gate = new GatedUplinkDelay(); // never released: a linger would hold the record for good
        await using var gateway = await TestGateway.StartWithAsync(b => b.Services.AddSingleton<IUplinkDelay>(gate), null,
            CloudArgs.For(cloud, "--Gateway:Uplink:ForwardState=false", "--Gateway:Uplink:LingerMilliseconds=1000", "--Gateway:Uplink:MaxBatchRecords=1"));
        using var client = await Node(gateway, "sl-0001");
        await Publish(client, "sl-0001", "telemetry", TestGateway.Telemetry(1, 1));

        await TestGateway.WaitUntilAsync(() => cloud.Records().Count == 1, "the record at the cloud");
        Assert.Empty(gate.Waits());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(UplinkOptions.MaxLingerMilliseconds + 1)]
    public async Task A_linger_out_of_range_stops_the_gateway_at_start_with_the_setting_named(int linger)
    {
        await using var cloud = await FakeCloud.StartAsync();
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var gateway = await TestGateway.StartAsync(null, CloudArgs.For(cloud, $"--Gateway:Uplink:LingerMilliseconds={linger}"));
        });
        Assert.Equal($"Gateway:Uplink:LingerMilliseconds is {linger}: it must be between 0 (no linger) and 1000 ms", refused.Message);
    }

    [Fact]
    public async Task Retry_After_is_honoured()
    {
        await using var cloud = await FakeCloud.StartAsync();
        cloud.FailNext(1, 429, retryAfterSeconds: 2);
        await using var gateway = await TestGateway.StartAsync(null, CloudArgs.For(cloud));
        using var client = await Node(gateway, "sl-0001");
        await Publish(client, "sl-0001", "telemetry", TestGateway.Telemetry(1, 1));

        await TestGateway.WaitUntilAsync(() => cloud.Records().Count == 1, "the record after the 429");
        var attempts = cloud.Attempts();
        Assert.Equal(429, attempts[0].Status);
        // The backoff cap is 0.4 s in this test: only Retry-After can make the gateway wait 2 s.
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromSeconds(1.9), $"retried after {(attempts[1].At - attempts[0].At).TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task Rejected_records_are_not_retried_and_are_reported_as_a_gateway_record()
    {
        await using var cloud = await FakeCloud.StartAsync();
        cloud.Reject = r => (string?)r["kind"] == "event" ? "payload.kind: unknown for this node type" : null;
        await using var gateway = await TestGateway.StartAsync(null, CloudArgs.For(cloud));
        using var client = await Node(gateway, "sl-0001");
        await Publish(client, "sl-0001", "telemetry", TestGateway.Telemetry(1, 1));
        await Publish(client, "sl-0001", "event", TestGateway.Event(1, 2));
        await Publish(client, "sl-0001", "telemetry", TestGateway.Telemetry(1, 3));

        await TestGateway.WaitUntilAsync(() => OfKind(cloud, "gateway").Length == 1, "the gateway record about the rejection");
        var report = OfKind(cloud, "gateway")[0];
        Assert.Null((string?)report["node"]);
        Assert.Equal("uplink.rejected", (string?)report["payload"]!["event"]);
        var rejected = report["payload"]!["records"]!.AsArray().Single()!;
        Assert.Equal("event", (string?)rejected["kind"]);
        Assert.Equal("payload.kind: unknown for this node type", (string?)rejected["error"]);
        Assert.Equal([1L, 3L], OfKind(cloud, "telemetry").Select(r => (long)r["payload"]!["seq"]!));
        // Sent exactly once: every attempt the cloud saw carried the event at most once, and no attempt after the rejection.
        Assert.Equal(cloud.Attempts().Sum(a => a.Records), cloud.Records().Count + 1);
        Assert.Equal(1, gateway.Metrics.Get("edge.gateway.uplink.records.rejected"));
    }

    [Fact]
    public async Task A_refused_batch_is_halved_until_accepted_and_a_single_refused_record_is_given_up_and_reported()
    {
        await using var cloud = await FakeCloud.StartAsync();
        await cloud.GoOfflineAsync(); // let a backlog build up
        await using var gateway = await TestGateway.StartAsync(null, CloudArgs.For(cloud));
        using var client = await Node(gateway, "sl-0001");
        for (var seq = 1; seq <= 40; seq++)
        {
            await Publish(client, "sl-0001", "telemetry", seq == 17
                ? """{"v":1,"type":"streetlight","ts":1767304800,"boot":1,"seq":17,"level":60,"poison":true}"""
                : TestGateway.Telemetry(1, seq));
        }
        cloud.MaxRecords = 7;
        cloud.RefuseBatchWith = r => r["payload"]?["poison"] is not null;
        await cloud.GoOnlineAsync();

        await TestGateway.WaitUntilAsync(() => OfKind(cloud, "gateway").Length == 1 && OfKind(cloud, "telemetry").Length == 39, "39 records and one report");
        Assert.Equal(Enumerable.Range(1, 40).Where(s => s != 17).Select(s => (long)s), OfKind(cloud, "telemetry").Select(r => (long)r["payload"]!["seq"]!));
        Assert.All(cloud.Attempts().Where(a => a.Status == 200 && a.Records > 7), a => Assert.Fail($"a batch of {a.Records} was accepted"));
        var report = OfKind(cloud, "gateway")[0]["payload"]!;
        Assert.Equal("uplink.gaveUp", (string?)report["event"]);
        Assert.Equal("telemetry", (string?)report["kind"]);
        Assert.Equal(1, gateway.Metrics.Get("edge.gateway.uplink.records.given_up"));
    }

    [Fact]
    public async Task Outage_buffers_in_the_outbox_then_drains_in_order_while_live_traffic_keeps_flowing()
    {
        await using var cloud = await FakeCloud.StartAsync();
        await using var gateway = await TestGateway.StartAsync(null, CloudArgs.For(cloud, "--Gateway:Uplink:MaxBatchRecords=50"));
        using var a = await Node(gateway, "sl-0001");
        using var b = await Node(gateway, "sl-0002");
        await Publish(a, "sl-0001", "telemetry", TestGateway.Telemetry(1, 1));
        await TestGateway.WaitUntilAsync(() => cloud.Records().Count == 1, "first record before the outage");

        await cloud.GoOfflineAsync();
        var outbox = gateway.Get<IOutboxReader>();
        for (var seq = 2; seq <= 400; seq++)
        {
            await Publish(a, "sl-0001", "telemetry", TestGateway.Telemetry(1, seq));
            await Publish(b, "sl-0002", seq % 10 == 0 ? "event" : "telemetry", seq % 10 == 0 ? TestGateway.Event(1, seq) : TestGateway.Telemetry(1, seq));
        }
        Assert.Equal(399 * 2, outbox.GetStats().Depth); // buffered, nothing lost while the cloud is away
        Assert.Equal(0, gateway.Metrics.Get("edge.gateway.uplink.up"));

        await cloud.GoOnlineAsync();
        // Live traffic while the backlog drains.
        for (var seq = 401; seq <= 450; seq++)
        {
            await Publish(a, "sl-0001", "telemetry", TestGateway.Telemetry(1, seq));
        }
        await TestGateway.WaitUntilAsync(() => cloud.Records().Count == 450 + 399, "backlog and live records");
        foreach (var (node, expected) in new[] { ("sl-0001", Enumerable.Range(1, 450)), ("sl-0002", Enumerable.Range(2, 399)) })
        {
            var inArrivalOrder = cloud.Arrivals().Select(s => cloud.Records().First(r => (long)r["seq"]! == s))
                .Where(r => (string?)r["node"] == node && (string?)r["kind"] != "state").Select(r => (long)r["payload"]!["seq"]!);
            Assert.Equal(expected.Select(s => (long)s), inArrivalOrder);
        }
        Assert.Equal(cloud.Arrivals().OrderBy(s => s), cloud.Arrivals()); // gateway seq order, nothing reordered
        Assert.True(cloud.Attempts().Any(x => x.Status == 200 && x.Records == 50), "the backlog drained in full batches");
        await TestGateway.WaitUntilAsync(() => outbox.GetStats().Depth == 0, "outbox empty");
    }

    [Fact]
    public async Task Over_quota_during_an_outage_routine_telemetry_is_dropped_first_and_every_event_reaches_the_cloud()
    {
        await using var cloud = await FakeCloud.StartAsync();
        await cloud.GoOfflineAsync();
        // ~200-byte telemetry + 96 bytes overhead per row: a 16 KiB quota holds about 55 messages.
        await using var gateway = await TestGateway.StartAsync(null, CloudArgs.For(cloud, "--Gateway:Outbox:QuotaBytes=16384", "--Gateway:Uplink:ForwardState=false"));
        using var client = await Node(gateway, "sl-0001");
        for (var seq = 1; seq <= 300; seq++)
        {
            await Publish(client, "sl-0001", seq % 20 == 0 ? "event" : "telemetry", seq % 20 == 0 ? TestGateway.Event(1, seq) : TestGateway.Telemetry(1, seq));
        }
        var stats = gateway.Get<IOutboxReader>().GetStats();
        Assert.True(stats.DroppedRoutine > 0);
        Assert.Equal(0, stats.DroppedKept);

        await cloud.GoOnlineAsync();
        await TestGateway.WaitUntilAsync(() => gateway.Get<IOutboxReader>().GetStats().Depth == 0, "drained");
        var events = OfKind(cloud, "event").Select(r => (long)r["payload"]!["seq"]!).ToArray();
        Assert.Equal(Enumerable.Range(1, 15).Select(i => (long)i * 20), events); // all 15 events
        var telemetry = OfKind(cloud, "telemetry").Select(r => (long)r["payload"]!["seq"]!).ToArray();
        Assert.Equal(300 - 15 - stats.DroppedRoutine, telemetry.Length);
        // The survivors are the newest ones: the oldest routine messages went first.
        Assert.Equal(Enumerable.Range(1, 300).Where(s => s % 20 != 0).TakeLast(telemetry.Length).Select(s => (long)s), telemetry);
        // The drops left gaps in the gateway sequence the cloud can see.
        var seqs = cloud.Records().Select(r => (long)r["seq"]!).ToArray();
        Assert.True(seqs.Max() - seqs.Min() + 1 > seqs.Length);
    }
}
