using System.Collections.Generic;
using System.Security.Claims;
using System.Threading;
using Edge.Cloud.ApiDocs;
using Edge.Cloud.Commands;
using Edge.Cloud.Domain;
using Edge.Cloud.Inventory;
using Edge.Cloud.Storage.Migrations;
using Edge.Cloud.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Commissioning;

public static class CommissioningEndpoints
{
    public static IServiceCollection AddEdgeCommissioning(this IServiceCollection services) => services
        .AddSingleton<IMigrationSource, CommissioningSchema>()
        .AddSingleton<CommissioningService>()
        .AddSingleton<NodeReplacement>();

    /// <summary>Self-test commands and commissioning results: installers (and admins) write, everyone reads.</summary>
    public static IEndpointRouteBuilder MapEdgeCommissioning(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapApiGroup("Commissioning");
        api.MapPost("/nodes/{id}/self-test", async (string id, HttpRequest request, ClaimsPrincipal user, CommissioningService s) =>
            {
                var command = await s.SelfTestAsync(user.Actor(), id, await Api.BodyAsync<SelfTestRequest>(request), request.HttpContext.RequestAborted);
                return Results.Created($"{Api.Prefix}/commands/{command.Id}", command);
            })
            .RequireAuthorization(Policies.Installer).ForNode().Body<SelfTestRequest>(new SelfTestRequest("identify", new System.Text.Json.Nodes.JsonObject { ["durationS"] = 10 }))
            .WithSummary("Send a self-test command during commissioning: identify, sample-now, override (durationS ≤ 600), override.clear, display.refresh")
            .Produces<CommandInfo>(201);
        api.MapPost("/nodes/{id}/commissioning", async (string id, HttpRequest request, ClaimsPrincipal user, CommissioningService s) =>
            {
                var result = await s.RecordAsync(user.Actor(), id, await Api.BodyAsync<CommissioningRequest>(request), request.HttpContext.RequestAborted);
                return Results.Created($"{Api.Prefix}/nodes/{id}/commissioning", result);
            })
            .RequireAuthorization(Policies.Installer).ForNode().Body<CommissioningRequest>(Example)
            .WithSummary("Store a commissioning result on the node (audited; a failure opens the node.commissioning alarm, a pass clears it)")
            .Produces<CommissioningInfo>(201);
        api.MapGet("/nodes/{id}/commissioning", (string id, CommissioningService s, CancellationToken ct) => s.ListAsync(id, ct))
            .RequireAuthorization(Policies.Viewer).ForNode().WithSummary("The node's commissioning results, newest first")
            .Produces<IReadOnlyList<CommissioningInfo>>();
        api.MapPost("/nodes/{id}/replace", async (string id, HttpRequest request, ClaimsPrincipal user, NodeReplacement s) =>
                await s.ReplaceAsync(user.Actor(), id, await Api.BodyAsync<ReplaceRequest>(request), request.HttpContext.RequestAborted))
            .RequireAuthorization(Policies.Installer).ForNode().Body<ReplaceRequest>(new ReplaceRequest("sl-0042b"))
            .WithSummary("Replace the node's device: a new node takes its pole, settings and commissioning history; the old one is retired")
            .Produces<ReplacementInfo>();
        return endpoints;
    }

    private static readonly CommissioningRequest Example = new(false, "lamp draws 0.4 W at 100 % (expected ≥ 30 W)",
        new System.Text.Json.Nodes.JsonObject { ["wattsAt100"] = 0.4, ["wattsAt0"] = 0.3 }, 39.5101, 20.2630, 8, "PA-17");
}
