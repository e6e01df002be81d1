using System;
using System.Collections.Generic;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Edge.Gateway.Broker;
using Edge.Gateway.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edge.Gateway.Operations;

/// <summary>
/// /api/nodes — provisioning for the installer and, later, the cloud: list, add (returns the new secret once),
/// remove (clears the node's retained topics, protocol.md §3.1, and ends its connection), rotate the secret.
/// Guarded by Gateway:Http:AdminToken (bearer) or, without a token configured, by loopback-only access.
/// </summary>
public static class ProvisioningApi
{
    public sealed record AddNodeRequest(string NodeId, string Site, string Type, string? Location, string? Zone);

    public sealed record SecretResponse(string NodeId, string Secret);

    public static void Map(IEndpointRouteBuilder app, string? adminToken)
    {
        var api = app.MapGroup("/api/nodes").AddEndpointFilter(async (context, next) =>
            Authorised(context.HttpContext, adminToken) ? await next(context) : Results.StatusCode(StatusCodes.Status403Forbidden));

        api.MapGet("/", (NodeRegistry registry) => Results.Ok(registry.List()));

        api.MapGet("/{nodeId}", (string nodeId, NodeRegistry registry) => registry.Find(nodeId) is { } node ? Results.Ok(node) : Results.NotFound());

        api.MapPost("/", (AddNodeRequest request, NodeRegistry registry) =>
        {
            try
            {
                var secret = registry.Add(new NodeRegistration(request.NodeId, request.Site, request.Type, request.Location, request.Zone));
                return Results.Created($"/api/nodes/{request.NodeId}", new SecretResponse(request.NodeId, secret));
            }
            catch (ArgumentException exception) { return Results.BadRequest(new { error = exception.Message }); }
            catch (InvalidOperationException exception) { return Results.Conflict(new { error = exception.Message }); }
        });

        api.MapDelete("/{nodeId}", async (string nodeId, NodeRegistry registry, INodeTransport transport) =>
        {
            if (registry.Find(nodeId) is not { } node) return Results.NotFound();
            registry.Remove(nodeId);
            await transport.DisconnectAsync(nodeId);
            await transport.ClearRetainedAsync(node.Site, node.NodeId);
            return Results.NoContent();
        });

        api.MapPost("/{nodeId}/secret", async (string nodeId, NodeRegistry registry, INodeTransport transport) =>
        {
            try
            {
                var secret = registry.RotateSecret(nodeId);
                await transport.DisconnectAsync(nodeId);
                return Results.Ok(new SecretResponse(nodeId, secret));
            }
            catch (KeyNotFoundException) { return Results.NotFound(); }
        });
    }

    /// <summary>The admin guard of every /api group: the bearer admin token, or loopback when none is configured.</summary>
    internal static bool Authorised(HttpContext context, string? adminToken)
    {
        if (string.IsNullOrEmpty(adminToken))
        {
            return context.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address);
        }
        var header = context.Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        return header.StartsWith(prefix, StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[prefix.Length..]), Encoding.UTF8.GetBytes(adminToken));
    }
}
