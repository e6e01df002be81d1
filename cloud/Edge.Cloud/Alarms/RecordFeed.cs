using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Commands;
using Edge.Cloud.Domain;
using Edge.Cloud.Ingestion;
using Edge.Cloud.Storage;
using Edge.Cloud.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Alarms;

/// <summary><c>Alarms:</c> configuration.</summary>
public sealed class AlarmOptions
{
    public const string Section = "Alarms";

    /// <summary>How often the feed runs the sweeps (command expiry, offline nodes and gateways) and re-reads records
    /// (for records another process stored). Records stored by this process are applied at once.</summary>
    public double IntervalS { get; set; } = 2;

    /// <summary>Apply records as soon as this process stores them (default). false: only at the periodic pass, as the
    /// feed did before — fewer feed transactions under a heavy ingest, but a command completes up to
    /// <see cref="IntervalS"/> later (the command benchmark's baseline).</summary>
    public bool ApplyOnArrival { get; set; } = true;

    /// <summary>Most records of one stream (gateway, outbox epoch) the feed applies in one transaction. A pass takes
    /// everything stored since the last one, so when the feed is behind (a busy ingest, several gateways posting at once,
    /// a restart) it catches up in chunks this large and pays its fixed cost per chunk (transaction, cursors, the alarm
    /// lookup, node state's statement) once for many batches, not once per batch. Bounded
    /// (1..<see cref="MaxChunkRecords"/>) so that one transaction stays short: on SQLite it holds the single writer.</summary>
    public int ChunkRecords { get; set; } = 5000;

    /// <summary>Under a sustained ingest, the shortest time from the start of a pass that applied records to the start of
    /// the next that arriving records wake: records that arrive sooner wait for the rest of it, so the feed runs at most
    /// one such pass per window and each takes every batch stored meanwhile (up to <see cref="ChunkRecords"/> per stream)
    /// instead of one pass per batch. A record arriving after a quiet moment (no records applied for this long) is applied
    /// at once, as before. 0 (the default): a pass per wake-up; a pass still takes everything stored while the one before
    /// it ran. A window saves feed passes but makes each one longer, and on SQLite the feed holds the single writer for
    /// all of it: the next batch's store waits. Measured with 0 against 100 (docs/cloud.md, §Ingestion benchmark): more
    /// events/s end to end on SQLite, the same on PostgreSQL, and commands complete sooner.</summary>
    public int CoalesceMs { get; set; }

    /// <summary>Largest <see cref="ChunkRecords"/>: one transaction stays short (on SQLite it holds the single writer).</summary>
    public const int MaxChunkRecords = 20_000;

    /// <summary>A gateway with no batch and no downlink poll for this long is offline.</summary>
    public int GatewayOfflineMinutes { get; set; } = 10;

    /// <summary>An asleep node that has not reported this long after its <c>wakeTs</c> is offline.</summary>
    public int AsleepGraceS { get; set; } = 600;

    /// <summary>A node lost (last will) for less than this raises nothing: a reconnect within it is not an outage.</summary>
    public int OfflineGraceS { get; set; } = 120;

    /// <summary>This many lost nodes of one gateway, at least, are one grouped <c>gateway.offline</c> alarm…</summary>
    public int GroupMinNodes { get; set; } = 3;

    /// <summary>…when they are also at least this share of the nodes that report through that gateway.</summary>
    public double GroupFraction { get; set; } = 0.5;

    /// <summary>A gateway that said it was stopping raises no offline alarm for this long.</summary>
    public int PlannedStopHours { get; set; } = 24;

    /// <summary>How far a node's <c>node_state.last_seen</c> may lag its newest record: the feed rewrites a node's row
    /// for a newer record alone only once <c>last_seen</c> would move by at least this much (a state, a new gateway or a
    /// new type is written at once; <see cref="Storage.LastSeenCache"/>). With telemetry every 10 s that is one row
    /// write a minute per node instead of six. 0: every record that moves <c>last_seen</c> is written, as before. At most
    /// half of the shortest offline grace (<see cref="AlarmOptionsValidation"/>).</summary>
    public int LastSeenResolutionSeconds { get; set; } = 60;

