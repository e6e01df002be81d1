using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using Edge.Gateway.Outbox;
using Edge.Gateway.Uplink;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Gateway.Tests.Uplink;

/// <summary>
/// The Event Hubs adapter (docs/uplink.md §4) with the SDK's model factory (EventDataBatch with a small size limit)
/// and a hand-written <see cref="EventHubProducerClient"/> subclass standing in for the hub (its methods are virtual).
/// </summary>
public sealed class EventHubsTests
{
    const int OverheadPerEvent = 40; // the test hub's own accounting, independent of the adapter

    /// <summary>A hub with a batch size limit; it can answer ServerBusy a number of times.</summary>
    sealed class FakeHub(long batchLimitBytes) : EventHubProducerClient
    {
        public ConcurrentQueue<(string? PartitionKey, List<EventData> Events)> Sent { get; } = new();
        public List<string?> BatchPartitionKeys { get; } = new();
        public int BusyTimes { get; set; }
        readonly Dictionary<EventDataBatch, (CreateBatchOptions Options, List<EventData> Store)> _batches = new();

        public override ValueTask<EventDataBatch> CreateBatchAsync(CreateBatchOptions options, CancellationToken cancellationToken = default)
        {
            var store = new List<EventData>();
            long size = 0;
            var batch = EventHubsModelFactory.EventDataBatch(batchLimitBytes, store, options, e =>
            {
                var eventSize = e.EventBody.ToArray().Length + OverheadPerEvent;
                if (size + eventSize > batchLimitBytes) return false;
                size += eventSize;
                return true;
            });
            lock (_batches) _batches[batch] = (options, store);
            BatchPartitionKeys.Add(options.PartitionKey);
            return ValueTask.FromResult(batch);
        }

        public override Task SendAsync(EventDataBatch eventBatch, CancellationToken cancellationToken = default)
        {
            if (BusyTimes > 0)
            {
                BusyTimes--;
                throw new EventHubsException(true, "edge-records", "The server is busy.", EventHubsException.FailureReason.ServiceBusy);
            }
            (CreateBatchOptions Options, List<EventData> Store) entry;
            lock (_batches) entry = _batches[eventBatch];
            Sent.Enqueue((entry.Options.PartitionKey, entry.Store.ToList()));
            return Task.CompletedTask;
        }

        public override Task CloseAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    static OutboxMessage Message(long gatewaySeq, int padding = 100)
        => new(gatewaySeq, "kalamaki", "sl-0001", "telemetry", 1, gatewaySeq, MessageClass.Routine, 1767304800123,
            Encoding.UTF8.GetBytes($$"""{"v":1,"type":"streetlight","ts":1767304800,"boot":1,"seq":{{gatewaySeq}},"pad":"{{new string('x', padding)}}"}"""));

    [Fact]
    public async Task Records_are_packed_into_batches_under_the_size_limit_with_the_gateway_as_partition_key_and_all_go_out_in_order()
    {
        var hub = new FakeHub(1500);
        var sender = new EventHubsRecordSender(hub, "gw-test-1");
        var pending = Enumerable.Range(1, 20).Select(i => Message(i)).ToList();
        var calls = 0;
        while (pending.Count > 0)
        {
            var outcome = Assert.IsType<SendOutcome.Delivered>(await sender.SendAsync(pending, default));
            pending = pending.Where(m => m.GatewaySeq > outcome.AckedThrough).ToList();
            calls++;
        }
        var batches = hub.Sent.ToList();
        Assert.Equal(calls, batches.Count);
        Assert.True(batches.Count > 1, "20 records of ~250 bytes cannot fit one 1500-byte batch");
        Assert.All(batches, b => Assert.Equal("gw-test-1", b.PartitionKey));
        Assert.All(batches, b => Assert.True(b.Events.Sum(e => e.EventBody.ToArray().Length + OverheadPerEvent) <= 1500));
        var records = batches.SelectMany(b => b.Events).Select(e => JsonNode.Parse(e.EventBody.ToArray())!).ToList();
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), records.Select(r => (long)r["seq"]!));
        var first = records[0];
        Assert.Equal(1, (int)first["v"]!);
        Assert.Equal("gw-test-1", (string?)first["gateway"]);
        Assert.Equal("telemetry", (string?)first["kind"]);
        Assert.Equal("sl-0001", (string?)first["node"]);
        Assert.Equal(1767304800L, (long)first["receivedAt"]!);
        Assert.Equal(1L, (long)first["payload"]!["seq"]!);
    }

    [Fact]
    public async Task ServerBusy_is_a_retry_and_a_record_larger_than_an_empty_batch_is_too_large()
    {
        var hub = new FakeHub(600) { BusyTimes = 1 };
        var sender = new EventHubsRecordSender(hub, "gw-test-1");
        var busy = Assert.IsType<SendOutcome.Retry>(await sender.SendAsync([Message(1)], default));
        Assert.StartsWith("ServerBusy", busy.Reason);
        Assert.Empty(hub.Sent);
        Assert.IsType<SendOutcome.Delivered>(await sender.SendAsync([Message(1)], default));
        Assert.IsType<SendOutcome.TooLarge>(await sender.SendAsync([Message(2, padding: 1000)], default));
        Assert.Single(hub.Sent);
    }

    [Fact]
    public async Task Through_the_uplink_service_node_messages_reach_the_hub_after_backing_off_on_ServerBusy()
    {
        var hub = new FakeHub(2000) { BusyTimes = 3 };
        await using var gateway = await TestGateway.StartWithAsync(
            b => b.Services.AddSingleton<IRecordSender>(new EventHubsRecordSender(hub, "gw-test-1")), null,
            "--uplink", "eventhubs", "--gateway-id", "gw-test-1",
            "--Gateway:Uplink:EventHubsConnectionString=Endpoint=sb://edge-test.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=AAAA;EntityPath=edge-records",
            "--Gateway:Uplink:BackoffBaseMilliseconds=20", "--Gateway:Uplink:BackoffCapMilliseconds=100", "--Gateway:Rules:SirenDriver=none");
        var secret = gateway.AddNode("sl-0001");
        using var client = await gateway.ConnectAsync("sl-0001", secret);
        for (var seq = 1; seq <= 30; seq++)
        {
            await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, seq)));
        }
        var outbox = gateway.Get<IOutboxReader>();
        await TestGateway.WaitUntilAsync(() => outbox.GetStats().Depth == 0 && outbox.ForwardedUpTo > 0, "everything forwarded to the hub");
        var payloadSeqs = hub.Sent.SelectMany(b => b.Events).Select(e => JsonNode.Parse(e.EventBody.ToArray())!)
            .Where(r => (string?)r["kind"] == "telemetry").Select(r => (long)r["payload"]!["seq"]!).ToList();
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), payloadSeqs);
        Assert.Equal(0, hub.BusyTimes);
        Assert.Equal(3, gateway.Metrics.Get("edge.gateway.uplink.retries", "reason", "serverbusy"));
    }
}
