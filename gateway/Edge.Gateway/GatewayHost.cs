using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Text.Json.Serialization;
using Edge.Gateway.Broker;
using MQTTnet.AspNetCore;
using Edge.Gateway.Operations;
using Edge.Gateway.Outbox;
using Edge.Gateway.Registry;
using Edge.Gateway.Uplink;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway;

/// <summary>
/// Builds the gateway: a Generic Host (ASP.NET Core minimal APIs for /health, /metrics, /api/nodes) with systemd
/// integration. Program.Main and the in-process tests both go through <see cref="Build"/>.
/// Components for other folders (uplink, downlink, rules) register through <paramref name="configure"/> or in
/// <see cref="AddGatewayCore"/>'s caller and take what they need from DI: <see cref="IOutboxReader"/>,
/// <see cref="INodePublisher"/>, <see cref="INodeMessageFeed"/>, <see cref="NodeRegistry"/>, <see cref="GatewayMetrics"/> (its Meter).
/// </summary>
public static class GatewayHost
{
    /// <summary>Command-line flags and the configuration keys they set.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>
    {
        ["--data-dir"] = "Gateway:DataDir",
        ["--port"] = "Gateway:Broker:Port",
        ["--bind"] = "Gateway:Broker:BindAddress",
        ["--tls-port"] = "Gateway:Broker:TlsPort",
        ["--tls-cert"] = "Gateway:Broker:TlsCertificatePath",
        ["--http-port"] = "Gateway:Http:Port",
        ["--quota-mb"] = "Gateway:Outbox:QuotaMegabytes",
        ["--synchronous"] = "Gateway:Outbox:Synchronous",
        ["--uplink"] = "Gateway:Uplink:Kind",
        ["--cloud-url"] = "Gateway:Uplink:BaseUrl",
        ["--gateway-id"] = "Gateway:Uplink:GatewayId",
        ["--broker-mode"] = "Gateway:Broker:Mode",
        ["--broker-host"] = "Gateway:Broker:External:Host",
        ["--broker-port"] = "Gateway:Broker:External:Port",
        ["--export-mosquitto"] = "Gateway:ExportMosquitto",
    };

