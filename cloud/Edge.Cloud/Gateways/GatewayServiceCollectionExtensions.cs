using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Gateways;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>Gateway registry, token checks and start-up seeding. Call after <c>AddEdgeStorage</c>.</summary>
    public static IServiceCollection AddEdgeGateways(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<GatewayOptions>(configuration.GetSection(GatewayOptions.Section));
        services.AddSingleton<IGatewayStore, SqlGatewayStore>();
        services.AddSingleton<GatewayRegistry>();
        services.AddSingleton<Storage.Migrations.IMigrationSource, GatewayUplinkSchema>();
        services.AddSingleton<GatewayUplinkReports>();
        services.AddSingleton<GatewayBookkeeping>();
        services.AddHostedService<GatewayBookkeepingFlusher>();
        services.AddHostedService<GatewaySeeder>();
        return services;
    }
}
