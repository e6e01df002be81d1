using System.Collections.Generic;
using System.Diagnostics;
using Edge.Gateway.Outbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Edge.Gateway.Operations;

/// <summary>
/// The OpenTelemetry SDK over the gateway's <see cref="GatewayMetrics"/> meter and <see cref="Source"/>: Prometheus
/// text at /metrics, runtime and ASP.NET Core instruments, OTLP when configured (docs/gateway.md, Operations).
/// </summary>
public static class GatewayTelemetry
{
    /// <summary>The gateway's spans: a node message accepted, a batch sent upstream (docs/uplink.md, trace context).</summary>
    public static readonly ActivitySource Source = new(GatewayMetrics.MeterName);

    /// <summary>This host's meters: the gateway's and those ASP.NET Core creates per host (what the ASP.NET Core
    /// instrumentation package would subscribe to by name).</summary>
    static readonly string[] LocalMeters =
    [
        GatewayMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting",
    ];

    /// <summary>The span of one node message from its arrival to its outbox commit (a root: MQTT 3.1.1 carries no
    /// trace context); null when tracing is off.</summary>
    public static Activity? StartMessageSpan(string nodeId, string leaf, long boot, long seq)
    {
        if (!Source.HasListeners()) return null;
        var span = Source.StartActivity("node.message", ActivityKind.Consumer, default(ActivityContext));
        span?.SetTag("edge.node.id", nodeId);
        span?.SetTag("edge.leaf", leaf);
        span?.SetTag("edge.boot", boot);
        span?.SetTag("edge.seq", seq);
        return span;
    }

    /// <summary>The span of one batch sent upstream: a new trace, linked to the span of each record that had one;
    /// null when tracing is off.</summary>
    public static Activity? StartBatchSpan(IReadOnlyList<OutboxMessage> batch)
    {
        if (!Source.HasListeners()) return null;
        var links = new List<ActivityLink>();
        foreach (var message in batch)
        {
            if (message.TraceParent is { } parent && ActivityContext.TryParse(parent, null, out var context)) links.Add(new ActivityLink(context));
        }
        var span = Source.StartActivity("uplink.batch", ActivityKind.Producer, default(ActivityContext), links: links);
        span?.SetTag("edge.records", batch.Count);
        span?.SetTag("edge.gateway.seq.first", batch[0].GatewaySeq);
        span?.SetTag("edge.gateway.seq.last", batch[^1].GatewaySeq);
        return span;
    }

    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services, TelemetryOptions options)
    {
        // The gateway's and ASP.NET Core's meters are enabled for this host's own IMeterFactory only (MeterScope.Local),
        // not by name process-wide: a process may hold several hosts (the tests, the demo's gateway beside its cloud),
        // and each /metrics must count its own. The runtime's meter is one per process and is taken by name.
        services.AddMetrics(metrics =>
        {
            foreach (var meter in LocalMeters)
            {
                metrics.EnableMetrics(meter, null, "OpenTelemetry", MeterScope.Local);
            }
        });
        var otlp = options.OtlpUri;
        var cardinalityLimit = options.CardinalityLimit;
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("edge-gateway"))
            .WithMetrics(metrics =>
            {
                // Every metric's points are allocated up front, as many as its cardinality limit (TelemetryOptions).
                metrics.AddView(_ => new MetricStreamConfiguration { CardinalityLimit = cardinalityLimit });
                metrics.AddRuntimeInstrumentation()
                    // No response cache: a scrape right after a message shows it (the default caches for 300 ms).
                    .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(exporter => exporter.Endpoint = otlp);
                }
            });
        if (options.TracingEnabled)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(GatewayMetrics.MeterName).AddAspNetCoreInstrumentation();
                if (otlp is not null)
                {
                    tracing.AddOtlpExporter(exporter => exporter.Endpoint = otlp);
                }
            });
        }
        return services;
    }

    /// <summary>Prometheus text exposition (0.0.4, or OpenMetrics when the scraper asks for it) at /metrics.</summary>
    public static void MapMetrics(this IEndpointRouteBuilder app) => app.MapPrometheusScrapingEndpoint("/metrics");
}