    /// <summary>Most nodes the feed remembers for <see cref="LastSeenResolutionSeconds"/> (about 120 bytes each, measured: the node id and the entry; sites, gateways and types are shared);
    /// when full it forgets them all and starts again (<see cref="Storage.LastSeenCache"/>).</summary>
    public int LastSeenCacheNodes { get; set; } = 100_000;
}

/// <summary>
/// Derives command outcomes and alarms from ingested records. A background reader, not a hook inside
/// ingestion: it reads <c>records</c> per gateway and outbox epoch (<c>gateway_epochs</c>) in <c>seq</c> order
/// after its checkpoint (<c>record_feed</c>), applies each record (acks → <see cref="CommandService.ApplyAckAsync"/>, events and
/// states → <see cref="AlarmRules"/>) and moves the checkpoint in the same transaction, so every record is
/// applied exactly once, whichever path (HTTPS, Event Hubs) stored it, and ingestion never waits for it. From the
/// same read, in the same transaction, it brings <c>node_state</c> up to date (<see cref="NodeStateFeed.ApplyAsync"/>,
/// its own cursor, moved with the checkpoint), so the sweeps see the nodes' latest state; a node's <c>last_seen</c>
/// alone is rewritten at most once per <see cref="AlarmOptions.LastSeenResolutionSeconds"/> (<see cref="LastSeenCache"/>).
/// Gateways send in seq order (uplink.md §2 rule 1), so a checkpoint never skips a record stored later.
/// It is driven by events: ingestion in this process signals <see cref="RecordArrivals"/> after each commit and the
/// feed applies the new records at once (an ack completes its command within the same moment, not at a polling pass),
/// reading only the streams that got records (a batch from one gateway does not read the other gateways'). Records
/// stored while a pass runs are applied by the next, in chunks of up to <see cref="AlarmOptions.ChunkRecords"/>; with
/// <see cref="AlarmOptions.CoalesceMs"/> set (0 by default) it also coalesces (<see cref="FeedPacing"/>): records
/// arriving within that window of the start of the last pass that applied records wait for the rest of it.
/// Every <see cref="AlarmOptions.IntervalS"/> it also re-reads records (another process may have stored some) and
/// sweeps: commands past expiry, then <see cref="OfflineSweep"/> (lost nodes after a grace period, grouped per
/// gateway; asleep nodes past their wake time; silent gateways; planned stops).
/// </summary>
public sealed class RecordFeed : BackgroundService
{
    private readonly IStorageConnections _connections;
    private readonly CommandService _commands;
    private readonly TimeProvider _time;
    private readonly AlarmOptions _options;
    private readonly OfflineSweep _offline;
    private readonly LastSeenCache _lastSeen;
    private readonly ILogger<RecordFeed> _logger;
    private readonly RecordArrivals _arrivals;
    private readonly CloudMetrics _metrics;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly int _chunkRecords;
    private static readonly Task Never = new TaskCompletionSource().Task;

