using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
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

    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services, TelemetryOptions options)
    {
        services.AddMetrics();
        var otlp = options.OtlpUri;
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("edge-gateway"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(GatewayMetrics.MeterName)
                    .AddRuntimeInstrumentation()
                    .AddAspNetCoreInstrumentation()
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
