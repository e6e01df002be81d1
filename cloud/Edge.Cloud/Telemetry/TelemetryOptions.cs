using System;

namespace Edge.Cloud.Telemetry;

/// <summary><c>Telemetry:</c> configuration — who may read /metrics and where traces go (docs/cloud.md, Operations).</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>
    /// Bearer token a Prometheus scraper sends to /metrics (<c>authorization: credentials</c>). Empty (the default):
    /// /metrics answers only requests from the loopback interface, because the cloud is reachable from the internet
    /// and its metrics name gateways and the load on them.
    /// </summary>
    public string? MetricsToken { get; set; }

    /// <summary>An OpenTelemetry collector (OTLP over gRPC, e.g. http://collector:4317) for metrics and traces; empty: none.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Record spans (ingestion continuing a gateway's trace, the store) even without OTLP — tests, or a custom exporter.</summary>
    public bool Tracing { get; set; }

    public bool TracingEnabled => Tracing || OtlpUri is not null;

    public Uri? OtlpUri => string.IsNullOrWhiteSpace(OtlpEndpoint) ? null
        : Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) ? uri
        : throw new InvalidOperationException($"Telemetry:OtlpEndpoint: '{OtlpEndpoint}' is not an absolute URL");
}
