using System.Collections.Generic;
using System.Linq;
using System.Security.Claims;
using System.Threading;
using Edge.Cloud.ApiDocs;
using Edge.Cloud.Domain;
using Edge.Cloud.Inventory;
using Edge.Cloud.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Lighting;

/// <summary>A profile's document after a PUT, and the config versions the change produced.</summary>
public sealed record ProfilePutResult(LightingProfile Profile, IReadOnlyList<Desired.DesiredConfig> Configs);

/// <summary>What checking a lighting schedule found: every error with its path (empty: valid).</summary>
public sealed record ProfileValidation(DocumentError[] Errors);

/// <summary>What an assignment changed: how many nodes got a new desired config and its version per node (the
/// documents themselves are at <c>GET /nodes/{id}/desired-config</c>).</summary>
public sealed record AssignmentSummary(string Target, string? Profile, int NodesAffected, IReadOnlyList<NodeConfigVersion> Versions)
{
    public static AssignmentSummary Of(AssignmentResult result) =>
        new(result.Target, result.Profile, result.Configs.Count, result.Configs.Select(c => new NodeConfigVersion(c.Node, c.Version)).ToList());
}

public sealed record NodeConfigVersion(string Node, long Version);

public static class LightingEndpoints
{
    public static IServiceCollection AddEdgeLighting(this IServiceCollection services) => services.AddSingleton<ProfileService>();

    public static IEndpointRouteBuilder MapEdgeLighting(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapApiGroup("Lighting");
        api.MapGet("/profiles", (ProfileService s, CancellationToken ct) => s.ListAsync(ct)).RequireAuthorization(Policies.Viewer).Produces<IReadOnlyList<LightingProfile>>();
        api.MapGet("/profiles/{id}", (string id, ProfileService s, CancellationToken ct) => s.GetAsync(id, ct)).RequireAuthorization(Policies.Viewer).Produces<LightingProfile>();
        api.MapPut("/profiles/{id}", (string id, HttpRequest request, ClaimsPrincipal user, ProfileService s) =>
                Api.PutAsync(request, r => Api.RawBodyAsync(r), "SELECT 1 FROM profiles WHERE id = @id", id, async (body, ct) =>
                {
                    var (profile, configs) = await s.PutAsync(user.Actor(), id, body, ct);
                    return new ProfilePutResult(profile, configs);
                }))
            .RequireAuthorization(Policies.Technician).JsonDocumentBody(Examples.Profile)
            .WithSummary("Create or replace a lighting schedule (body: the docs/dimming-profiles.md document, validated by the firmware's parser); 201 when created")
            .Produces<ProfilePutResult>().Produces<ProfilePutResult>(201).ProducesProblem(400);
        api.MapPost("/profiles/validate", async (HttpRequest request) =>
                new ProfileValidation(ProfileService.Validate(await Api.RawBodyAsync(request)).Select(Api.Split).ToArray()))
            .RequireAuthorization(Policies.Viewer).JsonDocumentBody(Examples.Profile).WithSummary("Check a lighting schedule without storing it: every error with its path")
            .Produces<ProfileValidation>();
        api.MapDelete("/profiles/{id}", async (string id, ClaimsPrincipal user, ProfileService s, CancellationToken ct) =>
            {
                await s.DeleteAsync(user.Actor(), id, ct);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.Technician).WithSummary("Delete an unassigned profile");
        api.MapPut("/groups/{id}/profile", async (string id, HttpRequest request, ClaimsPrincipal user, ProfileService s) =>
                AssignmentSummary.Of(await s.AssignToGroupAsync(user.Actor(), id, (await Api.BodyAsync<ProfileAssignment>(request)).Profile, request.HttpContext.RequestAborted)))
            .RequireAuthorization(Policies.Technician).ForGroup().Body<ProfileAssignment>(Examples.Assignment).WithSummary("Assign a profile to a group (null removes it); every member gets a new config version; answers nodes affected and their new versions")
            .Produces<AssignmentSummary>();
        api.MapPut("/nodes/{id}/profile", async (string id, HttpRequest request, ClaimsPrincipal user, ProfileService s) =>
                AssignmentSummary.Of(await s.AssignToNodeAsync(user.Actor(), id, (await Api.BodyAsync<ProfileAssignment>(request)).Profile, request.HttpContext.RequestAborted)))
            .RequireAuthorization(Policies.Technician).ForNode().Body<ProfileAssignment>(Examples.Assignment).WithSummary("Assign a profile to one node, overriding its group's (null: follow the group again)")
            .Produces<AssignmentSummary>();
        return endpoints;
    }
}
