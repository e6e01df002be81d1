using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Claims;
using System.Threading;
using Edge.Cloud.Audit;
using Edge.Cloud.ApiDocs;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Edge.Cloud.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edge.Cloud.Gateways;

/// <summary>A gateway as listed (never its token hash). <see cref="ClockOffsetS"/>: its clock minus the cloud's,
/// measured from its last batch at <see cref="ClockMeasuredAt"/> (<see cref="GatewayClock"/>). <see cref="Version"/> and
/// <see cref="OutboxDepth"/>: its software version and the records waiting in its outbox behind its latest batch, as it
/// said at <see cref="ReportedAt"/> (<see cref="GatewayUplinkReports"/>).</summary>
public sealed record GatewayInfo(string Id, string Name, long CreatedAt, long? LastPollAt)
{
    public long? ClockOffsetS { get; init; }
    public long? ClockMeasuredAt { get; init; }
    public string? Version { get; init; }
    public long? OutboxDepth { get; init; }
    public long? ReportedAt { get; init; }
}

public sealed record RegisterGatewayRequest(string Id, string? Name);

/// <summary>A gateway's bearer token, shown once.</summary>
public sealed record GatewayToken(string Id, string Token);

/// <summary>Gateway administration (admin) and listing (any user).</summary>
public static class GatewayEndpoints
{
    public static IEndpointRouteBuilder MapEdgeGateways(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapApiGroup("Gateways");
        api.MapGet("/gateways", async (IGatewayStore store, IStorageConnections connections, CancellationToken ct) =>
            {
                await using var tx = await Tx.ReadAsync(connections, ct);
                var polls = (await tx.QueryAsync("SELECT gateway, last_poll_at FROM gateway_polls", r => (r.GetString(0), r.GetInt64(1)))).ToDictionary(p => p.Item1, p => p.Item2);
                var clocks = (await tx.QueryAsync("SELECT gateway, offset_s, measured_at FROM gateway_clock", r => (r.GetString(0), r.GetInt64(1), r.GetInt64(2)))).ToDictionary(c => c.Item1);
                var reports = await GatewayUplinkReports.ListAsync(tx);
                return (await store.ListAsync(ct)).Select(g => new GatewayInfo(g.Id, g.Name, g.CreatedAt, polls.TryGetValue(g.Id, out var at) ? at : null)
                {
                    ClockOffsetS = clocks.TryGetValue(g.Id, out var clock) ? clock.Item2 : null,
                    ClockMeasuredAt = clocks.TryGetValue(g.Id, out var measured) ? measured.Item3 : null,
                    Version = reports.GetValueOrDefault(g.Id)?.Version,
                    OutboxDepth = reports.GetValueOrDefault(g.Id)?.OutboxDepth,
                    ReportedAt = reports.GetValueOrDefault(g.Id)?.ReportedAt,
                }).ToList();
            })
            .RequireAuthorization(Policies.Viewer).Produces<IReadOnlyList<GatewayInfo>>();
        api.MapPost("/gateways", async (HttpRequest request, ClaimsPrincipal user, GatewayRegistry registry, IStorageConnections connections, AuditLog audit) =>
            {
                var body = await Api.BodyAsync<RegisterGatewayRequest>(request);
                string token;
                try
                {
                    (_, token) = await registry.RegisterAsync(body.Id ?? "", body.Name, null, request.HttpContext.RequestAborted);
                }
                catch (ArgumentException e)
                {
                    throw DomainException.Invalid("id: " + e.Message.Split(" (Parameter")[0]);
                }
                catch (InvalidOperationException e)
                {
                    throw DomainException.Conflict(e.Message);
                }
                await using (var tx = await Tx.BeginAsync(connections, request.HttpContext.RequestAborted))
                {
                    await audit.WriteAsync(tx, user.Actor(), "gateway.register", "gateway:" + body.Id, new { body.Name });
                    await tx.CommitAsync();
                }
                return Results.Created($"{Api.Prefix}/gateways/{body.Id}", new GatewayToken(body.Id!, token));
            })
            .RequireAuthorization(Policies.Admin).Body<RegisterGatewayRequest>(Examples.Gateway).WithSummary("Register a gateway; the answer carries its bearer token (shown once)").Produces<GatewayToken>(201);
        api.MapPost("/gateways/{id}/token", async (string id, ClaimsPrincipal user, GatewayRegistry registry, IStorageConnections connections, AuditLog audit, CancellationToken ct) =>
            {
                string token;
                try
                {
                    token = await registry.RotateTokenAsync(id, ct);
                }
                catch (InvalidOperationException)
                {
                    throw DomainException.NotFound("gateway", id);
                }
                await using var tx = await Tx.BeginAsync(connections, ct);
                await audit.WriteAsync(tx, user.Actor(), "gateway.token", "gateway:" + id);
                await tx.CommitAsync();
                return new GatewayToken(id, token);
            })
            .RequireAuthorization(Policies.Admin).WithSummary("Issue a new token for a gateway; the old one stops working").Produces<GatewayToken>();
        return endpoints;
    }
}
