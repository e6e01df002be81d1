using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Edge.Cloud.ApiDocs;

/// <summary>The API explains itself: the OpenAPI document, the interactive reference (Swagger UI, every asset
/// served from the package, nothing from a CDN), the <c>/api/v1/</c> index and the health check.</summary>
public static class ApiDocsEndpoints
{
    public const string OpenApiPath = "/openapi/v1.json";
    public const string DocsPath = "/api/docs";
    public const string HealthPath = Api.Prefix + "/health";

    public static IServiceCollection AddEdgeApiDocs(this IServiceCollection services)
    {
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer<DocumentTransformer>();
            o.AddOperationTransformer<OperationTransformer>();
        });
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage");
        return services;
    }

    public static WebApplication MapEdgeApiDocs(this WebApplication app)
    {
        app.MapOpenApi(OpenApiPath);
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = DocsPath.TrimStart('/');
            o.DocumentTitle = "Edge cloud API";
            o.SwaggerEndpoint(OpenApiPath, "Edge cloud API v1");
        });
        app.MapHealthChecks(HealthPath).WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head])).WithTags("API").WithSummary("Health: 200 'Healthy' when the database answers, 503 otherwise");
        app.MapGet(Api.Prefix + "/", () => new ApiIndex("Edge cloud API", "v1", new ApiLinks(DocsPath, OpenApiPath, HealthPath)))
            .WithTags("API").WithSummary("Where to start: the interactive reference, the OpenAPI document and the health check")
            .Produces<ApiIndex>();
        return app;
    }
}

public sealed record ApiIndex(string Name, string Version, ApiLinks Links);

public sealed record ApiLinks(string Docs, string OpenApi, string Health);

/// <summary>Healthy when the database opens a connection.</summary>
internal sealed class StorageHealthCheck(IStorageConnections connections) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (System.Data.Common.DbException e)
        {
            return HealthCheckResult.Unhealthy("database: " + e.Message);
        }
    }
}
