using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Edge.Cloud.Telemetry;

/// <summary>
/// The OpenTelemetry SDK over <see cref="CloudMetrics"/> and <see cref="Source"/>: Prometheus text at /metrics (token
/// or loopback only), runtime and ASP.NET Core instruments, spans when tracing is on, OTLP when configured.
/// </summary>
public static class CloudTelemetry
{
    /// <summary>The cloud's spans: the store of a batch, inside the request that continues the gateway's trace.</summary>
    public static readonly ActivitySource Source = new(CloudMetrics.MeterName);

    /// <summary>This host's meters: the cloud's and those ASP.NET Core creates per host (what the ASP.NET Core
    /// instrumentation package would subscribe to by name).</summary>
    private static readonly string[] LocalMeters =
    [
        CloudMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting",
    ];

    public static IServiceCollection AddEdgeTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        services.AddSingleton(options);
        services.AddEdgeMetrics();
        // The cloud's and ASP.NET Core's meters are enabled for this host's own IMeterFactory only (MeterScope.Local),
        // not by name process-wide: the demo runs a gateway in the same process, and tests run several clouds.
        // The runtime's meter is one per process and is taken by name.
        services.AddMetrics(metrics =>
        {
            foreach (var meter in LocalMeters)
            {
                metrics.EnableMetrics(meter, null, "OpenTelemetry", MeterScope.Local);
            }
        });
        var otlp = options.OtlpUri;
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("edge-cloud"))
            .WithMetrics(metrics =>
            {
                metrics.AddRuntimeInstrumentation()
                    // No response cache: a scrape right after a batch shows it (the default caches for 300 ms).
                    .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp is not null) metrics.AddOtlpExporter(exporter => exporter.Endpoint = otlp);
            });
        if (options.TracingEnabled)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(CloudMetrics.MeterName).AddAspNetCoreInstrumentation();
                if (otlp is not null) tracing.AddOtlpExporter(exporter => exporter.Endpoint = otlp);
            });
        }
        return services;
    }

    /// <summary>The meter and its instruments, for the components that measure (ingestion, commands, the record
    /// feed); safe to call from each of them.</summary>
    public static IServiceCollection AddEdgeMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<CloudMetrics>();
        return services;
    }

    /// <summary>/metrics in the Prometheus text format, for a scraper with <see cref="TelemetryOptions.MetricsToken"/>
    /// (or, without one configured, on the same machine only).</summary>
    public static IEndpointRouteBuilder MapEdgeTelemetry(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<TelemetryOptions>();
        endpoints.MapPrometheusScrapingEndpoint("/metrics", null, branch => branch.Use(async (context, next) =>
        {
            var refusal = Refusal(context, options.MetricsToken);
            if (refusal is { } status)
            {
                context.Response.StatusCode = status;
                if (status == StatusCodes.Status401Unauthorized) context.Response.Headers.WWWAuthenticate = "Bearer";
                return;
            }
            await next(context);
        }), null);
        return endpoints;
    }

    /// <summary>Null when the request may read /metrics; else 401 (token missing or wrong) or 403 (no token configured, not loopback).</summary>
    static int? Refusal(HttpContext context, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return context.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address) ? null : StatusCodes.Status403Forbidden;
        }
        var header = context.Request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        var given = header.StartsWith(bearer, System.StringComparison.OrdinalIgnoreCase) ? header[bearer.Length..].Trim() : "";
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(token)) ? null : StatusCodes.Status401Unauthorized;
    }
}
