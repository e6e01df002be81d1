using System;
using System.Collections.Generic;
using System.Security.Claims;
using System.Threading;
using Edge.Cloud.ApiDocs;
using Edge.Cloud.Domain;
using Edge.Cloud.Inventory;
using Edge.Cloud.Telemetry;
using Edge.Cloud.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Edge.Cloud.Commands;

public static class CommandEndpoints
{
    public static IServiceCollection AddEdgeCommands(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new NodeClock(sp.GetRequiredService<TimeProvider>()));
        services.AddEdgeMetrics();
        return services.AddSingleton<Storage.Migrations.IMigrationSource, CommandTimesSchema>().AddSingleton<CommandService>();
    }

    public static IEndpointRouteBuilder MapEdgeCommands(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapApiGroup("Commands");
        api.MapPost("/nodes/{id}/commands", async (string id, HttpRequest request, ClaimsPrincipal user, CommandService s) =>
            {
                var command = await s.IssueAsync(user.Actor(), id, await Api.BodyAsync<CommandRequest>(request), request.HttpContext.RequestAborted);
                return Results.Created($"{Api.Prefix}/commands/{command.Id}", command);
            })
            .RequireAuthorization(Policies.Technician).ForNode().Body<CommandRequest>(Examples.Command)
            .WithSummary("Issue a command to a node: override (level, durationS or until, reason), override.clear, reboot, identify, sample-now, display.refresh, siren")
            .Produces<CommandInfo>(201).ProducesProblem(400).ProducesProblem(404);
        api.MapPost("/groups/{id}/commands", async (string id, HttpRequest request, ClaimsPrincipal user, CommandService s) =>
                Results.Created($"{Api.Prefix}/commands", await s.IssueToGroupAsync(user.Actor(), id, await Api.BodyAsync<CommandRequest>(request), request.HttpContext.RequestAborted)))
            .RequireAuthorization(Policies.Technician).ForGroup().Body<CommandRequest>(Examples.Command).WithSummary("Issue the command to every node of a group")
            .Produces<IReadOnlyList<CommandInfo>>(201);
        api.MapGet("/commands", (CommandService s, string? node, string? status, int? limit, CancellationToken ct) => s.ListAsync(node, QueryValues.OneOf("status", status, CommandStatus.All), QueryValues.Limit(limit), ct))
            .RequireAuthorization(Policies.Viewer).WithSummary("Commands, newest first; filters: node, status (pending, delivered, acked, failed, expired)")
            .Produces<IReadOnlyList<CommandInfo>>();
        api.MapGet("/commands/{id}", (string id, CommandService s, CancellationToken ct) => s.GetAsync(id, ct))
            .RequireAuthorization(Policies.Viewer).Produces<CommandInfo>();
        return endpoints;
    }
}
