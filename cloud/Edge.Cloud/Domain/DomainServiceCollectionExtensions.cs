using Edge.Cloud.Desired;
using Edge.Cloud.Storage.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Domain;

public static class DomainServiceCollectionExtensions
{
    /// <summary>The domain schema and what every domain concept shares: the desired-change log and the
    /// desired-config builder.</summary>
    public static IServiceCollection AddEdgeDomain(this IServiceCollection services)
    {
        services.AddSingleton<IMigrationSource, DomainSchema>();
        services.AddSingleton<DesiredChangeLog>();
        services.AddSingleton<DesiredConfigs>();
        return services;
    }
}
