using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Gateways;

/// <summary>
/// What each batch says about its gateway — its clock error (<see cref="GatewayClock"/>) and its uplink report
/// (<see cref="GatewayUplinkReports"/>: version, outbox backlog) — written at once when something an operator acts on
/// changes: the first report this process sees of the gateway, a new version, the backlog reaching or leaving zero, the
/// clock's alarm band changing or out of bounds. Otherwise at most once per <see cref="GatewayOptions.ReportIntervalMs"/>
/// per gateway: a batch within the interval of the last write only keeps its report in memory, and the next batch after
/// the interval (or <see cref="GatewayBookkeepingFlusher"/>, when none comes) writes the latest. A gateway posting batches
/// back to back thus costs one small write transaction a second instead of one per batch (on SQLite, one less wait for
/// the single writer per batch); what the gateways page shows is at most about a second old. Several cloud processes
/// may take one gateway's batches: each keeps its own view, and a write never replaces a newer stored one.
/// </summary>
public sealed class GatewayBookkeeping
{
    private readonly IStorageConnections _connections;
    private readonly GatewayClock _clock;
    private readonly GatewayUplinkReports _reports;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger<GatewayBookkeeping> _logger;
    private readonly Dictionary<string, Entry> _gateways = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    /// <summary>Writes one at a time, so a flush and a batch's own write of one gateway keep their order.</summary>
    private readonly SemaphoreSlim _writing = new(1, 1);

    public GatewayBookkeeping(IStorageConnections connections, GatewayClock clock, GatewayUplinkReports reports, TimeProvider time,
        IOptions<GatewayOptions> options, ILogger<GatewayBookkeeping> logger)
    {
        _connections = connections;
        _clock = clock;
        _reports = reports;
        _time = time;
        _interval = TimeSpan.FromMilliseconds(Math.Max(0, options.Value.ReportIntervalMs));
        _logger = logger;
    }

    /// <summary>How often <see cref="GatewayBookkeepingFlusher"/> looks for reports kept back longer than the interval.</summary>
    public TimeSpan FlushTick => _interval <= TimeSpan.Zero ? TimeSpan.FromSeconds(1) : _interval / 4;

    /// <summary>Notes what a batch (sent at <paramref name="sentAt"/>, with <paramref name="headers"/>) says about
    /// <paramref name="gateway"/>, writing it now when it must be (see the class); a failed write fails the batch.</summary>
    public async Task RecordAsync(string gateway, long? sentAt, IHeaderDictionary headers, CancellationToken cancellationToken)
    {
        var (version, depth) = _reports.Read(gateway, headers);
        var clock = sentAt is { } sent ? _clock.Measure(sent) : null;
        if (version is null && depth is null && clock is null) return;
        var now = _time.GetUtcNow();
        var note = new Note(version, depth, clock, now.ToUnixTimeSeconds());
        lock (_lock)
        {
            if (!_gateways.TryGetValue(gateway, out var entry)) _gateways[gateway] = entry = new Entry();
            if (!MustWrite(entry, note, now))
            {
                entry.Pending = Note.Merge(entry.Pending, note);
                return;
            }
            // Written now: a kept-back report is older than this one and goes with it (its values fill what this one lacks).
            note = Note.Merge(entry.Pending, note);
            entry.Pending = null;
            entry.Written = Note.Merge(entry.Written, note);
            entry.WrittenAt = now;
        }
        try
        {
            await WriteAsync([(gateway, note)], cancellationToken);
        }
        catch
        {
            KeepBack([(gateway, note)]);
            throw;
        }
    }

    /// <summary>Writes the reports kept back longer than the interval (all of them when <paramref name="all"/>, as at
    /// shutdown) in one transaction.</summary>
    public async Task FlushAsync(bool all = false, CancellationToken cancellationToken = default)
    {
        var due = new List<(string Gateway, Note Note)>();
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            foreach (var (gateway, entry) in _gateways)
            {
                if (entry.Pending is null || (!all && now - entry.WrittenAt < _interval)) continue;
                due.Add((gateway, entry.Pending));
                entry.Written = Note.Merge(entry.Written, entry.Pending);
                entry.WrittenAt = now;
                entry.Pending = null;
            }
        }
        if (due.Count == 0) return;
        try
        {
            await WriteAsync(due, cancellationToken);
        }
        catch
        {
            KeepBack(due);
            throw;
        }
    }

    /// <summary>After a failed write: what is stored is unknown, so the reports are kept back again, due at once (the next
    /// batch or flush writes them, with anything newer over them).</summary>
    private void KeepBack(IReadOnlyList<(string Gateway, Note Note)> failed)
    {
        lock (_lock)
        {
            foreach (var (gateway, note) in failed)
            {
                if (!_gateways.TryGetValue(gateway, out var entry)) _gateways[gateway] = entry = new Entry();
                entry.Pending = entry.Pending is null ? note : Note.Merge(note, entry.Pending);
                entry.Written = null;
                entry.WrittenAt = default;
            }
        }
    }

    private bool MustWrite(Entry entry, Note note, DateTimeOffset now)
    {
        if (entry.Written is not { } written || now - entry.WrittenAt >= _interval) return true;
        if (note.Version is not null && note.Version != written.Version) return true;
        if (note.Depth is { } depth && (written.Depth is not { } before || (depth == 0) != (before == 0))) return true;
        if (note.Clock is { } clock && (clock.Band != ClockBand.InBounds || written.Clock?.Band != clock.Band)) return true;
        return false;
    }

    private async Task WriteAsync(IReadOnlyList<(string Gateway, Note Note)> notes, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            await using var tx = await Tx.BeginAsync(_connections, cancellationToken);
            foreach (var (gateway, note) in notes)
            {
                await GatewayUplinkReports.WriteAsync(tx, gateway, note.Version, note.Depth, note.At);
                if (note.Clock is { } clock) await _clock.WriteAsync(tx, gateway, clock);
            }
            await tx.CommitAsync();
        }
        finally
        {
            _writing.Release();
        }
        _logger.LogDebug("Wrote the bookkeeping of {Count} gateway(s)", notes.Count);
    }

    /// <summary>One report: a null member was not sent (the stored value stays).</summary>
    private sealed record Note(string? Version, long? Depth, ClockReading? Clock, long At)
    {
        /// <summary><paramref name="later"/> over <paramref name="earlier"/>, member by member.</summary>
        public static Note Merge(Note? earlier, Note later) => earlier is null ? later
            : new Note(later.Version ?? earlier.Version, later.Depth ?? earlier.Depth, later.Clock ?? earlier.Clock, later.At);
    }

    private sealed class Entry
    {
        public Note? Written;
        public DateTimeOffset WrittenAt;
        public Note? Pending;
    }
}

/// <summary>Writes the gateway reports <see cref="GatewayBookkeeping"/> kept back once their interval has passed (a
/// gateway that stopped sending still gets its last report stored), and all of them when the cloud stops.</summary>
public sealed class GatewayBookkeepingFlusher(GatewayBookkeeping bookkeeping, TimeProvider time, ILogger<GatewayBookkeepingFlusher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(bookkeeping.FlushTick, time, stoppingToken);
                await bookkeeping.FlushAsync(cancellationToken: stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Writing the gateways' kept-back reports failed; the next pass tries again");
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await bookkeeping.FlushAsync(all: true, cancellationToken);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Writing the gateways' last reports at shutdown failed");
        }
    }
}