    public const string Usage = """
        Edge gateway — embedded MQTT broker, node registry, durable outbox (docs/gateway.md)

        Usage: Edge.Gateway [options]

          --data-dir <path>     where gateway.db and outbox.db live (default /var/lib/edge-gateway)
          --port <n>            MQTT port for nodes (default 1883)
          --bind <address>      MQTT bind address (default: any)
          --tls-port <n>        MQTT over TLS port (default off; 8883 per protocol.md §1.1)
          --tls-cert <path>     PKCS#12 server certificate for the TLS listener
          --http-port <n>       /health, /metrics and /api/nodes (default 8080)
          --quota-mb <n>        outbox disk quota in MiB (default 512)
          --synchronous <mode>  FULL (default, survives power loss) or NORMAL (survives process kill only)
          --uplink <kind>       https (default), eventhubs or none (docs/uplink.md)
          --cloud-url <url>     cloud base address for the HTTPS uplink and the desired-state downlink
          --gateway-id <id>     this gateway's id in the cloud (token: Gateway__Uplink__Token)
          --broker-mode <mode>  embedded (default) or external: attach to the site's Mosquitto instead
          --broker-host <host>  the site broker (external mode; default 127.0.0.1)
          --broker-port <n>     its port (default 1883; user/password: Gateway__Broker__External__UserName/Password)
          --export-mosquitto <dir>
                                write edge.passwd and edge.acl for Mosquitto from the node registry, then exit
          --help                this text

        Every setting can also come from appsettings.json (section "Gateway") or the environment
        (Gateway__Broker__Port=1883, Gateway__Http__AdminToken=…). Flags win over the environment,
        which wins over appsettings.json.
        """;

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string>(SwitchMappings));
        var options = new GatewayOptions();
        builder.Configuration.GetSection(GatewayOptions.Section).Bind(options);
        if (builder.Configuration.GetValue<long?>("Gateway:Outbox:QuotaMegabytes") is { } quotaMb)
        {
            options.Outbox.QuotaBytes = quotaMb * 1024 * 1024;
        }

        builder.Services.AddSystemd();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ "; o.UseUtcTimestamp = true; });
        var httpAddress = string.Equals(options.Http.BindAddress, "any", StringComparison.OrdinalIgnoreCase) ? IPAddress.Any
            : IPAddress.TryParse(options.Http.BindAddress, out var parsed) ? parsed
            : throw new InvalidOperationException($"Gateway:Http:BindAddress: '{options.Http.BindAddress}' is not an IP address or \"any\"");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(httpAddress, options.Http.Port);
            if (!options.Broker.IsExternal && options.Broker.IsKestrel) KestrelMqttListener.Listen(kestrel, options.Broker);
        });
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddGatewayCore(options);
        builder.Services.AddGatewayTelemetry(options.Telemetry);
        builder.Services.AddUplinkDownlinkAndRules(options);
        configure?.Invoke(builder);

        var app = builder.Build();
        MapOperations(app, options);
        return app;
    }

    /// <summary>Registers the broker, registry, outbox and operations services.</summary>
    public static IServiceCollection AddGatewayCore(this IServiceCollection services, GatewayOptions options)
    {
        var dataDir = options.ResolveDataDir();
        Directory.CreateDirectory(dataDir);
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new Downlink.NodeTime(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(options.Broker);
        services.AddSingleton(options.Outbox);
        services.AddMetrics();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton(sp => new NodeRegistry(Path.Combine(dataDir, "gateway.db"), options.Registry.HashIterations, sp.GetRequiredService<ILogger<NodeRegistry>>()));
        services.AddSingleton(_ => new RetainedStore(Path.Combine(dataDir, "gateway.db")));
        services.AddSingleton(sp => new DurableOutbox(Path.Combine(dataDir, "outbox.db"), options.Outbox, sp.GetRequiredService<GatewayMetrics>(), sp.GetRequiredService<ILogger<DurableOutbox>>()));
        services.AddSingleton<IOutboxReader>(sp => sp.GetRequiredService<DurableOutbox>());
        services.AddSingleton<NodeMessageFeed>();
        services.AddSingleton<INodeMessageFeed>(sp => sp.GetRequiredService<NodeMessageFeed>());
        services.AddSingleton<InboundPipeline>();
        services.AddSingleton<Broker.Exposure.ExposureLog>();
        services.AddSingleton(new LoginGate(options.Broker.Limits.ConcurrentLogins ?? LoginGate.DefaultLimit));
        // The embedded broker's adapter when Gateway:Broker:Transport = kestrel (KestrelMqttListener's endpoints use it).
        services.AddSingleton<MqttConnectionHandler>();
        services.AddSingleton<EmbeddedBroker>();
        services.AddSingleton<ExternalBrokerTransport>();
        // Gateway:Broker:Mode picks where nodes connect: the embedded broker, or the site's Mosquitto (docs/gateway.md).
        services.AddSingleton<INodeTransport>(sp => options.Broker.IsExternal
            ? sp.GetRequiredService<ExternalBrokerTransport>()
            : sp.GetRequiredService<EmbeddedBroker>());
        services.AddSingleton<INodePublisher>(sp => sp.GetRequiredService<INodeTransport>());
        services.AddHostedService<GatewayService>();
        services.AddSingleton(options.Memory);
        services.AddSingleton<MemoryReclaimer>();
        services.AddHostedService(sp => sp.GetRequiredService<MemoryReclaimer>());
        return services;
    }

    static void MapOperations(WebApplication app, GatewayOptions options)
    {
        app.MapGet("/health/live", () => Results.Ok(new { status = "live" }));
        app.MapGet("/health", (INodeTransport transport, DurableOutbox outbox, RetainedStore retained, NodeRegistry registry, IEnumerable<IHealthComponent> components) =>
        {
            var report = HealthReport.Collect(transport, outbox, retained, registry, options.ResolveDataDir())
                with { Components = System.Linq.Enumerable.ToDictionary(components, c => c.Name, c => c.Report()) };
            return Results.Json(report, statusCode: report.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        app.MapMetrics();
        ProvisioningApi.Map(app, options.Http.AdminToken);
        DeadLetterApi.Map(app, options.Http.AdminToken);
    }
}
