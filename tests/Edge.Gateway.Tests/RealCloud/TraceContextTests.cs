using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Edge.Gateway.Registry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Edge.Gateway.Tests.RealCloud;

/// <summary>
/// W3C trace context end to end, real gateway → real cloud over loopback HTTP (docs/uplink.md, trace context): the
/// gateway's span for an accepted node message, the uplink batch span linked to it and sent as <c>traceparent</c>,
/// the cloud's request span continuing it and the store span under that, linked back to the record's own span.
/// Spans are collected by OpenTelemetry's in-memory exporter in each service.
/// </summary>
public sealed class TraceContextTests
{
    // A node id no other test uses: the span sources are process-wide, so spans of parallel tests can show up here too.
    const string Node = "sl-7301";

    [Fact]
    public async Task The_clouds_store_span_continues_the_gateways_batch_trace_and_links_to_the_records_span()
    {
        var cloudSpans = new SpanLog();
        await using var cloud = await EdgeCloud.StartAsync(CloudStorage.Sqlite, new Dictionary<string, string?> { ["Telemetry:Tracing"] = "true" },
            services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(cloudSpans)));
        var secret = await cloud.AddNodeAsync(Node, "streetlight");
        var gatewaySpans = new SpanLog();
        await using var gateway = await TestGateway.StartWithAsync(
            builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(gatewaySpans)),
            null, cloud.GatewayArgs("--Gateway:Uplink:ForwardState=false", "--Gateway:Telemetry:Tracing=true"));
        await TestGateway.WaitUntilAsync(() => gateway.Get<NodeRegistry>().Find(Node) is not null, "the gateway learnt the node from the cloud's downlink");
        using (var client = await gateway.ConnectAsync(Node, secret))
        {
            await client.PublishAsync(TestGateway.Message(TestGateway.Topic(Node, "telemetry"), TestGateway.Telemetry(1, 1)));
        }

        Activity? message = null, store = null, batch = null;
        await TestGateway.WaitUntilAsync(() =>
        {
            message = gatewaySpans.Snapshot().FirstOrDefault(s => s.OperationName == "node.message" && (string?)s.GetTagItem("edge.node.id") == Node);
            store = message is null ? null : cloudSpans.Snapshot().FirstOrDefault(s => s.OperationName == "ingestion.store" && LinksTo(s, message));
            // The batch span ends when the gateway has read the cloud's answer, after the store span.
            batch = message is null ? null : gatewaySpans.Snapshot().FirstOrDefault(s => s.OperationName == "uplink.batch" && LinksTo(s, message));
            return store is not null && batch is not null;
        }, "the cloud's store span and the gateway's batch span, both linked to the record's span", 60);

        // The gateway: the record's span ended at the outbox commit; the batch that carried it is a trace of its own, linked to it.
        Assert.Equal("Committed", message!.GetTagItem("edge.outcome"));
        Assert.Single(gatewaySpans.Snapshot(), s => s.OperationName == "uplink.batch" && LinksTo(s, message));
        Assert.Equal(ActivityKind.Producer, batch!.Kind);
        // The cloud: its request span is the batch span's child (traceparent), the store span the request's child.
        Assert.Equal(batch.TraceId, store!.TraceId);
        var request = Assert.Single(cloudSpans.Snapshot(), s => s.SpanId == store.ParentSpanId);
        Assert.Equal(ActivityKind.Server, request.Kind);
        Assert.Equal(batch.SpanId, request.ParentSpanId);
        Assert.Equal(batch.TraceId, request.TraceId);
        Assert.Equal(1, store.GetTagItem("edge.records"));
        Assert.Equal(1, store.GetTagItem("edge.records.stored"));
    }

    static bool LinksTo(Activity span, Activity target)
        => span.Links.Any(l => l.Context.TraceId == target.TraceId && l.Context.SpanId == target.SpanId);

    /// <summary>The exporter's collection, written from the exporting thread while the test reads it.</summary>
    sealed class SpanLog : Collection<Activity>
    {
        readonly object _lock = new();

        protected override void InsertItem(int index, Activity item)
        {
            lock (_lock) base.InsertItem(index, item);
        }

        public Activity[] Snapshot()
        {
            lock (_lock) return this.ToArray();
        }
    }
}
