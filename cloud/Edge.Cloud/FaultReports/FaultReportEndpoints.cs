using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using Edge.Cloud.ApiDocs;
using Edge.Cloud.Domain;
using Edge.Cloud.Requests;
using Edge.Cloud.Storage.Migrations;
using Edge.Cloud.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.FaultReports;

public static class FaultReportEndpoints
{
    public static IServiceCollection AddEdgeFaultReports(this IServiceCollection services, IConfiguration configuration) => services
        .Configure<FaultReportOptions>(configuration.GetSection(FaultReportOptions.Section))
        .AddSingleton<IMigrationSource, FaultReportSchema>()
        .AddSingleton<FaultReportLimiter>()
        .AddSingleton<FaultReportService>();

    /// <summary>The public report (no sign-in; rate- and size-limited) and the technicians' view of the reports.</summary>
    public static IEndpointRouteBuilder MapEdgeFaultReports(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<FaultReportOptions>>().Value;
        var api = endpoints.MapApiGroup("Fault reports");
        api.MapPost("/public/nodes/{id}/fault-reports", async (string id, HttpRequest request, FaultReportLimiter limiter, FaultReportService s) =>
            {
                string address = request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                long wait = await limiter.TryTakeAsync(address, request.HttpContext.RequestAborted);
                if (wait > 0)
                {
                    request.HttpContext.Response.Headers.RetryAfter = wait.ToString(CultureInfo.InvariantCulture);
                    return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many reports",
                        detail: $"this address has sent {options.PerAddressPermits} reports in {options.PerAddressWindowSeconds} s; try again in {wait} s");
                }
                var report = await s.ReportAsync(id, await Api.BodyAsync<FaultReportRequest>(request), request.HttpContext.RequestAborted);
                return Results.Created($"{Api.Prefix}/fault-reports?node={id}", report);
            })
            .AllowAnonymous().WithBodyLimit(_ => options.MaxBodyBytes)
            .Body<FaultReportRequest>(new FaultReportRequest("lamp-out", "The lamp at the bus stop has been dark for two nights", null))
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithSummary("Open: a citizen reports a fault of the node on a pole (kind: lamp-out, always-on, flickering, display-broken, other; text; photo: JPEG in base64, its metadata removed); opens the node.fault-report alarm")
            .Produces<FaultReportInfo>(201);
        api.MapGet("/fault-reports", (string? node, int? limit, FaultReportService s, CancellationToken ct) => s.ListAsync(node, QueryValues.Limit(limit), ct))
            .RequireAuthorization(Policies.Viewer).WithSummary("Citizens' fault reports, newest first; filter: node").Produces<IReadOnlyList<FaultReportInfo>>();
        api.MapGet("/fault-reports/{id}/photo", async (long id, FaultReportService s, CancellationToken ct) =>
                await s.PhotoAsync(id, ct) is { } photo ? Results.File(photo, "image/jpeg") : Results.NotFound())
            .RequireAuthorization(Policies.Viewer).WithSummary("The report's photo (JPEG without its metadata)");
        return endpoints;
    }
}
