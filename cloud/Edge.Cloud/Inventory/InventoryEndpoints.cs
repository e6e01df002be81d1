using System.Collections.Generic;
using System.Security.Claims;
using System.Threading;
using Edge.Cloud.Desired;
using Edge.Cloud.ApiDocs;
using Edge.Cloud.Domain;
using Edge.Cloud.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Inventory;

public static class InventoryEndpoints
{
    public static IServiceCollection AddEdgeInventory(this IServiceCollection services) => services.AddSingleton<InventoryService>();

    /// <summary>Sites, zones, groups, nodes: read by any user, written by installers (and admins).</summary>
    public static IEndpointRouteBuilder MapEdgeInventory(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapApiGroup("Inventory");
        api.MapGet("/sites", (InventoryService s, CancellationToken ct) => s.ListSitesAsync(ct)).RequireAuthorization(Policies.Viewer).Produces<IReadOnlyList<SiteInfo>>();
        api.MapPut("/sites/{id}", async (string id, HttpRequest request, ClaimsPrincipal user, InventoryService s) =>
                await s.PutSiteAsync(user.Actor(), id, await Api.BodyAsync<SiteRequest>(request), request.HttpContext.RequestAborted))
            .RequireAuthorization(Policies.Installer).Body<SiteRequest>(Examples.Site).WithSummary("Create or update a site (tz: POSIX TZ string, default Greece)").Produces<SiteInfo>();

        api.MapGet("/zones", (InventoryService s, CancellationToken ct) => s.ListZonesAsync(ct)).RequireAuthorization(Policies.Viewer).Produces<IReadOnlyList<ZoneInfo>>();
        api.MapPut("/zones/{id}", async (string id, HttpRequest request, ClaimsPrincipal user, InventoryService s) =>
                await s.PutZoneAsync(user.Actor(), id, await Api.BodyAsync<ZoneRequest>(request), request.HttpContext.RequestAborted))
            .RequireAuthorization(Policies.Installer).Body<ZoneRequest>(Examples.Zone).Produces<ZoneInfo>();

        api.MapGet("/groups", (InventoryService s, CancellationToken ct) => s.ListGroupsAsync(ct)).RequireAuthorization(Policies.Viewer).Produces<IReadOnlyList<GroupInfo>>();
        api.MapGet("/groups/{id}", (string id, InventoryService s, CancellationToken ct) => s.GetGroupAsync(id, ct)).RequireAuthorization(Policies.Viewer).Produces<GroupInfo>();
        api.MapPut("/groups/{id}", async (string id, HttpRequest request, ClaimsPrincipal user, InventoryService s) =>
                await s.PutGroupAsync(user.Actor(), id, await Api.BodyAsync<GroupRequest>(request), request.HttpContext.RequestAborted))
            .RequireAuthorization(Policies.Installer).Body<GroupRequest>(Examples.Group).Produces<GroupInfo>();

        api.MapGet("/nodes", (InventoryService s, string? site, string? group, string? zone, string? gateway, string? type, CancellationToken ct) =>
                s.ListNodesAsync(site, group, zone, gateway, type, ct))
            .RequireAuthorization(Policies.Viewer).WithSummary("Nodes with inventory, desired and reported state; filters: site, group, zone, gateway, type")
            .Produces<IReadOnlyList<NodeInfo>>();
        api.MapGet("/nodes/{id}", (string id, InventoryService s, CancellationToken ct) => s.GetNodeAsync(id, ct)).RequireAuthorization(Policies.Viewer).Produces<NodeInfo>();
        api.MapPut("/nodes/{id}", async (string id, HttpRequest request, ClaimsPrincipal user, InventoryService s) =>
                await s.PutNodeAsync(user.Actor(), id, await Api.BodyAsync<NodeRequest>(request), request.HttpContext.RequestAborted))
            .RequireAuthorization(Policies.Installer).Body<NodeRequest>(Examples.Node).WithSummary("Register or update a node").Produces<NodeInfo>();
        api.MapDelete("/nodes/{id}", async (string id, ClaimsPrincipal user, InventoryService s, CancellationToken ct) =>
            {
                await s.RemoveNodeAsync(user.Actor(), id, ct);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.Installer).WithSummary("Remove a node (its gateway drops its credentials)");
        api.MapPost("/nodes/{id}/secret", (string id, ClaimsPrincipal user, InventoryService s, CancellationToken ct) => s.NewSecretAsync(user.Actor(), id, ct))
            .RequireAuthorization(Policies.Installer).WithSummary("Issue a new node secret (returned once; the gateway gets only its hash)").Produces<NodeSecret>();
        api.MapPut("/nodes/{id}/gauge-config", async (string id, HttpRequest request, ClaimsPrincipal user, InventoryService s) =>
                await s.PutGaugeConfigAsync(user.Actor(), id, await Api.RawBodyAsync(request), request.HttpContext.RequestAborted))
            .RequireAuthorization(Policies.Installer).JsonDocumentBody(Examples.GaugeConfig).WithSummary("Set a water node's gauge configuration (docs/water-gauge.md)").Produces<NodeInfo>();
        api.MapPut("/nodes/{id}/busstop-config", async (string id, HttpRequest request, ClaimsPrincipal user, InventoryService s) =>
                await s.PutBusStopConfigAsync(user.Actor(), id, await Api.RawBodyAsync(request), request.HttpContext.RequestAborted))
            .RequireAuthorization(Policies.Installer).JsonDocumentBody(Examples.BusStopConfig).WithSummary("Set a bus stop's panel settings (protocol.md §9.7)").Produces<NodeInfo>();
        api.MapGet("/nodes/{id}/desired-config", async (string id, DesiredConfigs configs, InventoryService s, CancellationToken ct) =>
            {
                await s.GetNodeAsync(id, ct);
                return await configs.GetAsync(id, ct) ?? throw DomainException.NotFound("desired config of node", id);
            })
            .RequireAuthorization(Policies.Viewer).WithSummary("The node's desired config envelope (protocol.md §9)").Produces<DesiredConfig>();
        return endpoints;
    }
}
