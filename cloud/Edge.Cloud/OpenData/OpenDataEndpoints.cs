using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.OpenData;

/// <summary>
/// The public open-data surface (docs/open-data.md), no sign-in: the NGSI-LD read API under <c>/ngsi-ld/v1</c>.
/// Every route shares one per-address rate limit and answers errors as NGSI-LD problem details.
/// </summary>
public static class OpenDataEndpoints
{
    public const string NgsiPrefix = "/ngsi-ld/v1";

    public static IServiceCollection AddEdgeOpenData(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<OpenDataOptions>(configuration.GetSection(OpenDataOptions.Section));
        services.AddSingleton<OpenDataEntities>();
        services.AddSingleton<OpenDataRateLimit>();
        return services;
    }

    public static IEndpointRouteBuilder MapEdgeOpenData(this IEndpointRouteBuilder endpoints)
    {
        var limit = endpoints.ServiceProvider.GetRequiredService<OpenDataRateLimit>();
        // Not in the cloud's own OpenAPI document: these routes follow the NGSI-LD and DCAT-AP standards and are
        // described in docs/open-data.md.
        var open = endpoints.MapGroup("").WithTags("Open data").AllowAnonymous().ExcludeFromDescription();
        open.AddEndpointFilter(limit.FilterAsync);

        open.MapGet(NgsiPrefix + "/entities", async (HttpContext context, OpenDataEntities data, string? options, CancellationToken ct) =>
            {
                var mediaType = NgsiRepresentation.Negotiate(context.Request);
                var keyValues = NgsiRepresentation.KeyValues(options);
                var query = NgsiQuery.Parse(context.Request.Query, data.ServedTypes, data.Options.MaxPageSize);
                var (page, total) = query.Run(await data.EntitiesAsync(query.Types, ct));
                if (query.Count) context.Response.Headers["NGSILD-Results-Count"] = total.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var body = new JsonArray(page.Select(e => (JsonNode)NgsiRepresentation.Entity(e, keyValues, mediaType)).ToArray());
                return NgsiRepresentation.Write(context, body, mediaType, page.Count == 0 ? 0 : page.Max(e => e.ModifiedAt), data.Options.CacheSeconds);
            })
            .WithSummary("NGSI-LD query: type, id, q, georel/geometry/coordinates, limit, offset, count, options=keyValues");
        open.MapGet(NgsiPrefix + "/entities/{id}", async (string id, HttpContext context, OpenDataEntities data, string? options, CancellationToken ct) =>
            {
                var mediaType = NgsiRepresentation.Negotiate(context.Request);
                var keyValues = NgsiRepresentation.KeyValues(options);
                var entity = await data.EntityAsync(id, ct);
                return NgsiRepresentation.Write(context, NgsiRepresentation.Entity(entity, keyValues, mediaType), mediaType, entity.ModifiedAt, data.Options.CacheSeconds);
            })
            .WithSummary("One NGSI-LD entity by id (urn:ngsi-ld:Type:local-id)");
        return endpoints;
    }
}
