using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Tests.Uplink;

/// <summary>
/// A real HTTP receiver standing in for the cloud (Kestrel on 127.0.0.1, a fixed free port so it can go offline and
/// come back at the same address). Implements docs/uplink.md §1–§3 independently of the gateway's code: bearer token,
/// gzip, whole-batch refusals (400/413), per-record rejection, idempotency by (gateway, seq), and a desired-state
/// long poll fed by the test. Can be told to fail with a status (and Retry-After) or to go offline.
/// </summary>
public sealed class FakeCloud : IAsyncDisposable
{
    public const string GatewayId = "gw-test-1";
    public const string Token = "token-for-gw-test-1";

    readonly object _lock = new();
    readonly SortedDictionary<long, JsonObject> _stored = new();
    readonly List<long> _arrivals = new();
    readonly List<(DateTimeOffset At, int Status, int Records)> _attempts = new();
    readonly List<JsonArray> _attemptRecords = new();
    readonly Queue<(int Status, int? RetryAfter)> _failures = new();
    readonly List<JsonObject> _changes = new();
    readonly List<string> _pollCursors = new();
    TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    WebApplication? _app;

    FakeCloud(int port) => Port = port;

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}/";

    /// <summary>Batches with more records are refused with 413 (the contract's limit is 5,000; tests lower it).</summary>
    public int MaxRecords { get; set; } = 5000;

    /// <summary>Records for which this returns an error are rejected individually (§2 rule 3).</summary>
    public Func<JsonObject, string?> Reject { get; set; } = _ => null;

    /// <summary>A batch containing a record for which this is true is refused as a whole with 413.</summary>
    public Func<JsonObject, bool> RefuseBatchWith { get; set; } = _ => false;

    /// <summary>A batch containing a record for which this is true is answered 500, like a cloud that throws on it.</summary>
    public Func<JsonObject, bool> CrashOn { get; set; } = _ => false;

    public long Duplicates { get; private set; }

    public static async Task<FakeCloud> StartAsync()
    {
        var cloud = new FakeCloud(TestGateway.FreePort());
        await cloud.GoOnlineAsync();
        return cloud;
    }

    /// <summary>The next <paramref name="count"/> batch requests are answered with <paramref name="status"/>.</summary>
    public void FailNext(int count, int status, int? retryAfterSeconds = null)
    {
        lock (_lock) for (var i = 0; i < count; i++) _failures.Enqueue((status, retryAfterSeconds));
    }

    public async Task GoOfflineAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public async Task GoOnlineAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(BaseUrl);
        var app = builder.Build();
        app.MapPost("/api/v1/gateways/{gatewayId}/batches", HandleBatch);
        app.MapGet("/api/v1/gateways/{gatewayId}/desired", HandleDesired);
        await app.StartAsync();
        _app = app;
    }

    /// <summary>Stored records by seq (each stored once).</summary>
    public IReadOnlyList<JsonObject> Records()
    {
        lock (_lock) return _stored.Values.Select(r => (JsonObject)r.DeepClone()).ToList();
    }

    /// <summary>Seqs in the order they were first stored.</summary>
    public IReadOnlyList<long> Arrivals()
    {
        lock (_lock) return _arrivals.ToList();
    }

    public IReadOnlyList<(DateTimeOffset At, int Status, int Records)> Attempts()
    {
        lock (_lock) return _attempts.ToList();
    }

    /// <summary>The records each batch attempt carried, in the order of <see cref="Attempts"/> (refused ones too).</summary>
    public IReadOnlyList<JsonArray> AttemptRecords()
    {
        lock (_lock) return _attemptRecords.Select(a => (JsonArray)a.DeepClone()).ToList();
    }

    public IReadOnlyList<string> PollCursors()
    {
        lock (_lock) return _pollCursors.ToList();
    }

    /// <summary>Adds a desired-state change (an object with any of configs, commands, displays, nodes, rules).</summary>
    public void AddChange(object change)
    {
        lock (_lock)
        {
            _changes.Add(JsonSerializer.SerializeToNode(change)!.AsObject());
            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    async Task<IResult> HandleBatch(HttpContext context, string gatewayId)
    {
        if (context.Request.Headers.Authorization.ToString() != "Bearer " + Token) return Problem(401, "missing or wrong token");
        if (gatewayId != GatewayId) return Problem(403, "token is bound to another gateway");
        (int Status, int? RetryAfter)? failure = null;
        lock (_lock) if (_failures.Count > 0) failure = _failures.Dequeue();

        Stream body = context.Request.Body;
        if (context.Request.Headers.ContentEncoding.ToString() == "gzip") body = new GZipStream(body, CompressionMode.Decompress);
        JsonObject batch;
        try
        {
            using var buffer = new MemoryStream();
            await body.CopyToAsync(buffer);
            batch = JsonNode.Parse(buffer.ToArray())!.AsObject();
        }
        catch (JsonException)
        {
            return Problem(400, "body is not JSON");
        }
        var records = batch["records"]!.AsArray().Select(r => r!.AsObject()).ToList();
        if (failure is { } f)
        {
            lock (_lock)
            {
                _attempts.Add((DateTimeOffset.UtcNow, f.Status, records.Count));
                _attemptRecords.Add((JsonArray)batch["records"]!.DeepClone());
            }
            if (f.RetryAfter is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString();
            return Problem(f.Status, "told to fail");
        }
        var refusal = (int?)batch["v"] != 1 ? (400, "v: must be 1")
            : (string?)batch["gateway"] != gatewayId ? (403, "body names another gateway")
            : records.Count > MaxRecords || records.Any(RefuseBatchWith) ? (413, $"more than {MaxRecords} records or too large")
            : records.Any(CrashOn) ? (500, "An unhandled exception has occurred")
            : (200, "");
        lock (_lock)
        {
            _attempts.Add((DateTimeOffset.UtcNow, refusal.Item1, records.Count));
            _attemptRecords.Add((JsonArray)batch["records"]!.DeepClone());
        }
        if (refusal.Item1 != 200) return Problem(refusal.Item1, refusal.Item2);

        int accepted = 0, duplicates = 0;
        var rejected = new JsonArray();
        lock (_lock)
        {
            foreach (var record in records)
            {
                var seq = (long)record["seq"]!;
                if (_stored.ContainsKey(seq)) { duplicates++; Duplicates++; continue; }
                if (Reject(record) is { } error) { rejected.Add(new JsonObject { ["seq"] = seq, ["error"] = error }); continue; }
                _stored[seq] = (JsonObject)record.DeepClone();
                _arrivals.Add(seq);
                accepted++;
            }
        }
        return Results.Json(new JsonObject
        {
            ["v"] = 1, ["accepted"] = accepted, ["duplicates"] = duplicates, ["rejected"] = rejected,
            ["ackedThrough"] = records.Count == 0 ? 0 : records.Max(r => (long)r["seq"]!),
        });
    }

    async Task<IResult> HandleDesired(HttpContext context, string gatewayId, string? after, int? waitS)
    {
        if (context.Request.Headers.Authorization.ToString() != "Bearer " + Token) return Problem(401, "missing or wrong token");
        if (gatewayId != GatewayId) return Problem(403, "token is bound to another gateway");
        var from = string.IsNullOrEmpty(after) ? 0 : int.Parse(after.AsSpan(2));
        Task wait;
        lock (_lock)
        {
            _pollCursors.Add(after ?? "");
            wait = _changed.Task;
        }
        if (ChangesAfter(from) is null)
        {
            await Task.WhenAny(wait, Task.Delay(TimeSpan.FromSeconds(Math.Min(waitS ?? 30, 60)), context.RequestAborted));
        }
        return Results.Json(ChangesAfter(from) ?? new JsonObject { ["v"] = 1, ["cursor"] = $"c:{from}", ["full"] = from == 0 });
    }

    JsonObject? ChangesAfter(int from)
    {
        lock (_lock)
        {
            if (_changes.Count <= from) return null;
            var answer = new JsonObject { ["v"] = 1, ["cursor"] = $"c:{_changes.Count}", ["full"] = from == 0 };
            foreach (var list in new[] { "configs", "commands", "displays", "nodes", "rules" })
            {
                var items = new JsonArray();
                foreach (var change in _changes.Skip(from))
                {
                    if (change[list] is JsonArray array) foreach (var item in array) items.Add(item!.DeepClone());
                }
                answer[list] = items;
            }
            return answer;
        }
    }

    static IResult Problem(int status, string detail) => Results.Problem(detail: detail, statusCode: status);

    public async ValueTask DisposeAsync() => await GoOfflineAsync();
}
