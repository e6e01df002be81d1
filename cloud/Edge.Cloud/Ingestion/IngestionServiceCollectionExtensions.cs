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
        services.AddRecordAdmission();
        services.AddSingleton<OutboxEpochs>();
        services.AddSingleton<Gateways.GatewayClock>();
        services.TryAddSingleton<RecordArrivals>();
        services.AddEdgeMetrics();
        services.AddSingleton<BatchIngestor>();
        services.AddHostedService<EventHubsConsumer>();
        return services;
    }

    /// <summary>Admission (<see cref="RecordAdmission"/>) with its cache, the inventory version the cache checks and the
    /// pole history it reads (it refuses retired devices' records by their replacement).</summary>
    public static IServiceCollection AddRecordAdmission(this IServiceCollection services)
    {
        services.TryAddSingleton<RecordAdmission>();
        services.TryAddSingleton<AdmissionCache>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Storage.Migrations.IMigrationSource, InventoryVersionSchema>());
        return services.AddPoleHistory();
    }
}
