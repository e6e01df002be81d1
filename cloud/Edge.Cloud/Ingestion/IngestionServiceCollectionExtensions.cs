using Edge.Cloud.Commissioning;
using Edge.Cloud.Ingestion.EventHubs;
using Edge.Cloud.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Edge.Cloud.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    /// <summary>Batch ingestion and the (optional) Event Hubs consumer. Call after <c>AddEdgeStorage</c> and
    /// <c>AddEdgeGateways</c>; map the endpoint with <c>MapEdgeIngestion</c>.</summary>
    public static IServiceCollection AddEdgeIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<IngestionOptions>(configuration.GetSection(IngestionOptions.Section));
        services.Configure<EventHubsOptions>(configuration.GetSection(EventHubsOptions.Section));
        services.Configure<ClockOptions>(configuration.GetSection(ClockOptions.Section));
        services.AddSingleton<RecordAdmission>().AddPoleHistory();
        services.AddSingleton<AdmissionCache>();
        services.AddSingleton<Storage.Migrations.IMigrationSource, InventoryVersionSchema>(); // it refuses retired devices' records by their replacement
        services.AddSingleton<OutboxEpochs>();
        services.AddSingleton<Gateways.GatewayClock>();
        services.TryAddSingleton<RecordArrivals>();
        services.AddEdgeMetrics();
        services.AddSingleton<BatchIngestor>();
        services.AddHostedService<EventHubsConsumer>();
        return services;
    }
}
