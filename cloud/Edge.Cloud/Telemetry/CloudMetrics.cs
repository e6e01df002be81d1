using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Edge.Cloud.Telemetry;

/// <summary>
/// The cloud's one <see cref="Meter"/> ("Edge.Cloud", made by the host's <see cref="IMeterFactory"/>) and its
/// instruments: ingestion, commands and the record feed. Names follow the OpenTelemetry conventions; the Prometheus
/// exporter at /metrics turns <c>edge.cloud.ingestion.records</c> into <c>edge_cloud_ingestion_records_total</c>
/// (docs/cloud.md, Operations).
/// </summary>
public sealed class CloudMetrics
{
    /// <summary>The meter's name: what <c>dotnet-counters monitor --counters Edge.Cloud</c> and OpenTelemetry subscribe to.</summary>
    public const string MeterName = "Edge.Cloud";

    public CloudMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        Records = Meter.CreateCounter<long>("edge.cloud.ingestion.records", "{record}",
            "Records of batches received (HTTPS and Event Hubs), by outcome: accepted, duplicate, rejected (reason invalid or refused).");
        Batches = Meter.CreateCounter<long>("edge.cloud.ingestion.batches", "{batch}",
            "Batches received, by outcome (accepted, rejected) and, when rejected as a whole, reason.");
        StoreDuration = Meter.CreateHistogram("edge.cloud.ingestion.store.duration", "s",
            "Time to store one batch's admitted records in one transaction.", null, Buckets(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10));
        StageDuration = Meter.CreateHistogram("edge.cloud.ingestion.stage.duration", "s",
            "Time of each stage of a batch, by stage: auth, read (body and gunzip), parse, gateway (clock and uplink report, alongside the next stages), epoch, validate, admission, store; and of each step of the record feed's chunks after the commit: feed.read, feed.nodestate, feed.rules, feed.commit.",
            null, Buckets(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1));
        FeedApplyDuration = Meter.CreateHistogram("edge.cloud.feed.apply.duration", "s",
            "Time the record feed takes to apply one chunk of records (read, node state, alarm rules and acks, checkpoints) in one transaction.",
            null, Buckets(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5));
        NodeStateRows = Meter.CreateCounter<long>("edge.cloud.feed.node_state.rows", "{row}",
            "node_state rows the record feed wrote (committed): what keeping each node's last seen and latest state costs the database.");
        CommandsIssued = Meter.CreateCounter<long>("edge.cloud.commands.issued", "{command}", "Commands issued to nodes, by kind.");
        CommandsCompleted = Meter.CreateCounter<long>("edge.cloud.commands.completed", "{command}",
            "Commands a node's ack completed, by status (acked, failed, expired by the node).");
        CommandLatency = Meter.CreateHistogram("edge.cloud.commands.latency", "s",
            "From a command's issue to the cloud applying its ack, by status.", null, Buckets(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300));
        FeedLag = Meter.CreateHistogram("edge.cloud.feed.lag", "s",
            "Age of a batch of records when the record feed applies it: from the gateway receiving its last record to the feed's commit.",
            null, Buckets(0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600));
    }

    public Meter Meter { get; }
    public Counter<long> Records { get; }
    public Counter<long> Batches { get; }
    public Histogram<double> StoreDuration { get; }
    public Histogram<double> StageDuration { get; }
    public Histogram<double> FeedApplyDuration { get; }
    public Counter<long> NodeStateRows { get; }
    public Counter<long> CommandsIssued { get; }
    public Counter<long> CommandsCompleted { get; }
    public Histogram<double> CommandLatency { get; }
    public Histogram<double> FeedLag { get; }

    /// <summary>Records one ingestion stage that began at <paramref name="started"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void Stage(string stage, long started) => StageDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, Tag("stage", stage));

    /// <summary>Bucket bounds in seconds: the SDK's default ones (0, 5, 10, 25 … 10000) are made for milliseconds.</summary>
    private static InstrumentAdvice<double> Buckets(params double[] bounds) => new() { HistogramBucketBoundaries = bounds };

    /// <summary>One tag of a measurement: a Prometheus label at /metrics.</summary>
    public static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);
}
