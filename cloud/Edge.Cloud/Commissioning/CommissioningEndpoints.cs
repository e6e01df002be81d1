using System;
using System.Collections.Generic;
using System.Security.Claims;
using System.Threading;
using Edge.Cloud.ApiDocs;
using Edge.Cloud.Commands;
using Edge.Cloud.Domain;
using Edge.Cloud.Inventory;
using Edge.Cloud.Requests;
using Edge.Cloud.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Commissioning;

/// <summary>A photo for a commissioning result: a JPEG in base64.</summary>
public sealed record PhotoRequest(string? Photo);

public static class CommissioningEndpoints
{
    public static IServiceCollection AddEdgeCommissioning(this IServiceCollection services, IConfiguration configuration) => services
        .Configure<CommissioningOptions>(configuration.GetSection(CommissioningOptions.Section))
        .AddPoleHistory()
        .AddSingleton<CommissioningService>()
        .AddSingleton<INodeSelfTest, StreetLightSelfTest>()
        .AddSingleton<INodeSelfTest, GaugeSelfTest>()
        .AddSingleton<INodeSelfTest, BusStopSelfTest>()
        .AddSingleton<SelfTestRunner>()
        .AddHostedService(sp => sp.GetRequiredService<SelfTestRunner>())
        .AddSingleton<SelfTestRuns>()
        .AddSingleton<NodeReplacement>();

    /// <summary>Self-test commands and commissioning results: installers (and admins) write, everyone reads.</summary>
    public static IEndpointRouteBuilder MapEdgeCommissioning(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapApiGroup("Commissioning");
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<CommissioningOptions>>().Value;
        api.MapPost("/nodes/{id}/self-test-runs", async (string id, HttpRequest request, ClaimsPrincipal user, SelfTestRuns s) =>
            {
                var run = await s.StartAsync(user.Actor(), id, await Api.BodyAsync<SelfTestRunRequest>(request), request.HttpContext.RequestAborted);
                return Results.Accepted($"{Api.Prefix}/self-test-runs/{run.Id}", run);
            })
            .RequireAuthorization(Policies.Installer).ForNode().Body<SelfTestRunRequest>(new SelfTestRunRequest(MeasuredMm: 742, Lat: 39.5101, Lon: 20.2630, AccuracyM: 8))
            .WithSummary("Run the node type's self-test in the cloud (street light: identify, 100 % and 0 % with measured power; gauge: sample now against measuredMm; bus stop: test pattern and the next departures shown); the verdict and figures are stored on the node (a failure opens the node.commissioning alarm). Poll the run for its steps and verdict")
            .Produces<SelfTestRunInfo>(202);
        api.MapGet("/self-test-runs/{runId:long}", (long runId, SelfTestRuns s, CancellationToken ct) => s.GetAsync(runId, ct))
            .RequireAuthorization(Policies.Viewer).WithSummary("A self-test run: status (running, passed, failed, error, interrupted), steps so far, verdict, figures and the stored result's id")
            .Produces<SelfTestRunInfo>();
        api.MapPut("/nodes/{id}/commissioning/{result:long}/photo", async (string id, long result, HttpRequest request, ClaimsPrincipal user, CommissioningService s) =>
                await s.AttachPhotoAsync(user.Actor(), id, result, PhotoBytes(await Api.BodyAsync<PhotoRequest>(request)), request.HttpContext.RequestAborted))
            .RequireAuthorization(Policies.Installer).ForNode().WithBodyLimit(_ => (options.MaxPhotoBytes + 2L) / 3 * 4 + 1024)
            .Body<PhotoRequest>(new PhotoRequest("/9j/4AAQSkZJRg…"))
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithSummary("Add a photo to a commissioning result (JPEG in base64, at most Commissioning:MaxPhotoBytes; its Exif/XMP/IPTC metadata removed)")
            .Produces<CommissioningInfo>();
        api.MapGet("/nodes/{id}/commissioning/{result:long}/photo", async (string id, long result, CommissioningService s, CancellationToken ct) =>
                await s.PhotoAsync(id, result, ct) is { } photo ? Results.File(photo, "image/jpeg") : Results.NotFound())
            .RequireAuthorization(Policies.Viewer).ForNode().WithSummary("A commissioning result's photo (JPEG without its metadata)");
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

    private static byte[] PhotoBytes(PhotoRequest request)
    {
        try
        {
            return Convert.FromBase64String(request.Photo ?? "");
        }
        catch (FormatException e)
        {
            throw DomainException.Invalid("photo: must be a JPEG in base64 (" + e.Message + ")");
        }
    }

    private static readonly CommissioningRequest Example = new(false, "lamp draws 0.4 W at 100 % (expected ≥ 30 W)",
        new System.Text.Json.Nodes.JsonObject { ["wattsAt100"] = 0.4, ["wattsAt0"] = 0.3 }, 39.5101, 20.2630, 8, "PA-17");
}
