using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Operations;
using Edge.Gateway.Outbox;

namespace Edge.Gateway.Uplink;

/// <summary>
/// <c>POST /api/v1/gateways/{gatewayId}/batches</c> (docs/uplink.md §2): gzip JSON, bearer token, and the response
/// mapped to a <see cref="SendOutcome"/>. Retrying and halving are the caller's (<see cref="UplinkService"/>).
/// Each request also tells the cloud which software sent it (<c>User-Agent: edge-gateway/&lt;version&gt;</c>) and how many
/// records wait behind the batch (<c>Edge-Outbox-Depth</c>), so the console can show version and backlog (docs/uplink.md §2).
/// </summary>
public sealed class HttpRecordSender : IRecordSender, IDisposable
{
    readonly HttpClient _http;
    readonly UplinkOptions _options;
    readonly string _epoch;
    readonly Uri _batches;
    readonly Func<long>? _outboxDepth;

    /// <summary>The header that carries the outbox's backlog behind a batch (docs/uplink.md §2).</summary>
    public const string OutboxDepthHeader = "Edge-Outbox-Depth";

    /// <summary>This gateway's informational version (the assembly's, e.g. <c>1.4.0+3f9a2c1</c>), sent as the User-Agent's product version.</summary>
    public static string Version { get; } = typeof(HttpRecordSender).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(HttpRecordSender).Assembly.GetName().Version?.ToString() ?? "0";

    /// <param name="epoch">The outbox's epoch, sent with every batch (empty: none, the pre-epoch format).</param>
    /// <param name="outboxDepth">Records in the outbox not yet acknowledged by the cloud (none: no backlog header).</param>
    public HttpRecordSender(UplinkOptions options, string epoch, HttpMessageHandler? handler = null, Func<long>? outboxDepth = null)
    {
        _options = options;
        _epoch = epoch;
        _outboxDepth = outboxDepth;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60) })
        {
            Timeout = TimeSpan.FromSeconds(Math.Max(1, options.RequestTimeoutSeconds)),
        };
        var baseUrl = options.BaseUrl.EndsWith('/') ? options.BaseUrl : options.BaseUrl + "/";
        _batches = new Uri(new Uri(baseUrl), $"api/v1/gateways/{Uri.EscapeDataString(options.GatewayId)}/batches");
        // A version that is not an HTTP token (never from the build) leaves the header out rather than failing the uplink.
        _http.DefaultRequestHeaders.UserAgent.TryParseAdd("edge-gateway/" + Version);
    }

    public string Name => "https";

    public async Task<SendOutcome> SendAsync(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _batches) { Content = Body(batch) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.Token);
        // The batch's span (linked to each record's span) goes with the request as W3C traceparent; the cloud's
        // request and store spans continue it (docs/uplink.md, trace context).
        using var span = GatewayTelemetry.StartBatchSpan(batch);
        if (span is not null) request.Headers.TryAddWithoutValidation("traceparent", span.Id);
        // What still waits once this batch is acknowledged: the backlog the cloud shows for this gateway.
        if (_outboxDepth is not null) request.Headers.Add(OutboxDepthHeader, Math.Max(0, _outboxDepth() - batch.Count).ToString(System.Globalization.CultureInfo.InvariantCulture));
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            return new SendOutcome.Retry("network: " + exception.Message, null);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendOutcome.Retry("timeout", null);
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            if (status == 200)
            {
                return await ParseAcceptance(response, batch, cancellationToken).ConfigureAwait(false);
            }
            var detail = await SafeBody(response, cancellationToken).ConfigureAwait(false);
            if (status is 400 or 413)
            {
                return new SendOutcome.TooLarge($"{status}: {detail}");
            }
            // 408, 429, 5xx are retryable by the contract; 401/403 are configuration problems that an operator fixes —
            // retrying (slowly, by the backoff) loses nothing, dropping would.
            return new SendOutcome.Retry($"{status}: {detail}", RetryAfter(response), MayBeContent: status == 500);
        }
    }

    HttpContent Body(IReadOnlyList<OutboxMessage> batch)
    {
        var buffer = new MemoryStream();
        Stream target = _options.Gzip ? new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true) : buffer;
        using (var writer = new Utf8JsonWriter(target))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", 1);
            writer.WriteString("gateway", _options.GatewayId);
            if (_epoch.Length > 0) writer.WriteString("epoch", _epoch);
            writer.WriteNumber("sentAt", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            writer.WriteStartArray("records");
            foreach (var message in batch) UplinkRecord.Write(writer, message);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        if (_options.Gzip) target.Dispose();
        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        if (_options.Gzip) content.Headers.ContentEncoding.Add("gzip");
        return content;
    }

    static async Task<SendOutcome> ParseAcceptance(HttpResponseMessage response, IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken)
    {
        var last = batch[^1].GatewaySeq;
        try
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            var rejected = new List<RejectedRecord>();
            if (root.TryGetProperty("rejected", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    var error = item.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : "(no reason given)";
                    rejected.Add(new RejectedRecord(item.GetProperty("seq").GetInt64(), error));
                }
            }
            // The contract says ackedThrough is the batch's last seq; never trust more than we sent.
            var acked = root.TryGetProperty("ackedThrough", out var a) && a.ValueKind == JsonValueKind.Number ? Math.Min(a.GetInt64(), last) : last;
            var accepted = root.TryGetProperty("accepted", out var ac) && ac.ValueKind == JsonValueKind.Number ? ac.GetInt32() : 0;
            var duplicates = root.TryGetProperty("duplicates", out var du) && du.ValueKind == JsonValueKind.Number ? du.GetInt32() : 0;
            return new SendOutcome.Delivered(acked, accepted, duplicates, rejected);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // A 200 we cannot read: the cloud stored the batch (idempotently), but re-sending is the only safe reading.
            return new SendOutcome.Retry("unreadable 200 response: " + exception.Message, null);
        }
    }

    static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header is null) return null;
        if (header.Delta is { } delta) return delta;
        if (header.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    static async Task<string> SafeBody(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return text.Length > 300 ? text[..300] : text;
        }
        catch (Exception)
        {
            return "";
        }
    }

    public void Dispose() => _http.Dispose();
}
