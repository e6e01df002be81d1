using Edge.Cloud.Desired;
using Edge.Cloud.Storage.Migrations;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Domain;

public static class DomainServiceCollectionExtensions
{
    /// <summary>The domain schema and what every domain concept shares: the desired-change log, the
    /// desired-config builder and the translation of unparseable query values.</summary>
    public static IServiceCollection AddEdgeDomain(this IServiceCollection services)
    {
        services.AddSingleton<IMigrationSource, DomainSchema>();
        services.AddSingleton<DesiredChangeLog>();
        services.AddSingleton<DesiredConfigs>();
        // Unparseable query/route values reach QueryErrors, which names the parameter (not its .NET type).
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<QueryErrors>();
        return services;
    }
}
