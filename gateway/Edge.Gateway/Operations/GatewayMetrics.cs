using System.Collections.Generic;
using System.Diagnostics.Metrics;

namespace Edge.Gateway.Operations;

/// <summary>
/// The gateway's one <see cref="System.Diagnostics.Metrics.Meter"/> ("Edge.Gateway", made by the host's
/// <see cref="IMeterFactory"/> so each host has its own) and the counters the broker, registry and outbox increment.
/// The uplink, rules and transports add their instruments to the same meter. Names follow the OpenTelemetry
/// conventions (dotted, no <c>_total</c>, unit separate); the Prometheus exporter at /metrics turns
/// <c>edge.gateway.messages.rejected</c> into <c>edge_gateway_messages_rejected_total</c> (docs/gateway.md).
/// </summary>
public sealed class GatewayMetrics
{
    /// <summary>The meter's name: what <c>dotnet-counters monitor --counters Edge.Gateway</c> and OpenTelemetry subscribe to.</summary>
    public const string MeterName = "Edge.Gateway";

    public GatewayMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        Rejected = Meter.CreateCounter<long>("edge.gateway.messages.rejected", "{message}",
            "Node publishes dropped because they broke protocol.md (oversize, malformed, bad_version, missing_member, unknown_topic, retain), by reason.");
        AclViolations = Meter.CreateCounter<long>("edge.gateway.acl.violations", "{operation}",
            "Publishes or subscriptions outside the node's own subtree (protocol.md §2.4), refused, by operation.");
        AuthFailures = Meter.CreateCounter<long>("edge.gateway.auth.failures", "{connect}",
            "Refused CONNECTs (protocol.md §2.2), by reason.");
        ConnectionsClosed = Meter.CreateCounter<long>("edge.gateway.mqtt.connections.closed", "{connection}",
            "Connections the embedded broker closed before reading a packet: too_large, bad_topic, bad_length (docs/gateway.md).");
        Accepted = Meter.CreateCounter<long>("edge.gateway.messages.accepted", "{message}",
            "Node messages accepted (committed to the outbox, or applied for state), by leaf.");
        Duplicates = Meter.CreateCounter<long>("edge.gateway.messages.duplicates", "{message}",
            "Node re-sends recognised by (nodeId, boot, seq) and not stored again (protocol.md §5.4, §16.2).");
        OutboxDropped = Meter.CreateCounter<long>("edge.gateway.outbox.dropped", "{message}",
            "Queued messages dropped by the disk-quota policy (routine telemetry first, kept events/acks last), by class.");
        CommitMessages = Meter.CreateHistogram<int>("edge.gateway.outbox.commit.messages", "{message}",
            "Node messages one outbox commit (one fsync) took, duplicates and quota drops included: how well group commit gathers the nodes' publishes.",
            null, new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2000] });
        CommitDuration = Meter.CreateHistogram<double>("edge.gateway.outbox.commit.duration", "s",
            "Time of one outbox write transaction, from its first statement to its commit's fsync returning.",
            null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
        MemoryGauges.Add(Meter);
    }

    public Meter Meter { get; }
    public Counter<long> Rejected { get; }
    public Counter<long> AclViolations { get; }
    public Counter<long> AuthFailures { get; }
    public Counter<long> ConnectionsClosed { get; }
    public Counter<long> Accepted { get; }
    public Counter<long> Duplicates { get; }
    public Counter<long> OutboxDropped { get; }
    public Histogram<int> CommitMessages { get; }
    public Histogram<double> CommitDuration { get; }

    /// <summary>One tag of a measurement (<c>reason</c>, <c>leaf</c>, …): a Prometheus label at /metrics.</summary>
    public static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);
}
