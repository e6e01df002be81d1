using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Operations;
using Edge.Gateway.Outbox;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Uplink;

/// <summary>
/// Forwards the durable outbox to the cloud (docs/uplink.md §2 / §4) in gateway-sequence order:
/// wait for records after the watermark → read a batch → send → on acceptance mark the outbox forwarded up to
/// <c>ackedThrough</c> (only then; a crash before it makes the next start re-send, which the cloud dedupes by seq).
/// Retryable failures keep the same records and back off (full jitter; a Retry-After replaces the jittered wait). A
/// whole-batch refusal halves the batch; a single refused record is given up. Records the cloud rejected individually
/// are not retried. Either way the record goes to the dead-letter table (<see cref="DeadLetters"/>) with the reason,
/// is logged, counted and reported as a <c>gateway</c> record, and the records behind it flow on.
/// A backlog drains in full batches, oldest first; new records append behind it, so live traffic is never reordered.
/// Duplicates the cloud reports are expected only for records this gateway may have sent before: those up to the
/// last sequence number the outbox held at start (a crash between delivery and marking) or already attempted in
/// this process (a retry after a lost answer). Any more means the cloud already holds *other* records under these
/// sequence numbers — an outbox restored from an older copy, or a second gateway with this id — and the records are
/// not stored: logged as an error, counted, and shown in /health until restart.
/// </summary>
public sealed class UplinkService : BackgroundService, IHealthComponent
{
    readonly IOutboxReader _outbox;
    readonly IRecordSender _sender;
    readonly GatewayRecords _records;
    readonly UplinkOptions _options;
    readonly ILogger _logger;
    readonly Backoff _backoff;
    readonly Counter<long> _sent;
    readonly Counter<long> _rejected;
    readonly Counter<long> _retries;
    readonly Counter<long> _givenUp;
    readonly Counter<long> _unexpectedDuplicates;
    long _unexpectedDuplicateCount; // for /health, which must say it until restart
    long _mayHaveSentUpTo;
    long _lastUnexpectedMs;
    readonly Counter<long> _deadLettered;
    readonly DeadLetters _deadLetters;
    readonly IUplinkDelay _delay;
    long _lastSuccessMs;
    volatile string? _lastError;
    volatile bool _up;

    public UplinkService(IOutboxReader outbox, IRecordSender sender, GatewayRecords records, DeadLetters deadLetters, IUplinkDelay delay,
        UplinkOptions options, GatewayMetrics metrics, ILogger<UplinkService> logger)
    {
        _deadLetters = deadLetters;
        _delay = delay;
        _outbox = outbox;
        _sender = sender;
        _records = records;
        _options = options;
        _logger = logger;
        _backoff = new Backoff(TimeSpan.FromMilliseconds(options.BackoffBaseMilliseconds), TimeSpan.FromMilliseconds(options.BackoffCapMilliseconds));
        var meter = metrics.Meter;
        _sent = meter.CreateCounter<long>("edge.gateway.uplink.records.sent", "{record}", "Records the cloud acknowledged (accepted or duplicate).");
        _rejected = meter.CreateCounter<long>("edge.gateway.uplink.records.rejected", "{record}", "Records the cloud rejected for good (not retried).");
        _retries = meter.CreateCounter<long>("edge.gateway.uplink.retries", "{attempt}", "Batch attempts that will be retried, by reason.");
        _givenUp = meter.CreateCounter<long>("edge.gateway.uplink.records.given_up", "{record}", "Single records refused as a whole batch (400/413, too large for Event Hubs).");
        _unexpectedDuplicates = meter.CreateCounter<long>("edge.gateway.uplink.unexpected_duplicates", "{record}",
            "Records the cloud called duplicates although this gateway never sent them: not stored (outbox restored from an old copy, or another gateway with this id).");
        _deadLettered = meter.CreateCounter<long>("edge.gateway.uplink.dead_lettered", "{record}", "Records moved to the dead-letter table (rejected or given up).");
        meter.CreateObservableGauge("edge.gateway.uplink.dead_letters", () => _deadLetters.Count(), "{record}", "Records in the dead-letter table, waiting for an operator (docs/gateway.md).");
        meter.CreateObservableGauge("edge.gateway.uplink.lag", LagSeconds, "s", "Age of the oldest record not yet acknowledged by the cloud (0 when caught up).");
        meter.CreateObservableGauge("edge.gateway.uplink.backlog", () => _outbox.GetStats().Depth, "{record}", "Records waiting to be acknowledged by the cloud.");
        meter.CreateObservableGauge("edge.gateway.uplink.up", () => _up ? 1 : 0, null, "1 when the last attempt to reach the cloud succeeded.");
    }

