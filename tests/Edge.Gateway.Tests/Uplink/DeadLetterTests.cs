using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Operations;
using Edge.Gateway.Outbox;
using Edge.Gateway.Uplink;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Edge.Gateway.Tests.Uplink;

/// <summary>
/// A record the cloud refuses for good does not block the uplink: it goes to the dead-letter table with the reason, is
/// reported as a <c>gateway</c> record and a metric, the records behind it are delivered, and an operator can list,
/// replay and discard it (docs/gateway.md "Dead letters"). Also: Retry-After and quota drops as an operator sees them.
/// </summary>
public sealed class DeadLetterTests
{
    static JsonObject[] OfKind(FakeCloud cloud, string kind) => cloud.Records().Where(r => (string?)r["kind"] == kind).ToArray();

    [Fact]
    public async Task A_rejected_record_is_dead_lettered_reported_and_counted_the_rest_delivered_and_it_can_be_replayed()
    {
        await using var cloud = await FakeCloud.StartAsync();
        cloud.Reject = r => (long?)r["payload"]?["seq"] == 2 && (string?)r["kind"] == "telemetry" ? "payload.level: 140 is out of range 0..100" : null;
        await using var gateway = await TestGateway.StartAsync(null, CloudArgs.For(cloud, "--Gateway:Uplink:ForwardState=false"));
        var secret = gateway.AddNode("sl-0001");
        using var node = await gateway.ConnectAsync("sl-0001", secret);
        for (var seq = 1; seq <= 5; seq++)
        {
            await node.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, seq)));
        }

        await TestGateway.WaitUntilAsync(() => OfKind(cloud, "telemetry").Length == 4 && OfKind(cloud, "gateway").Length == 1, "four records and the report");
        Assert.Equal([1L, 3L, 4L, 5L], OfKind(cloud, "telemetry").Select(r => (long)r["payload"]!["seq"]!));
        var letter = Assert.Single(gateway.Get<DeadLetters>().List());
        Assert.Equal(("sl-0001", "telemetry"), (letter.NodeId, letter.Leaf));
        Assert.Equal("rejected: payload.level: 140 is out of range 0..100", letter.Reason);
        Assert.Equal(TestGateway.Telemetry(1, 2), Encoding.UTF8.GetString(letter.Payload));
        var report = OfKind(cloud, "gateway")[0]["payload"]!;
        Assert.Equal("uplink.rejected", (string?)report["event"]);
        Assert.Equal(letter.GatewaySeq, (long)report["records"]![0]!["seq"]!);
        Assert.Equal(1, gateway.Metrics.Get("edge.gateway.uplink.dead_lettered"));
        Assert.Equal(1, gateway.Metrics.Get("edge.gateway.uplink.dead_letters"));

        // The operator fixed the cause: list the entry over HTTP, replay it, and it reaches the cloud under a new seq.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.HttpPort}/") };
        var listed = await http.GetFromJsonAsync<JsonArray>("api/dead-letters");
        var entry = Assert.Single(listed!)!;
        Assert.Equal(letter.GatewaySeq, (long)entry["gatewaySeq"]!);
        Assert.Equal(TestGateway.Telemetry(1, 2), Encoding.UTF8.GetString(Convert.FromBase64String((string)entry["payloadBase64"]!)));
        cloud.Reject = _ => null;
        var replay = await http.PostAsync($"api/dead-letters/{letter.GatewaySeq}/replay", null);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        await TestGateway.WaitUntilAsync(() => OfKind(cloud, "telemetry").Length == 5, "the replayed record");
        var replayed = OfKind(cloud, "telemetry").Single(r => (long)r["payload"]!["seq"]! == 2);
        Assert.True((long)replayed["seq"]! > letter.GatewaySeq);
        Assert.Empty(gateway.Get<DeadLetters>().List());
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"api/dead-letters/{letter.GatewaySeq}")).StatusCode);
    }

    /// <summary>Records every wait the uplink asks for and returns after a token pause instead (so a failing cloud is not
    /// hammered in a tight loop): the test reads the waits, never the wall clock.</summary>
    sealed class RecordingDelay : IUplinkDelay
    {
        public ConcurrentQueue<TimeSpan> Waits { get; } = new();

        public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
        {
            Waits.Enqueue(delay);
            return Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
        }
    }

    [Fact]
    public async Task After_an_outage_the_uplink_waits_what_Retry_After_says_not_its_grown_backoff()
    {
        await using var cloud = await FakeCloud.StartAsync();
        cloud.FailNext(8, 503);                       // an outage: the jitter window grows to 2^8 s
        cloud.FailNext(1, 503, retryAfterSeconds: 1); // the cloud is back and asks for one second
        var delay = new RecordingDelay();
        await using var gateway = await TestGateway.StartWithAsync(b => b.Services.AddSingleton<IUplinkDelay>(delay), null,
            // No linger: every wait seen here is a backoff.
            CloudArgs.For(cloud, "--Gateway:Uplink:BackoffBaseMilliseconds=1000", "--Gateway:Uplink:BackoffCapMilliseconds=300000", "--Gateway:Uplink:LingerMilliseconds=0"));
        var secret = gateway.AddNode("sl-0001");
        using var node = await gateway.ConnectAsync("sl-0001", secret);
        await node.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, 1)));

        await TestGateway.WaitUntilAsync(() => OfKind(cloud, "telemetry").Length == 1, "the record after the outage");
        var waits = delay.Waits.ToArray();
        Assert.Equal(9, waits.Length);
        Assert.Equal(TimeSpan.FromSeconds(1), waits[8]);
    }

    [Fact]
    public async Task A_record_the_cloud_crashes_on_is_isolated_and_dead_lettered_and_the_backlog_behind_it_delivered()
    {
        await using var cloud = await FakeCloud.StartAsync();
        await cloud.GoOfflineAsync(); // a backlog of 40, record 17 among them
        cloud.CrashOn = r => (long?)r["payload"]?["seq"] == 17 && (string?)r["kind"] == "telemetry";
        var delay = new RecordingDelay();
        await using var gateway = await TestGateway.StartWithAsync(b => b.Services.AddSingleton<IUplinkDelay>(delay), null,
            CloudArgs.For(cloud, "--Gateway:Uplink:ForwardState=false", "--Gateway:Uplink:MaxBatchRecords=16"));
        var secret = gateway.AddNode("sl-0001");
        using var node = await gateway.ConnectAsync("sl-0001", secret);
        for (var seq = 1; seq <= 40; seq++)
        {
            await node.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, seq)));
        }
        await cloud.GoOnlineAsync();

        await TestGateway.WaitUntilAsync(() => OfKind(cloud, "telemetry").Length == 39 && OfKind(cloud, "gateway").Length == 1, "39 records and the report");
        Assert.Equal(Enumerable.Range(1, 40).Where(s => s != 17).Select(s => (long)s), OfKind(cloud, "telemetry").Select(r => (long)r["payload"]!["seq"]!));
        var letter = Assert.Single(gateway.Get<DeadLetters>().List());
        Assert.Equal(TestGateway.Telemetry(1, 17), Encoding.UTF8.GetString(letter.Payload));
        Assert.StartsWith("given up: 500:", letter.Reason);
        var report = OfKind(cloud, "gateway")[0]["payload"]!;
        Assert.Equal("uplink.gaveUp", (string?)report["event"]);
        Assert.Equal(letter.GatewaySeq, (long)report["seq"]!);
        Assert.Equal(1, gateway.Metrics.Get("edge.gateway.uplink.dead_lettered"));
    }

    [Fact]
    public async Task A_cloud_that_answers_500_to_everything_dead_letters_nothing()
    {
        await using var cloud = await FakeCloud.StartAsync();
        cloud.CrashOn = _ => true; // broken for every record, not because of one
        var delay = new RecordingDelay();
        await using var gateway = await TestGateway.StartWithAsync(b => b.Services.AddSingleton<IUplinkDelay>(delay), null,
            CloudArgs.For(cloud, "--Gateway:Uplink:ForwardState=false"));
        var secret = gateway.AddNode("sl-0001");
        using var node = await gateway.ConnectAsync("sl-0001", secret);
        for (var seq = 1; seq <= 6; seq++)
        {
            await node.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, seq)));
        }
        await TestGateway.WaitUntilAsync(() => cloud.Attempts().Count(a => a.Status == 500) >= 30, "many 500s, probes included");
        cloud.CrashOn = _ => false;

        await TestGateway.WaitUntilAsync(() => OfKind(cloud, "telemetry").Length == 6, "all six once the cloud is fixed");
        Assert.Empty(gateway.Get<DeadLetters>().List());
        Assert.Empty(OfKind(cloud, "gateway"));
    }

    [Fact]
    public async Task Quota_drops_of_telemetry_are_logged()
    {
        var logs = new LogCapture();
        // No uplink: everything stays in a 16 KiB outbox, so telemetry has to make room for newer telemetry.
        await using var gateway = await TestGateway.StartWithAsync(b => b.Logging.AddProvider(logs), null, "--Gateway:Outbox:QuotaBytes=16384");
        var secret = gateway.AddNode("sl-0001");
        using var node = await gateway.ConnectAsync("sl-0001", secret);
        for (var seq = 1; seq <= 120; seq++)
        {
            await node.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, seq)));
        }

        var dropped = gateway.Get<IOutboxReader>().GetStats().DroppedRoutine;
        Assert.True(dropped > 0);
        var lines = logs.At(LogLevel.Warning).Where(l => l.StartsWith("Outbox quota: dropped", StringComparison.Ordinal) && l.Contains("routine")).ToList();
        Assert.NotEmpty(lines);
        Assert.True(lines.Count <= 1 + (int)Math.Log2(dropped) + 1, $"{lines.Count} lines for {dropped} drops: throttled");
    }
}