    public RecordFeed(IStorageConnections connections, CommandService commands, TimeProvider time, IOptions<AlarmOptions> options, RecordArrivals arrivals,
        CloudMetrics metrics, ILogger<RecordFeed> logger)
    {
        _metrics = metrics;
        _connections = connections;
        _arrivals = arrivals;
        _commands = commands;
        _time = time;
        _options = options.Value;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ChunkRecords, 1, "Alarms:ChunkRecords");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.ChunkRecords, AlarmOptions.MaxChunkRecords, "Alarms:ChunkRecords");
        _chunkRecords = _options.ChunkRecords;
        _offline = new OfflineSweep(_options);
        _lastSeen = new LastSeenCache(_options.LastSeenResolutionSeconds, _options.LastSeenCacheNodes);
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(0.1, _options.IntervalS));
        var sweepDue = 0L; // Environment.TickCount64 of the next sweep
        var pacing = new FeedPacing(_time, () => _options.CoalesceMs);
        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before reading: records stored during the pass wake the wait below. Read each time, so the
            // benchmark can switch it on a running cloud.
            var arrived = _options.ApplyOnArrival ? _arrivals.Next : Never;
            var passStarted = pacing.PassStarting();
            var chunksBefore = ChunksApplied;
            try
            {
                try
                {
                    var sweep = Environment.TickCount64 >= sweepDue;
                    await RunAsync(sweep, stoppingToken);
                    pacing.PassDone(passStarted, applied: ChunksApplied != chunksBefore);
                    if (sweep) sweepDue = Environment.TickCount64 + (long)interval.TotalMilliseconds;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // A failing database: wait the whole interval, not woken by arrivals, so a busy ingest does not spin it.
                    _logger.LogError(e, "Record feed run failed; retrying");
                    await Task.Delay(interval, stoppingToken);
                    continue;
                }
                await arrived.WaitAsync(TimeSpan.FromMilliseconds(Math.Max(0, sweepDue - Environment.TickCount64)), stoppingToken);
                // Woken by records: within the coalescing window, let more batches arrive first (a sweep falling due
                // meanwhile still runs on time).
                await pacing.WaitAsync(TimeSpan.FromMilliseconds(Math.Max(0, sweepDue - Environment.TickCount64)), stoppingToken);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass: every gateway's new records, then the sweeps. Safe to call concurrently (tests do).</summary>
    public Task RunOnceAsync(CancellationToken ct = default) => RunAsync(sweep: true, ct);

    /// <summary>The pass an arrival wakes: only the streams (gateway, epoch) that <see cref="RecordArrivals"/> was
    /// notified of since the last pass, no sweep.</summary>
    public Task RunArrivedAsync(CancellationToken ct = default) => RunAsync(sweep: false, ct);

    /// <summary>Record streams read so far (one per gateway and epoch per pass): what a wake-up costs.</summary>
    public long StreamsRead => Interlocked.Read(ref _streamsRead);

    private long _streamsRead;

    /// <summary>Chunks applied so far (one transaction each): what catching up costs.</summary>
    public long ChunksApplied => Interlocked.Read(ref _chunksApplied);

    private long _chunksApplied;

    /// <summary>Chunks applied from the records ingestion held (<see cref="RecordArrivals.Notify(System.Collections.Generic.IReadOnlyList{IngestRecord}, StoreResult)"/>), not read back.</summary>
    public long ChunksHeld => Interlocked.Read(ref _chunksHeld);

    private long _chunksHeld;

    /// <summary><c>node_state</c> rows written so far (committed): what keeping node state costs the database.</summary>
    public long NodeStatesWritten => Interlocked.Read(ref _nodeStatesWritten);

    private long _nodeStatesWritten;

    private async Task RunAsync(bool sweep, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            // Drained before reading: a stream notified after this is woken for again (RecordArrivals.TakePending).
            var streams = _arrivals.TakePending();
            if (sweep)
            {
                // The periodic pass reads every stream: another process may have stored records this one was not told of.
                await using var read = await Tx.ReadAsync(_connections, ct);
                // Each outbox epoch is its own seq stream; a gateway's older epochs first.
                streams = await read.QueryAsync("SELECT gateway, epoch FROM gateway_epochs ORDER BY gateway, first_seen_at, epoch",
                    r => (r.GetString(0), r.GetString(1)));
            }
            foreach (var (gateway, epoch) in streams)
            {
                Interlocked.Increment(ref _streamsRead);
                await ApplyStreamAsync(gateway, epoch, _arrivals.TakeHeld(gateway, epoch), ct);
            }
            if (!sweep) return;
            await _commands.ExpireAsync(ct);
            List<string> gateways;
            await using (var read = await Tx.ReadAsync(_connections, ct))
            {
                gateways = await read.QueryAsync("SELECT id FROM gateways ORDER BY id", r => r.GetString(0));
            }
            await SweepOfflineAsync(gateways, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// One stream's new records: first those ingestion held for the feed (<see cref="RecordArrivals.TakeHeld"/>), in
    /// chunks, as long as each chunk runs on from the cursors without a gap; then, unless the held records were all this
    /// process stored in the stream and all matched, the stream read from the database after its cursors.
    /// </summary>
    private async Task ApplyStreamAsync(string gateway, string epoch, HeldRecords held, CancellationToken ct)
    {
        var allHeldApplied = true;
        foreach (var chunk in held.Records.Chunk(_chunkRecords))
        {
            if (await ApplyChunkAsync(gateway, epoch, chunk, ct) is not null) continue;
            allHeldApplied = false;
            break;
        }
        if (allHeldApplied && held.Complete) return;
        while (await ApplyChunkAsync(gateway, epoch, null, ct) == _chunkRecords)
        {
        }
    }

    /// <summary>The first key of the feed's per-stream advisory locks (the migration's lock is a single 64-bit key, a
    /// space of its own); the second is a hash of the stream, so two streams rarely share a lock and, when they do,
    /// only take turns.</summary>
    private const int StreamLockClass = 130;

    /// <summary>
    /// Applies one chunk of a stream in one transaction and returns how many records it took: the records stored after
    /// the stream's cursors, read from the database (<paramref name="held"/> null), or the records ingestion held
    /// (<paramref name="held"/>, in seq order). Held records are used only if those after the cursors run on from them
    /// without a gap (seq cursor + 1, + 2, …): a stream's keys are unique, so nothing else can be stored in that range —
    /// not by another process, not by a batch that was not held. Otherwise nothing is applied and the result is null
    /// (the caller reads the stream instead): a gap, where validation refused a record, costs that read.
    /// </summary>
    private async Task<int?> ApplyChunkAsync(string gateway, string epoch, IReadOnlyList<FeedRecord>? held, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        await using var tx = await Tx.BeginAsync(_connections, ct);
        // Several cloud processes may run the feed on one database (each one's periodic pass reads every stream): one
        // applies a stream at a time, so the cursors read next are the ones the other committed and each record is
        // applied once. PostgreSQL: a lock per stream until this transaction ends, taken before the cursors are read (in
        // a statement of its own: a statement reads the snapshot it started with). SQLite's BEGIN IMMEDIATE already lets
        // one writer in at a time.
        if (tx.Kind == StorageKind.Postgres)
            await tx.ExecAsync("SELECT pg_advisory_xact_lock(@lock, hashtext(@g || '/' || @e))", ("@lock", StreamLockClass), ("@g", gateway), ("@e", epoch));
        // The stream's two cursors, node state's and the alarm rules': one read of the records after the lower one
        // serves both, and both move in this transaction, so a crash leaves neither ahead of the other. (They differ
        // only where the feed of an earlier version, which read and committed node state first, left them apart.)
        var cursors = await tx.QueryAsync(
            "SELECT (SELECT seq FROM record_feed WHERE gateway = @g AND epoch = @e), (SELECT seq FROM node_state_feed WHERE gateway = @g AND epoch = @e)",
            r => (Alarms: r.Long(0) ?? -1, NodeState: r.Long(1) ?? -1), ("@g", gateway), ("@e", epoch));
        var (checkpoint, nodeStateCursor) = cursors[0];
        var from = Math.Min(checkpoint, nodeStateCursor);
        List<FeedRecord> records;
        if (held is null)
        {
            // Acks, events and states derive alarms and commands (and a state node state): their payload is read; of
            // telemetry (most records) only its type, for node state.
            records = await tx.QueryAsync(
                "SELECT seq, site, node, kind, received_at, CASE WHEN kind IN ('ack', 'event', 'state') THEN payload END, " +
                $"CASE WHEN kind = 'telemetry' THEN {NodeStateFeed.TelemetryTypeSql(tx.Kind)} END FROM records " +
                "WHERE gateway = @g AND epoch = @e AND seq > @cp ORDER BY seq LIMIT " + _chunkRecords,
                r => new FeedRecord(r.GetInt64(0), r.GetString(1), r.Str(2), r.GetString(3), r.GetInt64(4), r.Str(5), r.Str(6)),
                ("@g", gateway), ("@e", epoch), ("@cp", from));
        }
        else
        {
            records = new List<FeedRecord>(held.Count);
            foreach (var r in held)
            {
                if (r.Seq <= from) continue; // applied already (read back by an earlier pass)
                if (r.Seq != from + 1 + records.Count) return null;
                records.Add(r);
            }
        }
        if (records.Count == 0) return 0;
        if (held is not null) Interlocked.Increment(ref _chunksHeld);
        _metrics.Stage("feed.read", started);
        var step = Stopwatch.GetTimestamp();
        var last = records[^1].Seq;
        var nodeStates = new List<IngestRecord>(records.Count);
        foreach (var r in records)
        {
            if (r.Seq > nodeStateCursor && r.Node is not null)
                nodeStates.Add(NodeStateFeed.Update(gateway, epoch, r.Seq, r.Node, r.Site, r.Kind, r.ReceivedAt, r.Kind == "state" ? r.Payload : null, r.TelemetryType));
        }
        var written = await NodeStateFeed.ApplyAsync(tx.Connection, tx.Transaction!, gateway, epoch, nodeStates, last, ct, _lastSeen);
        _metrics.Stage("feed.nodestate", step);
        step = Stopwatch.GetTimestamp();
        var appliedMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        List<(string Status, long? IssuedMs)>? completed = null;
        var alarms = new AlarmChanges();
        foreach (var record in records)
        {
            if (record.Seq <= checkpoint || record.Node is null || record.Payload is null) continue;
            using var payload = JsonDocument.Parse(record.Payload);
            if (record.Kind == "ack")
            {
                if (await CommandService.ApplyAckAsync(tx, record.Node, payload.RootElement, record.ReceivedAt, appliedMs) is { } outcome) (completed ??= new()).Add(outcome);
            }
            else alarms.Add(AlarmRules.Decide(gateway, record.Site, record.Node, record.Kind, payload.RootElement, record.ReceivedAt));
        }
        // Acks touch commands only, alarms only alarms: writing the batch's alarm changes after its acks changes no outcome.
        await alarms.WriteAsync(tx);
        // Never backwards: the read may have started at node state's lower cursor and ended before this one.
        await tx.ExecAsync("INSERT INTO record_feed (gateway, epoch, seq) VALUES (@g, @e, @s) ON CONFLICT (gateway, epoch) DO UPDATE " +
            "SET seq = CASE WHEN excluded.seq > record_feed.seq THEN excluded.seq ELSE record_feed.seq END",
            ("@g", gateway), ("@e", epoch), ("@s", last));
        _metrics.Stage("feed.rules", step);
        step = Stopwatch.GetTimestamp();
        await tx.CommitAsync();
        _metrics.Stage("feed.commit", step);
        // Only now: a pass that failed before its commit wrote nothing, and the cache must not say it did.
        _lastSeen.Remember(written);
        Interlocked.Add(ref _nodeStatesWritten, written.Count);
        _metrics.NodeStateRows.Add(written.Count);
        Interlocked.Increment(ref _chunksApplied);
        _metrics.FeedApplyDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        Measure(records[^1].ReceivedAt, appliedMs, completed);
        return records.Count;
    }

    /// <summary>After the commit: the batch's lag (receivedAt is in seconds) and the commands its acks completed.</summary>
    private void Measure(long lastReceivedAt, long appliedMs, List<(string Status, long? IssuedMs)>? completed)
    {
        _metrics.FeedLag.Record(Math.Max(0, appliedMs / 1000.0 - lastReceivedAt));
        if (completed is null) return;
        foreach (var (status, issuedMs) in completed)
        {
            _metrics.CommandsCompleted.Add(1, CloudMetrics.Tag("status", status));
            if (issuedMs is { } issued) _metrics.CommandLatency.Record(Math.Max(0, appliedMs - issued) / 1000.0, CloudMetrics.Tag("status", status));
        }
    }

    private async Task SweepOfflineAsync(IReadOnlyList<string> gateways, CancellationToken ct)
    {
        await using var tx = await Tx.BeginAsync(_connections, ct);
        await _offline.RunAsync(tx, gateways, _time.GetUtcNow().ToUnixTimeSeconds());
        await tx.CommitAsync();
    }
}
