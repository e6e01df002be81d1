using System;
using System.Linq;
using Edge.Gateway.Outbox;
using Edge.Gateway.Uplink;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edge.Gateway.Operations;

/// <summary>
/// /api/dead-letters — the records the cloud refused for good (docs/gateway.md "Dead letters"): list or export them
/// (payload base64, byte for byte, since a refused payload need not even be valid UTF-8), replay one into the outbox
/// after the cause is fixed, or discard it. Same guard as /api/nodes.
/// </summary>
public static class DeadLetterApi
{
    public sealed record Entry(long GatewaySeq, string? Site, string? Node, string Kind, long ReceivedAt, long DeadAt, string Reason, string PayloadBase64);

    public sealed record ReplayResponse(long GatewaySeq, long NewGatewaySeq);

    public static void Map(IEndpointRouteBuilder app, string? adminToken)
    {
        var api = app.MapGroup("/api/dead-letters").AddEndpointFilter(async (context, next) =>
            ProvisioningApi.Authorised(context.HttpContext, adminToken) ? await next(context) : Results.StatusCode(StatusCodes.Status403Forbidden));

        api.MapGet("/", (DeadLetters letters, long? after, int? limit) => Results.Ok(letters.List(after ?? 0, limit ?? 1000).Select(ToEntry)));

        api.MapPost("/{gatewaySeq:long}/replay", async (long gatewaySeq, DeadLetters letters, GatewayRecords records) =>
        {
            if (letters.Find(gatewaySeq) is not { } letter) return Results.NotFound();
            var appended = await records.AppendReplayAsync(letter);
            if (appended.Outcome != AppendOutcome.Committed) return Results.Problem($"not queued again: {appended.Outcome}", statusCode: StatusCodes.Status409Conflict);
            letters.Remove(gatewaySeq);
            return Results.Ok(new ReplayResponse(gatewaySeq, appended.GatewaySeq));
        });

        api.MapDelete("/{gatewaySeq:long}", (long gatewaySeq, DeadLetters letters) => letters.Remove(gatewaySeq) ? Results.NoContent() : Results.NotFound());
    }

    static Entry ToEntry(DeadLetter letter) => new(letter.GatewaySeq, letter.Site.Length == 0 ? null : letter.Site, letter.NodeId.Length == 0 ? null : letter.NodeId,
        UplinkRecord.Kind(letter.Leaf), letter.ReceivedUnixMs / 1000, letter.DeadUnixMs / 1000, letter.Reason, Convert.ToBase64String(letter.Payload));
}
