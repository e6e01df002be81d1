using System.Collections.Generic;
using System.Security.Claims;
using System.Threading;
using Edge.Cloud.ApiDocs;
using Edge.Cloud.Domain;
using Edge.Cloud.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Edge.Cloud.Alarms;

public static class AlarmEndpoints
{
    /// <summary>The values of the <c>status</c> filter (<c>active</c>: open or acknowledged).</summary>
    private static readonly string[] StatusFilter = [AlarmStatus.Open, AlarmStatus.Acknowledged, AlarmStatus.Cleared, "active"];

    public static IServiceCollection AddEdgeAlarms(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AlarmOptions>(configuration.GetSection(AlarmOptions.Section));
        // Checked when the host starts: a misleading last_seen setting stops the cloud with the setting's name.
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<AlarmOptions>, AlarmOptionsValidation>();
        services.AddOptions<AlarmOptions>().ValidateOnStart();
        services.AddSingleton<Storage.Migrations.IMigrationSource, FeedEpochSchema>();
        services.AddSingleton<AlarmService>();
        services.TryAddSingleton<Ingestion.RecordArrivals>(); // the feed also runs in a process that ingests nothing
        services.AddSingleton<RecordFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<RecordFeed>());
        return services;
    }

    public static IEndpointRouteBuilder MapEdgeAlarms(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapApiGroup("Alarms");
        api.MapGet("/alarms", (AlarmService s, string? status, string? node, string? kind, int? limit, CancellationToken ct) =>
                s.ListAsync(QueryValues.OneOf("status", status, StatusFilter), node, kind, QueryValues.Limit(limit), ct))
            .RequireAuthorization(Policies.Viewer).WithSummary("Alarms, newest first; status: open, acknowledged, cleared, active (open or acknowledged)")
            .Produces<IReadOnlyList<AlarmInfo>>();
        api.MapGet("/alarms/{id:long}", (long id, AlarmService s, CancellationToken ct) => s.GetAsync(id, ct))
            .RequireAuthorization(Policies.Viewer).Produces<AlarmInfo>();
        // The body is optional: {"note": "…"} (what the technician saw or did) goes to the audit entry, as the console's note does.
        api.MapPost("/alarms/{id:long}/acknowledge", (long id, AlarmActionRequest? body, ClaimsPrincipal user, AlarmService s, CancellationToken ct) =>
                s.AcknowledgeAsync(user.Actor(), id, body?.Note, ct))
            .RequireAuthorization(Policies.Technician).Body<AlarmActionRequest>(Examples.AlarmNote)
            .WithSummary("Acknowledge an open alarm (it stays until its condition clears); optional body {note}")
            .Produces<AlarmInfo>().ProducesProblem(400).ProducesProblem(409);
        api.MapPost("/alarms/{id:long}/clear", (long id, AlarmActionRequest? body, ClaimsPrincipal user, AlarmService s, CancellationToken ct) =>
                s.ClearByUserAsync(user.Actor(), id, body?.Note, ct))
            .RequireAuthorization(Policies.Technician).Body<AlarmActionRequest>(Examples.AlarmNote)
            .WithSummary("Clear an active alarm that nothing clears by itself (gateway.storage-reset, node.gateway-conflict, node.fault-report); optional body {note}; 409 for other kinds")
            .Produces<AlarmInfo>().ProducesProblem(400).ProducesProblem(409);
        return endpoints;
    }
}

/// <summary>The optional body of an acknowledgement or a clear: a note of at most <see cref="AlarmService.MaxNoteLength"/> characters for the audit entry.</summary>
public sealed record AlarmActionRequest(string? Note);