    public string Name => "uplink";

    public double LagSeconds()
    {
        var stats = _outbox.GetStats();
        return stats.Depth > 0 && stats.OldestReceivedUnixMs is { } oldest
            ? Math.Max(0, (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - oldest) / 1000.0)
            : 0;
    }

    public ComponentHealth Report()
    {
        var stats = _outbox.GetStats();
        var data = new Dictionary<string, object?>
        {
            ["kind"] = _sender.Name,
            ["forwardedUpTo"] = stats.ForwardedUpTo,
            ["backlog"] = stats.Depth,
            ["lagSeconds"] = Math.Round(LagSeconds(), 1),
            ["lastSuccessUnixMs"] = Interlocked.Read(ref _lastSuccessMs),
            ["epoch"] = _outbox.Epoch,
            ["unexpectedDuplicates"] = Interlocked.Read(ref _unexpectedDuplicateCount),
        };
        if (Interlocked.Read(ref _unexpectedDuplicateCount) > 0)
        {
            return new ComponentHealth("degraded",
                $"the cloud reported {Interlocked.Read(ref _unexpectedDuplicateCount)} record(s) as already stored that this gateway never sent (last at " +
                $"{DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Read(ref _lastUnexpectedMs)):u}); they were NOT stored: this outbox was restored " +
                "from an older copy or another gateway uses this id", data);
        }
        return new ComponentHealth(_up ? "ok" : "degraded", _up ? null : _lastError ?? "not connected yet", data);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _logger.LogInformation("Uplink {Kind} started at gateway seq {After}", _sender.Name, _outbox.ForwardedUpTo);
        var after = _outbox.ForwardedUpTo;
        _mayHaveSentUpTo = _outbox.GetStats().LastGatewaySeq;
        var limit = Math.Max(1, _options.MaxBatchRecords);
        // Isolating a record that makes the cloud answer 500 (poison): how many 500s in a row, whether the batch is being
        // split to find it, and the last seq it can be at.
        var suspect = 0;
        var isolating = false;
        long isolateThrough = 0;
        var lastDelivered = true; // the last batch was answered (or none was sent yet): the next one is new
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _outbox.WaitForMessagesAfterAsync(after, stoppingToken).ConfigureAwait(false);
                // Linger: a new batch of fewer records than a batch holds waits a moment for more. Not a retry (its backoff
                // waited already), nor while isolating a poison record (its batches are small on purpose); a backlog or a
                // full batch goes at once.
                if (_options.LingerMilliseconds > 0 && lastDelivered && !isolating && _outbox.GetStats().LastGatewaySeq - after < limit)
                {
                    await _delay.DelayAsync(TimeSpan.FromMilliseconds(_options.LingerMilliseconds), stoppingToken).ConfigureAwait(false);
                }
                var batch = await _outbox.ReadAfterAsync(after, limit, _options.MaxBatchBytes, stoppingToken).ConfigureAwait(false);
                if (batch.Count == 0)
                {
                    // Everything after the watermark was dropped by the quota policy meanwhile; wait for the next one.
                    after = Math.Max(after, _outbox.GetStats().LastGatewaySeq);
                    continue;
                }
                var expectedDuplicates = batch.Count(m => m.GatewaySeq <= _mayHaveSentUpTo);
                var outcome = await SendAsync(batch, stoppingToken).ConfigureAwait(false);
                lastDelivered = outcome is SendOutcome.Delivered;
                // Whatever the outcome, the cloud may now hold these records (a lost answer is a Retry).
                _mayHaveSentUpTo = Math.Max(_mayHaveSentUpTo, batch[^1].GatewaySeq);
                if (outcome is SendOutcome.Delivered { Duplicates: var duplicates } && duplicates > expectedDuplicates)
                {
                    ReportUnexpectedDuplicates(batch, duplicates - expectedDuplicates);
                }
                switch (outcome)
                {
                    case SendOutcome.Delivered delivered:
                        await OnDelivered(batch, delivered, stoppingToken).ConfigureAwait(false);
                        after = Math.Max(after, delivered.AckedThrough);
                        suspect = 0;
                        if (isolating && after < isolateThrough) break; // keep the small batches until past the suspect
                        isolating = false;
                        limit = Math.Max(1, _options.MaxBatchRecords);
                        break;
                    case SendOutcome.TooLarge tooLarge when batch.Count > 1:
                        limit = Math.Max(1, batch.Count / 2);
                        _logger.LogWarning("Uplink: batch of {Count} refused ({Reason}); halving to {Limit}", batch.Count, tooLarge.Reason, limit);
                        break;
                    case SendOutcome.TooLarge tooLarge:
                        await GiveUp(batch[0], tooLarge.Reason, stoppingToken).ConfigureAwait(false);
                        after = batch[0].GatewaySeq;
                        limit = Math.Max(1, _options.MaxBatchRecords);
                        break;
                    case SendOutcome.Retry retry:
                        if (retry.MayBeContent && ++suspect >= (isolating ? 1 : Math.Max(1, _options.PoisonAfterFailures)))
                        {
                            suspect = 0;
                            if (batch.Count > 1)
                            {
                                // Split at once (no wait: the next attempt is another batch) until the record is alone.
                                _retries.Add(1, GatewayMetrics.Tag("reason", ReasonClass(retry.Reason)));
                                isolating = true;
                                isolateThrough = Math.Max(isolateThrough, batch[^1].GatewaySeq);
                                limit = Math.Max(1, batch.Count / 2);
                                _logger.LogWarning("Uplink: batch of {Count} keeps getting {Reason}; halving to {Limit} to find the record that causes it",
                                    batch.Count, retry.Reason, limit);
                                break;
                            }
                            isolating = false;
                            limit = Math.Max(1, _options.MaxBatchRecords);
                            if (await ProbeBehindAsync(batch[0], retry.Reason, stoppingToken).ConfigureAwait(false) is { } probedThrough)
                            {
                                after = probedThrough;
                                break;
                            }
                        }
                        _up = false;
                        _lastError = retry.Reason;
                        _retries.Add(1, GatewayMetrics.Tag("reason", ReasonClass(retry.Reason)));
                        var delay = _backoff.NextDelay(retry.RetryAfter);
                        if (_backoff.Failures <= 3 || IsPow2(_backoff.Failures))
                        {
                            _logger.LogWarning("Uplink: {Count} records not delivered ({Reason}); retry #{Attempt} in {Delay:0.0} s",
                                batch.Count, retry.Reason, _backoff.Failures, delay.TotalSeconds);
                        }
                        await _delay.DelayAsync(delay, stoppingToken).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    async Task OnDelivered(IReadOnlyList<OutboxMessage> batch, SendOutcome.Delivered delivered, CancellationToken cancellationToken)
    {
        if (!_up && _backoff.Failures > 0)
        {
            _logger.LogInformation("Uplink: cloud reachable again after {Failures} failed attempts", _backoff.Failures);
        }
        _backoff.Reset();
        _up = true;
        _lastError = null;
        var rejectedSeqs = delivered.Rejected.Select(r => r.Seq).ToHashSet();
        _sent.Add(batch.Count(m => m.GatewaySeq <= delivered.AckedThrough && !rejectedSeqs.Contains(m.GatewaySeq)));
        if (delivered.Rejected.Count > 0)
        {
            _rejected.Add(delivered.Rejected.Count);
            var bySeq = batch.ToDictionary(m => m.GatewaySeq);
            foreach (var rejected in delivered.Rejected)
            {
                _logger.LogWarning("Uplink: cloud rejected record {Seq} ({Kind} of {Node}): {Error}; moved to the dead-letter table", rejected.Seq,
                    bySeq.TryGetValue(rejected.Seq, out var m) ? UplinkRecord.Kind(m.Leaf) : "?", m?.NodeId ?? "?", rejected.Error);
                if (m is not null) DeadLetter(m, "rejected: " + rejected.Error);
            }
            // Report upward, except rejections of our own gateway records (reporting those could loop).
            var reportable = delivered.Rejected.Where(r => !bySeq.TryGetValue(r.Seq, out var m) || m.Leaf != GatewayRecords.GatewayLeaf).ToList();
            if (reportable.Count > 0)
            {
                await _records.AppendGatewayAsync(batch[0].Site, GatewayRecords.Json(w =>
                {
                    w.WriteString("event", "uplink.rejected");
                    w.WriteStartArray("records");
                    foreach (var r in reportable)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("seq", r.Seq);
                        if (bySeq.TryGetValue(r.Seq, out var m))
                        {
                            w.WriteString("kind", UplinkRecord.Kind(m.Leaf));
                            if (m.NodeId.Length > 0) w.WriteString("node", m.NodeId);
                        }
                        w.WriteString("error", r.Error);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                })).ConfigureAwait(false);
            }
        }
        await _outbox.MarkForwardedAsync(delivered.AckedThrough, cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _lastSuccessMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    void ReportUnexpectedDuplicates(IReadOnlyList<OutboxMessage> batch, int count)
    {
        Interlocked.Add(ref _unexpectedDuplicateCount, count);
        _unexpectedDuplicates.Add(count);
        Interlocked.Exchange(ref _lastUnexpectedMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        _logger.LogError("Uplink: the cloud reported {Count} record(s) of seq {First}..{Last} (epoch '{Epoch}') as already stored, but this gateway " +
            "never sent them: they are NOT stored. This outbox was restored from an older copy, or another gateway uses the id; " +
            "replace outbox.db by a new one (a new epoch) to resume", count, batch[0].GatewaySeq, batch[^1].GatewaySeq, _outbox.Epoch);
    }

    /// <summary>
    /// Sends through the configured sender and returns on the thread pool: the response's last read (HTTP or AMQP) may
    /// complete on a socket event thread, and the uplink goes on to SQLite (the outbox, dead letters) from here
    /// (Operations/SocketCompletions).
    /// </summary>
    async Task<SendOutcome> SendAsync(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken)
    {
        try
        {
            return await _sender.SendAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await SocketCompletions.LeaveEventThread();
        }
    }

    /// <summary>
    /// A single record keeps getting 500. If the record behind it is accepted and this one still gets 500 right after,
    /// the cloud works and this record is what breaks it: give it up (dead-letter table, report, metric) and return how
    /// far the outbox is now forwarded. If the record behind it fails too (the cloud is down for everyone) or there is
    /// none yet, return null: keep retrying.
    /// </summary>
    async Task<long?> ProbeBehindAsync(OutboxMessage suspect, string reason, CancellationToken cancellationToken)
    {
        var next = await _outbox.ReadAfterAsync(suspect.GatewaySeq, 1, _options.MaxBatchBytes, cancellationToken).ConfigureAwait(false);
        if (next.Count == 0) return null;
        if (await SendAsync(next, cancellationToken).ConfigureAwait(false) is not SendOutcome.Delivered delivered) return null;
        // The cloud took the next one; ask once more for the suspect, so a cloud that recovered just now is not
        // mistaken for a poison record. (The outbox watermark covers everything below it: the suspect is settled first.)
        var suspectBatch = new[] { suspect };
        switch (await SendAsync(suspectBatch, cancellationToken).ConfigureAwait(false))
        {
            case SendOutcome.Delivered settled:
                await OnDelivered(suspectBatch, settled, cancellationToken).ConfigureAwait(false);
                break;
            case SendOutcome.Retry { MayBeContent: true } again:
                await GiveUp(suspect, $"{again.Reason} (every attempt, while the record behind it was accepted)", cancellationToken).ConfigureAwait(false);
                break;
            default:
                return null; // something else went wrong: the next record is sent again later and counted as a duplicate
        }
        await OnDelivered(next, delivered, cancellationToken).ConfigureAwait(false);
        return Math.Max(suspect.GatewaySeq, delivered.AckedThrough);
    }

    /// <summary>Keeps a record the cloud will not take, before the outbox is marked forwarded past it.</summary>
    void DeadLetter(OutboxMessage message, string reason)
    {
        _deadLetters.Add(message, reason.Length > 1000 ? reason[..1000] : reason, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        _deadLettered.Add(1);
    }

    async Task GiveUp(OutboxMessage message, string reason, CancellationToken cancellationToken)
    {
        _givenUp.Add(1);
        DeadLetter(message, "given up: " + reason);
        _logger.LogError("Uplink: record {Seq} ({Kind} of {Node}, {Bytes} bytes) refused on its own ({Reason}); given up, moved to the dead-letter table", message.GatewaySeq,
            UplinkRecord.Kind(message.Leaf), message.NodeId, message.Payload.Length, reason);
        if (message.Leaf != GatewayRecords.GatewayLeaf)
        {
            await _records.AppendGatewayAsync(message.Site, GatewayRecords.Json(w =>
            {
                w.WriteString("event", "uplink.gaveUp");
                w.WriteNumber("seq", message.GatewaySeq);
                w.WriteString("kind", UplinkRecord.Kind(message.Leaf));
                if (message.NodeId.Length > 0) w.WriteString("node", message.NodeId);
                w.WriteNumber("bytes", message.Payload.Length);
                w.WriteString("error", reason.Length > 200 ? reason[..200] : reason);
            })).ConfigureAwait(false);
        }
        await _outbox.MarkForwardedAsync(message.GatewaySeq, cancellationToken).ConfigureAwait(false);
    }

    static string ReasonClass(string reason)
    {
        var head = reason.Split(':', 2)[0];
        return head.Length == 3 && char.IsDigit(head[0]) ? "http_" + head : head.ToLowerInvariant();
    }

    static bool IsPow2(int n) => (n & (n - 1)) == 0;
}
