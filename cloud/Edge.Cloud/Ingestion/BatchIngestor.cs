using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Storage;
using Edge.Cloud.Telemetry;
using Microsoft.Extensions.Logging;

namespace Edge.Cloud.Ingestion;

/// <summary>One record the cloud will never accept: its position in the batch (or event), its seq when it
/// could be read, and what is wrong.</summary>
public sealed record RejectedRecord(long? Seq, int Index, string Error);

/// <summary>The <c>200</c> answer to a batch (docs/uplink.md §2, rule 4).</summary>
public sealed record BatchResponse(int V, int Accepted, int Duplicates, IReadOnlyList<RejectedRecord> Rejected, long? AckedThrough);

/// <summary>
/// Validates each record of a batch on its own and stores the valid ones (partial acceptance, idempotent by
/// gateway and seq). Shared by the HTTPS endpoint and the Event Hubs consumer.
/// </summary>
public sealed class BatchIngestor
{
    private readonly IIngestStore _store;
    private readonly RecordAdmission _admission;
    private readonly OutboxEpochs _epochs;
    private readonly RecordArrivals _arrivals;
    private readonly ILogger<BatchIngestor> _logger;
    private readonly CloudMetrics _metrics;

    public BatchIngestor(IIngestStore store, RecordAdmission admission, OutboxEpochs epochs, RecordArrivals arrivals, CloudMetrics metrics, ILogger<BatchIngestor> logger)
    {
        _metrics = metrics;
        _arrivals = arrivals;
        _store = store;
        _admission = admission;
        _epochs = epochs;
        _logger = logger;
    }

    /// <summary>A batch of a gateway that sends no <c>epoch</c> (the empty epoch).</summary>
    public Task<BatchResponse> IngestAsync(string gateway, IReadOnlyList<JsonElement> records, CancellationToken cancellationToken = default) =>
        IngestAsync(gateway, "", records, cancellationToken);

    /// <summary>A batch of the outbox epoch <paramref name="epoch"/> (docs/uplink.md §2).</summary>
    public async Task<BatchResponse> IngestAsync(string gateway, string epoch, IReadOnlyList<JsonElement> records, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        await _epochs.NoteAsync(gateway, epoch, cancellationToken);
        _metrics.Stage("epoch", started);
        // The inventory rows of the batch's nodes are read while the records are validated (a database round trip
        // next to CPU work); admission then decides on the validated records with them.
        started = Stopwatch.GetTimestamp();
        var lookup = _admission.LookupAsync(NodesNamed(records), cancellationToken);
        var lookupTicks = Stopwatch.GetTimestamp() - started; // all of it where the driver does not wait asynchronously (SQLite)
        started = Stopwatch.GetTimestamp();
        var valid = new List<IngestRecord>(records.Count);
        var validIndex = new List<int>(records.Count);
        var rejected = new List<RejectedRecord>();
        long? ackedThrough = null;
        for (var i = 0; i < records.Count; i++)
        {
            var check = RecordValidator.Validate(gateway, records[i]);
            if (check.Seq is { } seq && (ackedThrough is null || seq > ackedThrough)) ackedThrough = seq;
            if (check.Record is not null) { valid.Add(check.Record with { Epoch = epoch }); validIndex.Add(i); }
            else rejected.Add(new RejectedRecord(check.Seq, i, check.Error!));
        }
        _metrics.Stage("validate", started);
        started = Stopwatch.GetTimestamp();
        var admission = await _admission.AdmitAsync(gateway, valid, lookup, cancellationToken);
        _metrics.Stage("admission", started - lookupTicks);
        foreach (var (position, error) in admission.Refused) rejected.Add(new RejectedRecord(valid[position].Seq, validIndex[position], error));
        rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
        var result = await StoreAsync(gateway, admission.Admitted, records, cancellationToken);
        _metrics.Batches.Add(1, CloudMetrics.Tag("outcome", "accepted"));
        _metrics.Records.Add(result.Stored, CloudMetrics.Tag("outcome", "accepted"));
        _metrics.Records.Add(result.Duplicates, CloudMetrics.Tag("outcome", "duplicate"));
        _metrics.Records.Add(records.Count - valid.Count, CloudMetrics.Tag("outcome", "rejected"), CloudMetrics.Tag("reason", "invalid"));
        _metrics.Records.Add(admission.Refused.Count, CloudMetrics.Tag("outcome", "rejected"), CloudMetrics.Tag("reason", "refused"));
        _arrivals.Notify(admission.Admitted, result);
        if (rejected.Count > 0)
        {
            _logger.LogWarning("Gateway {Gateway}: rejected {Count} record(s), first: seq {Seq}: {Error}",
                gateway, rejected.Count, rejected[0].Seq, rejected[0].Error);
        }
        _logger.LogDebug("Gateway {Gateway}: {Stored} stored, {Duplicates} duplicate(s), {Rejected} rejected",
            gateway, result.Stored, result.Duplicates, rejected.Count);
        return new BatchResponse(1, result.Stored, result.Duplicates, rejected, ackedThrough);
    }

    /// <summary>The <c>node</c> strings of the records as sent, before validation (a string that is not valid UTF-8 is
    /// left out: validation rejects its record).</summary>
    private static HashSet<string> NodesNamed(IReadOnlyList<JsonElement> records)
    {
        var nodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (record.ValueKind != JsonValueKind.Object || !record.TryGetProperty("node", out var node) || node.ValueKind != JsonValueKind.String) continue;
            try
            {
                nodes.Add(node.GetString()!);
            }
            catch (InvalidOperationException)
            {
            }
        }
        return nodes;
    }

    /// <summary>The store of one batch: timed, and a span (child of the request, which continues the gateway's
    /// <c>traceparent</c>) carrying the record count and linked to each record's own trace (docs/uplink.md, trace context).</summary>
    private async Task<StoreResult> StoreAsync(string gateway, IReadOnlyList<IngestRecord> records, IReadOnlyList<JsonElement> sent, CancellationToken cancellationToken)
    {
        using var span = CloudTelemetry.Source.HasListeners()
            ? CloudTelemetry.Source.StartActivity("ingestion.store", ActivityKind.Internal, default(ActivityContext), links: RecordTraces(sent))
            : null;
        span?.SetTag("edge.gateway.id", gateway);
        span?.SetTag("edge.records", records.Count);
        var started = Stopwatch.GetTimestamp();
        var result = await _store.StoreAsync(records, cancellationToken);
        _metrics.StoreDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        _metrics.Stage("store", started);
        span?.SetTag("edge.records.stored", result.Stored);
        return result;
    }

    /// <summary>The records' own spans (their optional <c>traceparent</c> member, docs/uplink.md); malformed ones are ignored.</summary>
    private static List<ActivityLink> RecordTraces(IReadOnlyList<JsonElement> records)
    {
        var links = new List<ActivityLink>();
        foreach (var record in records)
        {
            if (record.ValueKind == JsonValueKind.Object && record.TryGetProperty("traceparent", out var parent) && parent.ValueKind == JsonValueKind.String
                && ActivityContext.TryParse(parent.GetString(), null, out var context))
            {
                links.Add(new ActivityLink(context));
            }
        }
        return links;
    }
}
