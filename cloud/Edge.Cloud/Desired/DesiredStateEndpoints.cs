using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Security.Claims;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.ApiDocs;
using Edge.Cloud.Domain;
using Edge.Cloud.Gateways;
using Edge.Cloud.Inventory;
using Edge.Cloud.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Edge.Cloud.Desired;

public static class DesiredStateEndpoints
{
    public const int MaxWaitS = 60;

    /// <summary>How often a waiting poll re-reads the change log (for changes made by another process).</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(2);

    public static IServiceCollection AddEdgeDesiredState(this IServiceCollection services)
    {
        services.AddSingleton<DisplayService>();
        services.AddSingleton<FloodRuleService>();
        services.AddSingleton<DownlinkService>();
        return services;
    }

    public static IEndpointRouteBuilder MapEdgeDesiredState(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapApiGroup("Desired state");
        api.MapGet("/gateways/{gatewayId}/desired", PollAsync)
            .WithName("GetGatewayDesired").WithGatewayToken()
            .WithSummary("Long poll for desired-state changes (uplink.md §3); gateway bearer token")
            .Produces<DesiredResponse>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(403);

        api.MapGet("/nodes/{id}/display", (string id, DisplayService s, CancellationToken ct) => s.GetAsync(id, ct))
            .RequireAuthorization(Policies.Viewer).ForNode().Produces<DisplayInfo>();
        api.MapPut("/nodes/{id}/display", async (string id, HttpRequest request, ClaimsPrincipal user, DisplayService s) =>
                await s.PutAsync(user.Actor(), id, await Api.BodyAsync<DisplayRequest>(request), request.HttpContext.RequestAborted))
            .RequireAuthorization(Policies.Technician).ForNode().Body<DisplayRequest>(Examples.Display).WithSummary("Set a bus stop's display content {content, timetable?}; the cloud assigns the version")
            .Produces<DisplayInfo>();

        api.MapGet("/flood-rules", (FloodRuleService s, CancellationToken ct) => s.ListAsync(ct))
            .RequireAuthorization(Policies.Viewer).Produces<IReadOnlyList<FloodRule>>();
        api.MapPut("/flood-rules/{id}", (string id, HttpRequest request, ClaimsPrincipal user, FloodRuleService s) =>
                Api.PutAsync(request, Api.BodyAsync<FloodRuleRequest>, "SELECT 1 FROM flood_rules WHERE id = @id", id, (body, ct) => s.PutAsync(user.Actor(), id, body, ct)))
            .RequireAuthorization(Policies.Technician).Body<FloodRuleRequest>(Examples.FloodRule).WithSummary("Create or replace a zone's local flood rule (banner el/en, lights level, siren GPIO); 201 when created")
            .Produces<FloodRule>().Produces<FloodRule>(201);
        return endpoints;
    }

    private static async Task<IResult> PollAsync(string gatewayId, string? after, int? waitS, HttpContext context, GatewayRegistry gateways,
        DownlinkService downlink, DesiredChangeLog changes, IHostApplicationLifetime lifetime, CancellationToken ct)
    {
        var auth = await gateways.AuthenticateAsync(gatewayId, context.Request.Headers.Authorization.ToString(), ct);
        if (auth.Gateway is null)
        {
            if (auth.Status == StatusCodes.Status401Unauthorized) context.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(detail: auth.Detail, statusCode: auth.Status, title: auth.Status == 401 ? "Gateway not authenticated" : "Gateway not allowed");
        }
        var wait = waitS ?? 30;
        if (wait < 0 || wait > MaxWaitS) throw DomainException.Invalid($"waitS: {wait} is out of range 0..{MaxWaitS}");
        var cursor = DownlinkService.ParseCursor(after);
        await downlink.TouchAsync(gatewayId, ct);
        var clock = Stopwatch.StartNew();
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
        while (true)
        {
            var changed = changes.Changed; // before the read: a change committed during it wakes the wait below
            var response = await downlink.PollAsync(gatewayId, cursor, ct);
            if (response is not null) return Results.Ok(response);
            var remaining = TimeSpan.FromSeconds(wait) - clock.Elapsed;
            if (remaining <= TimeSpan.Zero) return Results.Ok(DownlinkService.Empty(after!));
            await Task.WhenAny(changed, Task.Delay(remaining < Recheck ? remaining : Recheck, waiting.Token));
            ct.ThrowIfCancellationRequested();
            // Shutting down: answer "nothing new" now. Kestrel's graceful stop waits for in-flight requests, so a
            // poll left waiting would hold the whole process up to its waitS; the gateway simply polls again.
            if (lifetime.ApplicationStopping.IsCancellationRequested) return Results.Ok(DownlinkService.Empty(after!));
        }
    }
}
