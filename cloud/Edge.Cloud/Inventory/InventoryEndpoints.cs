using System.Collections.Generic;
using System.Security.Claims;
using System.Threading;
using Edge.Cloud.Desired;
using Edge.Cloud.ApiDocs;
using Edge.Cloud.Domain;
using Edge.Cloud.Users;
using Microsoft.AspNetCore.Authorization;
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
        api.MapPut("/sites/{id}", (string id, HttpRequest request, ClaimsPrincipal user, InventoryService s) =>
                Api.PutAsync(request, Api.BodyAsync<SiteRequest>, "SELECT 1 FROM sites WHERE id = @id", id, (body, ct) => s.PutSiteAsync(user.Actor(), id, body, ct)))
            .RequireAuthorization(Policies.Installer).Body<SiteRequest>(Examples.Site).WithSummary("Create or update a site (tz: POSIX TZ string, default Greece); 201 when created").Produces<SiteInfo>().Produces<SiteInfo>(201);

        api.MapGet("/zones", (InventoryService s, CancellationToken ct) => s.ListZonesAsync(ct)).RequireAuthorization(Policies.Viewer).Produces<IReadOnlyList<ZoneInfo>>();
        api.MapPut("/zones/{id}", (string id, HttpRequest request, ClaimsPrincipal user, InventoryService s) =>
                Api.PutAsync(request, Api.BodyAsync<ZoneRequest>, "SELECT 1 FROM zones WHERE id = @id", id, (body, ct) => s.PutZoneAsync(user.Actor(), id, body, ct)))
            .RequireAuthorization(Policies.Installer).Body<ZoneRequest>(Examples.Zone).WithSummary("Create or update a zone; 201 when created")
            .Produces<ZoneInfo>().Produces<ZoneInfo>(201);

        api.MapGet("/groups", (InventoryService s, CancellationToken ct) => s.ListGroupsAsync(ct)).RequireAuthorization(Policies.Viewer).Produces<IReadOnlyList<GroupInfo>>();
        api.MapGet("/groups/{id}", (string id, InventoryService s, CancellationToken ct) => s.GetGroupAsync(id, ct)).RequireAuthorization(Policies.Viewer).Produces<GroupInfo>();
        api.MapPut("/groups/{id}", (string id, HttpRequest request, ClaimsPrincipal user, InventoryService s) =>
                Api.PutAsync(request, Api.BodyAsync<GroupRequest>, "SELECT 1 FROM node_groups WHERE id = @id", id, (body, ct) => s.PutGroupAsync(user.Actor(), id, body, ct)))
            .RequireAuthorization(Policies.Installer).Body<GroupRequest>(Examples.Group).WithSummary("Create or update a group; 201 when created")
            .Produces<GroupInfo>().Produces<GroupInfo>(201);

        api.MapGet("/nodes", (InventoryService s, string? site, string? group, string? zone, string? gateway, string? type, CancellationToken ct) =>
                s.ListNodesAsync(site, group, zone, gateway, QueryValues.OneOf("type", type, InventoryService.NodeTypes), ct))
            .RequireAuthorization(Policies.Viewer).WithSummary("Nodes with inventory, desired and reported state; filters: site, group, zone, gateway, type")
            .Produces<IReadOnlyList<NodeInfo>>();
        api.MapGet("/nodes/{id}", (string id, InventoryService s, CancellationToken ct) => s.GetNodeAsync(id, ct)).RequireAuthorization(Policies.Viewer).Produces<NodeInfo>();
        api.MapPut("/nodes/{id}", async (string id, HttpRequest request, ClaimsPrincipal user, InventoryService s, IAuthorizationService authorization) =>
            {
                // Installers and admins provision (every field, new nodes); a technician keeps a registered node's inventory up.
                var provisions = (await authorization.AuthorizeAsync(user, Policies.Installer)).Succeeded;
                return await Api.PutAsync(request, Api.BodyAsync<NodeRequest>, "SELECT 1 FROM nodes WHERE id = @id AND removed = 0", id, (body, ct) =>
                    provisions ? s.PutNodeAsync(user.Actor(), id, body, ct) : s.MaintainNodeAsync(user.Actor(), id, body, ct));
            })
            .RequireAuthorization(Policies.Inventory).Body<NodeRequest>(Examples.Node).WithSummary("Register or update a node; 201 when registered")
            .Produces<NodeInfo>().Produces<NodeInfo>(201);
        api.MapDelete("/nodes/{id}", async (string id, ClaimsPrincipal user, InventoryService s, CancellationToken ct) =>
            {
                await s.RemoveNodeAsync(user.Actor(), id, ct);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.Installer).WithSummary("Remove a node (its gateway drops its credentials)");
        api.MapPost("/nodes/{id}/secret", (string id, ClaimsPrincipal user, InventoryService s, CancellationToken ct) => s.NewSecretAsync(user.Actor(), id, ct))
            .RequireAuthorization(Policies.Installer).ForNode().WithSummary("Issue a new node secret (returned once; the gateway gets only its hash)").Produces<NodeSecret>();
        api.MapPut("/nodes/{id}/gauge-config", async (string id, HttpRequest request, ClaimsPrincipal user, InventoryService s) =>
                await s.PutGaugeConfigAsync(user.Actor(), id, await Api.RawBodyAsync(request), request.HttpContext.RequestAborted))
            .RequireAuthorization(Policies.Installer).ForNode().JsonDocumentBody(Examples.GaugeConfig).WithSummary("Set a water node's gauge configuration (docs/water-gauge.md)").Produces<NodeInfo>();
        api.MapPut("/nodes/{id}/busstop-config", async (string id, HttpRequest request, ClaimsPrincipal user, InventoryService s) =>
                await s.PutBusStopConfigAsync(user.Actor(), id, await Api.RawBodyAsync(request), request.HttpContext.RequestAborted))
            .RequireAuthorization(Policies.Installer).ForNode().JsonDocumentBody(Examples.BusStopConfig).WithSummary("Set a bus stop's panel settings (protocol.md §9.7)").Produces<NodeInfo>();
        api.MapGet("/nodes/{id}/desired-config", async (string id, DesiredConfigs configs, InventoryService s, CancellationToken ct) =>
            {
                await s.GetNodeAsync(id, ct);
                return await configs.GetAsync(id, ct) ?? throw DomainException.NotFound("desired config of node", id);
            })
            .RequireAuthorization(Policies.Viewer).ForNode().WithSummary("The node's desired config envelope (protocol.md §9)").Produces<DesiredConfig>();
        return endpoints;
    }
}
