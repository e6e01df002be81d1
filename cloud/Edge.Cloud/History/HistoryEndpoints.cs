using System.Collections.Generic;
using System.Threading;
using Edge.Cloud.Commissioning;
using Edge.Cloud.Domain;
using Edge.Cloud.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.History;

public static class HistoryEndpoints
{
    /// <summary>The history service, and the replacements table its queries by node read (<see cref="PoleHistory"/>).</summary>
    public static IServiceCollection AddEdgeHistory(this IServiceCollection services) => services.AddPoleHistory().AddSingleton<HistoryService>();

    public static IEndpointRouteBuilder MapEdgeHistory(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapApiGroup("History");
        api.MapGet("/nodes/{id}/telemetry", (string id, long? from, long? to, int? limit, HistoryService s, CancellationToken ct) =>
                s.TelemetryAsync(id, from, to, limit, ct))
            .RequireAuthorization(Policies.Viewer)
            .WithSummary($"A node's telemetry, newest first; from/to: node time in Unix seconds (inclusive); limit 1..{HistoryService.MaxLimit}, default {HistoryService.DefaultLimit}")
            .Produces<IReadOnlyList<TelemetryInfo>>().ProducesProblem(400).ProducesProblem(404);
        api.MapGet("/events", (string? node, string? kind, long? from, long? to, int? limit, HistoryService s, CancellationToken ct) =>
                s.EventsAsync(node, kind, from, to, limit, ct))
            .RequireAuthorization(Policies.Viewer)
            .WithSummary("Stored events, newest first: node events, acks (cmd.ack), rule firings (rule.fired), gateway records; filters node, kind, from/to (inclusive), limit")
            .Produces<IReadOnlyList<EventInfo>>().ProducesProblem(400).ProducesProblem(404);
        return endpoints;
    }
}
