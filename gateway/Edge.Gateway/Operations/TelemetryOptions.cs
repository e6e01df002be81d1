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

    public bool TracingEnabled => Tracing || OtlpUri is not null;

    public Uri? OtlpUri => string.IsNullOrWhiteSpace(OtlpEndpoint) ? null
        : Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) ? uri
        : throw new InvalidOperationException($"Gateway:Telemetry:OtlpEndpoint: '{OtlpEndpoint}' is not an absolute URL");
}
