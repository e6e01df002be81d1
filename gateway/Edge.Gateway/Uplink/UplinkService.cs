using System;
using System.Collections.Generic;
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
/// Retryable failures keep the same records and back off (full jitter, Retry-After honoured). A whole-batch refusal
/// halves the batch; a single refused record is given up, logged, counted and reported as a <c>gateway</c> record.
/// Records the cloud rejected individually are not retried; they are reported the same way.
/// A backlog drains in full batches, oldest first; new records append behind it, so live traffic is never reordered.
/// </summary>
public sealed class UplinkService : BackgroundService, IHealthComponent
{
    readonly IOutboxReader _outbox;
    readonly IRecordSender _sender;
    readonly GatewayRecords _records;
    readonly UplinkOptions _options;
    readonly ILogger _logger;
    readonly Backoff _backoff;
    readonly TimeProvider _time; // waits between retries run on it, so a test can drive each retry
    readonly MetricsRegistry.Counter _sent;
    readonly MetricsRegistry.Counter _rejected;
    readonly MetricsRegistry.Counter _retries;
    readonly MetricsRegistry.Counter _givenUp;
    long _lastSuccessMs;
    volatile string? _lastError;
    volatile bool _up;

    public UplinkService(IOutboxReader outbox, IRecordSender sender, GatewayRecords records, UplinkOptions options, MetricsRegistry metrics, ILogger<UplinkService> logger, TimeProvider time)
    {
        _time = time;
        _outbox = outbox;
        _sender = sender;
        _records = records;
        _options = options;
        _logger = logger;
        _backoff = new Backoff(TimeSpan.FromMilliseconds(options.BackoffBaseMilliseconds), TimeSpan.FromMilliseconds(options.BackoffCapMilliseconds));
        _sent = metrics.CreateCounter("edge_gateway_uplink_records_sent_total", "Records the cloud acknowledged (accepted or duplicate).");
        _rejected = metrics.CreateCounter("edge_gateway_uplink_records_rejected_total", "Records the cloud rejected for good (not retried).");
        _retries = metrics.CreateCounter("edge_gateway_uplink_retries_total", "Batch attempts that will be retried, by reason.", "reason");
        _givenUp = metrics.CreateCounter("edge_gateway_uplink_records_given_up_total", "Single records refused as a whole batch (400/413, too large for Event Hubs).");
        metrics.RegisterGauge("edge_gateway_uplink_lag_seconds", "Age of the oldest record not yet acknowledged by the cloud (0 when caught up).", LagSeconds);
        metrics.RegisterGauge("edge_gateway_uplink_backlog_records", "Records waiting to be acknowledged by the cloud.", () => _outbox.GetStats().Depth);
        metrics.RegisterGauge("edge_gateway_uplink_up", "1 when the last attempt to reach the cloud succeeded.", () => _up ? 1 : 0);
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
        };
        return new ComponentHealth(_up ? "ok" : "degraded", _up ? null : _lastError ?? "not connected yet", data);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _logger.LogInformation("Uplink {Kind} started at gateway seq {After}", _sender.Name, _outbox.ForwardedUpTo);
        var after = _outbox.ForwardedUpTo;
        var limit = Math.Max(1, _options.MaxBatchRecords);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _outbox.WaitForMessagesAfterAsync(after, stoppingToken).ConfigureAwait(false);
                var batch = await _outbox.ReadAfterAsync(after, limit, _options.MaxBatchBytes, stoppingToken).ConfigureAwait(false);
                if (batch.Count == 0)
                {
                    // Everything after the watermark was dropped by the quota policy meanwhile; wait for the next one.
                    after = Math.Max(after, _outbox.GetStats().LastGatewaySeq);
                    continue;
                }
                var outcome = await _sender.SendAsync(batch, stoppingToken).ConfigureAwait(false);
                switch (outcome)
                {
                    case SendOutcome.Delivered delivered:
                        await OnDelivered(batch, delivered, stoppingToken).ConfigureAwait(false);
                        after = Math.Max(after, delivered.AckedThrough);
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
                        _up = false;
                        _lastError = retry.Reason;
                        _retries.Inc(ReasonClass(retry.Reason));
                        var delay = _backoff.NextDelay(retry.RetryAfter);
                        if (_backoff.Failures <= 3 || IsPow2(_backoff.Failures))
                        {
                            _logger.LogWarning("Uplink: {Count} records not delivered ({Reason}); retry #{Attempt} in {Delay:0.0} s",
                                batch.Count, retry.Reason, _backoff.Failures, delay.TotalSeconds);
                        }
                        await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
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
                _logger.LogWarning("Uplink: cloud rejected record {Seq} ({Kind} of {Node}): {Error}", rejected.Seq,
                    bySeq.TryGetValue(rejected.Seq, out var m) ? UplinkRecord.Kind(m.Leaf) : "?", m?.NodeId ?? "?", rejected.Error);
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

    async Task GiveUp(OutboxMessage message, string reason, CancellationToken cancellationToken)
    {
        _givenUp.Inc();
        _logger.LogError("Uplink: record {Seq} ({Kind} of {Node}, {Bytes} bytes) refused on its own ({Reason}); given up", message.GatewaySeq,
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
