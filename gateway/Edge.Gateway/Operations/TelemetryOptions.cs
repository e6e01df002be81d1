using System;

namespace Edge.Gateway.Operations;

/// <summary>Gateway:Telemetry — where metrics and traces go besides the Prometheus endpoint at /metrics (docs/gateway.md).</summary>
public sealed class TelemetryOptions
{
    /// <summary>
    /// An OpenTelemetry collector (OTLP over gRPC, e.g. http://collector:4317) that receives the gateway's metrics and
    /// traces. Empty (the default): nothing is pushed anywhere; /metrics and dotnet-counters still work.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>
    /// Start a span for every accepted node message and send its trace context upstream (docs/uplink.md). On by
    /// itself when <see cref="OtlpEndpoint"/> is set; off otherwise, because nothing would collect the gateway's half
    /// of the trace and each span costs an allocation on the message path.
    /// </summary>
    public bool Tracing { get; set; }

    /// <summary>
    /// The most tag combinations each metric keeps (the OpenTelemetry SDK's cardinality limit; more go to one overflow
    /// series). The SDK allocates an array of this many points for every metric up front; at its default, 2,000,
    /// that was 7 MB of large-object heap for the ~50 metrics of an empty gateway (docs/scale.md). The gateway's
    /// metrics are tagged by reason, leaf, class or rule, never by node.
    /// </summary>
    public int MetricPointsPerMetric { get; set; } = 200;

    public int CardinalityLimit => MetricPointsPerMetric >= 1 ? MetricPointsPerMetric
        : throw new InvalidOperationException($"Gateway:Telemetry:MetricPointsPerMetric: {MetricPointsPerMetric} is not a positive number");

    public bool TracingEnabled => Tracing || OtlpUri is not null;

    public Uri? OtlpUri => string.IsNullOrWhiteSpace(OtlpEndpoint) ? null
        : Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) ? uri
        : throw new InvalidOperationException($"Gateway:Telemetry:OtlpEndpoint: '{OtlpEndpoint}' is not an absolute URL");
}
