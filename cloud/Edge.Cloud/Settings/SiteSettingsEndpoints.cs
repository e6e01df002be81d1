using System.Collections.Generic;
using System.Security.Claims;
using System.Threading;
using Edge.Cloud.ApiDocs;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage.Migrations;
using Edge.Cloud.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Settings;

public static class SiteSettingsEndpoints
{
    public static IServiceCollection AddEdgeSettings(this IServiceCollection services, IConfiguration configuration) => services
        .Configure<SiteSettingsDefaults>(configuration.GetSection(SiteSettingsDefaults.Section))
        .AddSingleton<IMigrationSource, SiteSettingsSchema>()
        .AddSingleton<SiteSettingsService>();

    /// <summary><c>GET /settings</c> (any user) and <c>PUT /settings</c> (admin).</summary>
    public static IEndpointRouteBuilder MapEdgeSettings(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapApiGroup("Settings");
        api.MapGet("/settings", (SiteSettingsService s, CancellationToken ct) => s.GetAsync(ct))
            .RequireAuthorization(Policies.Viewer).WithSummary("The site settings: electricity price (€/kWh) and grid emission factor (kg CO₂/kWh)")
            .Produces<SiteSettings>();
        api.MapPut("/settings", async (HttpRequest request, ClaimsPrincipal user, SiteSettingsService s) =>
                await s.PutAsync(user.Actor(), await Api.BodyAsync<SiteSettingsRequest>(request), request.HttpContext.RequestAborted))
            .RequireAuthorization(Policies.Admin).Body<SiteSettingsRequest>(new SiteSettingsRequest(0.20, 0.315))
            .WithSummary($"Change the site settings (admin; audited): pricePerKWh more than 0 and at most {SiteSettingsService.MaxPrice}, kgCo2PerKWh 0 to {SiteSettingsService.MaxCo2}")
            .Produces<SiteSettings>();
        return endpoints;
    }
}

/// <summary>The <c>site_settings</c> table (206): one row per setting an admin changed.</summary>
public sealed class SiteSettingsSchema : IMigrationSource
{
    private const string Sql = """
        CREATE TABLE site_settings (
          name TEXT PRIMARY KEY,
          value DOUBLE PRECISION NOT NULL,
          updated_at BIGINT NOT NULL,
          updated_by TEXT NOT NULL
        );
        """;

    public IEnumerable<Migration> Migrations { get; } = [new Migration(206, "site settings", Sql, Sql)];
}
