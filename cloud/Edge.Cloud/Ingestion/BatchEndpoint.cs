using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.ApiDocs;
using Edge.Cloud.Domain;
using Edge.Cloud.Gateways;
using Edge.Cloud.Storage;
using Edge.Cloud.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Ingestion;

/// <summary><c>POST /api/v1/gateways/{gatewayId}/batches</c> (docs/uplink.md §2).</summary>
public static class BatchEndpoint
{
    public static IEndpointRouteBuilder MapEdgeIngestion(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/gateways/{gatewayId}/batches", HandleAsync)
            .WithName("PostGatewayBatch").WithGatewayToken()
            .WithTags("Ingestion")
            .WithSummary("Store a batch of gateway records")
            .WithDescription("Records are validated one by one; valid ones are stored once per (gateway, epoch, seq), invalid ones are listed in 'rejected'. Body may be gzip-compressed (Content-Encoding: gzip). Limits: 5,000 records, 4 MiB uncompressed.")
            .Accepts<BatchRequest>("application/json")
            .Produces<BatchResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .AddEndpointFilter(CountRefusalAsync);
        return endpoints;
    }

    /// <summary>Whole-batch refusals by reason; accepted batches are counted by the ingestor (HTTPS and Event Hubs alike).</summary>
    private static async ValueTask<object?> CountRefusalAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var answer = await next(context);
        if (answer is IStatusCodeHttpResult { StatusCode: >= 400 and var status })
        {
            context.HttpContext.RequestServices.GetRequiredService<CloudMetrics>().Batches.Add(1,
                CloudMetrics.Tag("outcome", "rejected"), CloudMetrics.Tag("reason", RefusalReason(status)));
        }
        return answer;
    }

    private static string RefusalReason(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "unauthenticated",
        StatusCodes.Status403Forbidden => "forbidden",
        StatusCodes.Status413PayloadTooLarge => "too_large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_encoding",
        StatusCodes.Status400BadRequest => "invalid",
        _ => "http_" + status,
    };

    private static async Task<IResult> HandleAsync(
        string gatewayId,
        HttpContext context,
        GatewayRegistry gateways,
        BatchIngestor ingestor,
        GatewayBookkeeping bookkeeping,
        IOptions<IngestionOptions> options,
        CloudMetrics metrics,
        CancellationToken cancellationToken)
    {
        // The whole handler, so that a batch's latency splits into the stages, the rest of the handler and what lies
        // outside it (Kestrel, middleware, writing the answer).
        var entered = Stopwatch.GetTimestamp();
        try
        {
            var limits = options.Value;
            var started = Stopwatch.GetTimestamp();
            var auth = await gateways.AuthenticateAsync(gatewayId, context.Request.Headers.Authorization.ToString(), cancellationToken);
            if (auth.Gateway is null)
            {
                if (auth.Status == StatusCodes.Status401Unauthorized) context.Response.Headers.WWWAuthenticate = "Bearer";
                return Problem(auth.Status, auth.Detail!);
            }
            metrics.Stage("auth", started);

            started = Stopwatch.GetTimestamp();
            var (body, bodyError) = await ReadBodyAsync(context.Request, limits.MaxBatchBytes, cancellationToken);
            if (bodyError is not null) return bodyError;
            metrics.Stage("read", started);

            // The document reads the body's buffer in place: the buffer goes back to the pool after the document.
            using var pooled = body!;
            started = Stopwatch.GetTimestamp();
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(pooled.Bytes, new JsonDocumentOptions { MaxDepth = 64 });
            }
            catch (JsonException e)
            {
                return Problem(StatusCodes.Status400BadRequest, $"body is not valid JSON: {e.Message}");
            }
            using (document)
            {
                var root = document.RootElement;
                IResult? refusal;
                string epoch = "";
                long? sentAt = null;
                try
                {
                    refusal = CheckEnvelope(root, gatewayId, limits, out epoch, out sentAt);
                }
                catch (InvalidOperationException)
                {
                    // The envelope's own strings are not valid UTF-8 (JsonDocument does not check while parsing).
                    refusal = Problem(StatusCodes.Status400BadRequest, "body: a string of the batch envelope is not valid UTF-8 (RFC 8259 §8.1)");
                }
                if (refusal is not null) return refusal;
                var recordsElement = root.GetProperty("records");
                var records = new List<JsonElement>(recordsElement.GetArrayLength());
                foreach (var record in recordsElement.EnumerateArray()) records.Add(record);
                metrics.Stage("parse", started);
                // The gateway's clock and uplink report describe the gateway, not its records: when written (GatewayBookkeeping), on
                // their own connection while the records are validated and stored, and awaited before the answer (a failure still
                // fails the request; the gateway then sends the batch again and its stored records count as duplicates).
                var gateway = RecordGatewayAsync(gatewayId, sentAt, context.Request.Headers, bookkeeping, metrics, cancellationToken);
                BatchResponse response;
                try
                {
                    response = await ingestor.IngestAsync(gatewayId, epoch, records, cancellationToken);
                }
                finally
                {
                    await gateway;
                }
                return Results.Ok(response);
            }
        }
        finally
        {
            metrics.Stage("handler", entered);
        }
    }

    /// <summary>The gateway's clock error and uplink report (version, backlog) of one batch.</summary>
    private static async Task RecordGatewayAsync(string gatewayId, long? sentAt, IHeaderDictionary headers, GatewayBookkeeping bookkeeping,
        CloudMetrics metrics, CancellationToken cancellationToken)
    {
        // Runs on the request's thread up to its first wait for the database (headers are read before it); the caller
        // then goes on with the records. SQLite's driver does not wait asynchronously: there it runs before them.
        var started = Stopwatch.GetTimestamp();
        await bookkeeping.RecordAsync(gatewayId, sentAt, headers, cancellationToken);
        metrics.Stage("gateway", started);
    }

    /// <summary>The whole-batch checks of docs/uplink.md §2 rule 4 (v, gateway, epoch, sentAt, records): a refusal, or
    /// null with the batch's outbox epoch ("" when absent) and sending time.</summary>
    private static IResult? CheckEnvelope(JsonElement root, string gatewayId, IngestionOptions limits, out string epoch, out long? sentAt)
    {
        epoch = "";
        sentAt = null;
        if (root.ValueKind != JsonValueKind.Object) return Problem(StatusCodes.Status400BadRequest, $"body: expected a JSON object, got {JsonFields.Describe(root)}");
        var error = JsonFields.Integer(root, "v", "", long.MinValue, long.MaxValue, true, out var v);
        if (error is not null) return Problem(StatusCodes.Status400BadRequest, error);
        if (v != 1) return Problem(StatusCodes.Status400BadRequest, $"v: {v} is not a known schema version (expected 1)");
        if ((error = JsonFields.Text(root, "gateway", "", true, out var bodyGateway)) is not null) return Problem(StatusCodes.Status400BadRequest, error);
        if (bodyGateway != gatewayId)
        {
            return Problem(StatusCodes.Status403Forbidden, $"gateway: the body names gateway '{bodyGateway}' but the request is for '{gatewayId}'");
        }
        if ((error = JsonFields.Text(root, "epoch", "", false, out var bodyEpoch)) is not null || (error = OutboxEpochs.Check(bodyEpoch ?? "")) is not null)
        {
            return Problem(StatusCodes.Status400BadRequest, error);
        }
        epoch = bodyEpoch ?? "";
        if ((error = JsonFields.Integer(root, "sentAt", "", 0, JsonFields.MaxTs, false, out var bodySentAt)) is not null) return Problem(StatusCodes.Status400BadRequest, error);
        sentAt = bodySentAt;
        if (!root.TryGetProperty("records", out var recordsElement)) return Problem(StatusCodes.Status400BadRequest, "records: required");
        if (recordsElement.ValueKind != JsonValueKind.Array) return Problem(StatusCodes.Status400BadRequest, $"records: expected an array, got {JsonFields.Describe(recordsElement)}");
        var count = recordsElement.GetArrayLength();
        if (count > limits.MaxRecordsPerBatch)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, $"records: {count} records exceed the limit of {limits.MaxRecordsPerBatch} per batch; send fewer");
        }
        return null;
    }

    /// <summary>Reads the (possibly gzip-compressed) body into a buffer from the shared pool (the caller disposes it once
    /// the parsed document is done with), refusing more than <paramref name="maxBytes"/> uncompressed bytes without reading
    /// further.</summary>
    private static async Task<(BatchBody? Body, IResult? Error)> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        Stream source;
        if (encoding.Length == 0 || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase)) source = request.Body;
        else if (encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase)) source = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
        else return (null, Problem(StatusCodes.Status415UnsupportedMediaType, $"Content-Encoding '{encoding}' is not supported; send gzip or no encoding"));

        await using (source)
        {
            var body = new BatchBody(ReferenceEquals(source, request.Body) ? request.ContentLength : null, maxBytes);
            var handedOver = false;
            try
            {
                while (true)
                {
                    var read = await source.ReadAsync(body.Free(), cancellationToken);
                    if (read == 0) break;
                    if (!body.Advance(read))
                    {
                        return (null, Problem(StatusCodes.Status413PayloadTooLarge,
                            $"body: more than {maxBytes} bytes uncompressed (limit {maxBytes / (1024 * 1024)} MiB); send fewer records"));
                    }
                }
                handedOver = true;
                return (body, null);
            }
            catch (InvalidDataException e)
            {
                return (null, Problem(StatusCodes.Status400BadRequest, $"body: Content-Encoding is gzip but the body is not valid gzip ({e.Message})"));
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return (null, Problem(StatusCodes.Status413PayloadTooLarge, $"body: {e.Message}"));
            }
            catch (BadHttpRequestException e)
            {
                // The gateway went away mid-body (shutdown, dropped link): nothing was stored, it will
                // send the same records again. A client error, not a server fault worth a stack trace.
                return (null, Problem(StatusCodes.Status400BadRequest, $"body: {e.Message}"));
            }
            finally
            {
                // Only a body handed to the caller stays rented: every refusal and failure gives it back here, once.
                if (!handedOver) body.Dispose();
            }
        }
    }

    private static IResult Problem(int status, string detail) => Results.Problem(
        detail: detail,
        statusCode: status,
        title: status switch
        {
            StatusCodes.Status401Unauthorized => "Gateway not authenticated",
            StatusCodes.Status403Forbidden => "Gateway not allowed",
            StatusCodes.Status413PayloadTooLarge => "Batch too large",
            StatusCodes.Status415UnsupportedMediaType => "Unsupported content encoding",
            _ => "Invalid batch",
        });
}

/// <summary>The request body (docs/uplink.md §2), for the OpenAPI document; the endpoint reads the JSON
/// itself so that each record can be validated (and rejected) on its own.</summary>
public sealed record BatchRequest(int V, string Gateway, string? Epoch, long? SentAt, IReadOnlyList<BatchRecord> Records);

public sealed record BatchRecord(long Seq, string? Node, string Site, string Kind, long ReceivedAt, JsonElement Payload);
