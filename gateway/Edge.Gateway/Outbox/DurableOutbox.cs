using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Numerics;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Edge.Gateway.Operations;
using Edge.Gateway.Registry;
using Edge.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Outbox;

/// <summary>
/// The durable outbox (outbox.db, SQLite in WAL mode). Every node telemetry/event/cmd-ack goes through
/// <see cref="AppendAsync"/>, whose task completes only after the transaction holding the message is committed;
/// the broker awaits it inside InterceptingPublishAsync, so the node's PUBACK follows the commit (protocol.md §16.2).
///
/// Group commit: one writer loop owns the write connection. It takes every append waiting in its queue (up to
/// MaxBatch), writes them in ONE transaction, commits (one fsync), then completes all their tasks. While it commits,
/// new appends queue up and form the next batch, so the commit rate adapts to the load without a fixed delay.
///
/// Durability: journal_mode=WAL with synchronous=FULL syncs the WAL on every commit, so a committed batch survives
/// kill -9 and power loss; with NORMAL it survives kill -9 (the WAL is in the OS page cache) but the last commits can
/// roll back on power loss — so FULL is the default. A transaction that is not committed leaves no trace
/// (SQLite's atomic commit), and no PUBACK was sent for its messages, so the node re-sends them.
///
/// Dedupe: <see cref="SeenRanges"/> remembers (nodeId, boot, seq) as ranges of seqs, in memory and in table
/// <c>seen_ranges</c> written in the same transaction as the message, for DedupeWindowHours after a range's newest
/// message, so a re-send after a lost PUBACK is recognised even after the original was forwarded and deleted, and
/// even after a crash between commit and PUBACK.
///
/// Quota: the sum of (payload + per-row overhead) of queued messages stays under QuotaBytes. To make room the policy
/// drops the oldest routine message (telemetry); only when no routine message is queued does it drop the oldest
/// kept one (event, cmd/ack) — and an incoming routine message that finds no older routine one is itself dropped
/// rather than displacing an event. Drops are counted (persisted in <c>meta</c>, exported as metrics) and leave gaps
/// in the gateway sequence numbers.
/// </summary>
public sealed class DurableOutbox : IOutboxReader, IAsyncDisposable
{
    /// <summary>Estimated bytes per row besides the payload (ids, numbers, index entries).</summary>
    public const int RowOverheadBytes = 96;

    readonly string _path;
    readonly OutboxOptions _options;
    readonly GatewayMetrics _metrics;
    readonly ILogger _logger;
    readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    readonly SqliteConnection _writer;
    readonly SqliteConnection _reader;
    readonly object _readerLock = new();
    readonly Task _loop;
    /// <summary>The statement every message runs, prepared once on the writer connection and kept (rather than
    /// created, parsed and prepared again for every commit), its values bound straight into SQLite: through the driver's
    /// parameters and a data reader per message it cost about 10 µs of CPU a message, a fifth of the gateway's
    /// (docs/gateway.md §Benchmark). It runs in whatever transaction the writer connection has open.</summary>
    readonly SqliteRowStatement _insert;
    readonly SeenRanges _seen;
    readonly object _statsLock = new();
    TaskCompletionSource _appended = NewSignal();

    long _depth;
    long _bytes;
    long? _oldestMs;
    long _lastSeq;
    long _forwardedUpTo;
    long _droppedRoutine;
    long _droppedKept;
    bool _droppingSinceBelowThreshold;
    DateTimeOffset _lastPrune = DateTimeOffset.MinValue;
    volatile bool _lastCommitSucceeded = true;

    public DurableOutbox(string path, OutboxOptions options, GatewayMetrics metrics, ILogger<DurableOutbox> logger)
    {
        _path = path;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _writer = SqliteDatabase.Open(path, options.Synchronous);
        SqliteDatabase.Execute(_writer, """
            CREATE TABLE IF NOT EXISTS outbox (
              gw_seq INTEGER PRIMARY KEY AUTOINCREMENT,
              site TEXT NOT NULL,
              node_id TEXT NOT NULL,
              leaf TEXT NOT NULL,
              boot INTEGER NOT NULL,
              seq INTEGER NOT NULL,
              class INTEGER NOT NULL,
              received_ms INTEGER NOT NULL,
              size INTEGER NOT NULL,
              payload BLOB NOT NULL
            );
            CREATE INDEX IF NOT EXISTS outbox_class ON outbox (class, gw_seq);
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            INSERT OR IGNORE INTO meta VALUES ('forwarded_up_to', 0), ('dropped_routine', 0), ('dropped_kept', 0);
            """);
        AddTraceColumn(_writer);
        Epoch = OutboxEpoch.LoadOrCreate(_writer);
        _reader = SqliteDatabase.Open(path, options.Synchronous);
        _insert = new SqliteRowStatement(_writer, """
            INSERT INTO outbox (site, node_id, leaf, boot, seq, class, received_ms, size, payload, trace)
            VALUES ($site, $node, $leaf, $boot, $seq, $class, $ms, $size, $payload, $trace)
            """);
        _seen = new SeenRanges(_writer);
        LoadStats();
        RegisterMetrics();
        _loop = Task.Run(WriterLoopAsync);
    }

    public long ForwardedUpTo => Interlocked.Read(ref _forwardedUpTo);

    /// <summary>
    /// Migration: the <c>trace</c> column (W3C traceparent of the span that accepted the message, NULL when tracing was
    /// off or the row is older) is added to an outbox created before it, in place; its rows keep NULL.
    /// </summary>
    static void AddTraceColumn(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM pragma_table_info('outbox') WHERE name = 'trace'";
        if ((long)command.ExecuteScalar()! == 0)
        {
            SqliteDatabase.Execute(connection, "ALTER TABLE outbox ADD COLUMN trace TEXT NULL");
        }
    }

    /// <summary>This outbox's identity (<see cref="OutboxEpoch"/>): sent with every batch.</summary>
    public string Epoch { get; }

    /// <summary>True while the last write transaction succeeded (readiness: "db writable").</summary>
    public bool IsWritable => _lastCommitSucceeded;

    /// <summary>Stores a message; completes after its transaction is committed (or it is recognised as a duplicate).</summary>
    public Task<AppendResult> AppendAsync(OutboxAppend message)
    {
        var item = new WorkItem(message, 0);
        if (!_queue.Writer.TryWrite(item))
        {
            throw new ObjectDisposedException(nameof(DurableOutbox));
        }
        return item.Completion.Task;
    }

    public Task MarkForwardedAsync(long upToGatewaySeq, CancellationToken cancellationToken)
    {
        var item = new WorkItem(null, upToGatewaySeq);
        if (!_queue.Writer.TryWrite(item))
        {
            throw new ObjectDisposedException(nameof(DurableOutbox));
        }
        return item.Completion.Task.WaitAsync(cancellationToken);
    }

    public Task<IReadOnlyList<OutboxMessage>> ReadAfterAsync(long afterGatewaySeq, int maxMessages, int maxBytes, CancellationToken cancellationToken)
        => Task.Run<IReadOnlyList<OutboxMessage>>(() =>
        {
            var result = new List<OutboxMessage>();
            lock (_readerLock)
            {
                using var command = _reader.CreateCommand();
                command.CommandText = "SELECT gw_seq, site, node_id, leaf, boot, seq, class, received_ms, payload, trace FROM outbox WHERE gw_seq > $after ORDER BY gw_seq LIMIT $max";
                command.Parameters.AddWithValue("$after", afterGatewaySeq);
                command.Parameters.AddWithValue("$max", Math.Max(1, maxMessages));
                using var reader = command.ExecuteReader();
                long bytes = 0;
                while (reader.Read())
                {
                    var payload = (byte[])reader.GetValue(8);
                    if (result.Count > 0 && bytes + payload.Length > maxBytes) break;
                    bytes += payload.Length;
                    result.Add(new OutboxMessage(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                        reader.GetInt64(4), reader.GetInt64(5), (MessageClass)reader.GetInt32(6), reader.GetInt64(7), payload,
                        reader.IsDBNull(9) ? null : reader.GetString(9)));
                }
            }
            return result;
        }, cancellationToken);

    public async Task WaitForMessagesAfterAsync(long afterGatewaySeq, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task signal;
            lock (_statsLock)
            {
                if (_lastSeq > afterGatewaySeq && _depth > 0) return;
                signal = _appended.Task;
            }
            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public OutboxStats GetStats()
    {
        lock (_statsLock)
        {
            var state = _bytes >= _options.QuotaBytes * 9 / 10
                ? (_droppingSinceBelowThreshold ? QuotaState.Dropping : QuotaState.NearlyFull)
                : QuotaState.Ok;
            return new OutboxStats(_depth, _bytes, _options.QuotaBytes, _oldestMs, _lastSeq, _forwardedUpTo, _droppedRoutine, _droppedKept, state);
        }
    }

    async Task WriterLoopAsync()
    {
        var batch = new List<WorkItem>(_options.MaxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _options.MaxBatch && reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            if (_options.CommitLingerMicroseconds > 0 && batch.Count < _options.MaxBatch)
            {
                await Task.Delay(TimeSpan.FromMicroseconds(_options.CommitLingerMicroseconds)).ConfigureAwait(false);
                while (batch.Count < _options.MaxBatch && reader.TryRead(out var item))
                {
                    batch.Add(item);
                }
            }
            if (batch.Count == 0) continue;
            CommitBatch(batch);
        }
    }

    void CommitBatch(List<WorkItem> batch)
    {
        var results = new AppendResult[batch.Count];
        var delta = new StatsDelta();
        var messages = 0;
        var started = Stopwatch.GetTimestamp();
        try
        {
            using (var transaction = _writer.BeginTransaction())
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    var item = batch[i];
                    if (item.Append is not { } m)
                    {
                        MarkForwarded(transaction, item.ForwardUpTo, delta);
                        continue;
                    }
                    messages++;
                    // A negative boot is the gateway's own record (GatewayRecords; a node's boot is a uint): its seq is unique to
                    // it and never sent again, so it needs no dedupe — and, sparse per node, would cost a range per record.
                    if (m.Boot >= 0 && !_seen.TryAdd(m.NodeId, m.Boot, m.Seq, m.ReceivedUnixMs))
                    {
                        results[i] = new AppendResult(AppendOutcome.Duplicate, 0);
                        continue;
                    }
                    var size = (long)m.Payload.Length + RowOverheadBytes;
                    if (!MakeRoom(transaction, size, m.Class, delta))
                    {
                        delta.DroppedRoutine++;
                        results[i] = new AppendResult(AppendOutcome.DroppedByQuota, 0);
                        continue;
                    }
                    // gw_seq is the INTEGER PRIMARY KEY: the rowid SQLite gave the row.
                    var gwSeq = _insert.Add(m.Site).Add(m.NodeId).Add(m.Leaf).Add(m.Boot).Add(m.Seq).Add((long)m.Class).Add(m.ReceivedUnixMs)
                        .Add(size).Add(m.Payload).Add(m.TraceParent).ExecuteInsert();
                    delta.Depth++;
                    delta.Bytes += size;
                    delta.LastSeq = gwSeq;
                    results[i] = new AppendResult(AppendOutcome.Committed, gwSeq);
                }
                if (delta.DroppedRoutine > 0 || delta.DroppedKept > 0)
                {
                    using var counters = Command(transaction, "UPDATE meta SET value = value + $n WHERE key = $key");
                    counters.Parameters.AddWithValue("$n", delta.DroppedRoutine);
                    counters.Parameters.AddWithValue("$key", "dropped_routine");
                    counters.ExecuteNonQuery();
                    counters.Parameters["$n"].Value = delta.DroppedKept;
                    counters.Parameters["$key"].Value = "dropped_kept";
                    counters.ExecuteNonQuery();
                }
                PruneSeenIfDue();
                _seen.Write();
                transaction.Commit();
            }
            _seen.Commit();
            _lastCommitSucceeded = true;
            _metrics.CommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (messages > 0) _metrics.CommitMessages.Record(messages);
        }
        catch (Exception exception)
        {
            // Nothing of this batch is durable: fail every waiter so no PUBACK is sent; the nodes re-send.
            _lastCommitSucceeded = false;
            _seen.Rollback();
            _logger.LogError(exception, "Outbox commit of {Count} items failed", batch.Count);
            lock (_statsLock) { LoadStatsLocked(); }
            Complete(new BatchCompletion(batch.ToArray(), null, exception));
            return;
        }

        ApplyDelta(delta);
        Complete(new BatchCompletion(batch.ToArray(), results, null));
    }

    /// <summary>
    /// Completes a committed (or failed) batch's waiters on ONE thread-pool item, away from the writer, which goes on to
    /// the next batch. Their tasks run continuations inline (<see cref="WorkItem"/>), so the rest of each publish (the
    /// PUBACK enqueued by MQTTnet, the connection's next read) runs one after the other on that worker: one thread
    /// wake-up per batch instead of one per message.
    /// </summary>
    static void Complete(BatchCompletion completion) => ThreadPool.UnsafeQueueUserWorkItem(completion, preferLocal: false);

    sealed class BatchCompletion(WorkItem[] items, AppendResult[]? results, Exception? failure) : IThreadPoolWorkItem
    {
        public void Execute()
        {
            for (var i = 0; i < items.Length; i++)
            {
                var item = items[i];
                if (failure is not null) item.Completion.TrySetException(failure);
                else if (item.Append is null || results is null) item.Completion.TrySetResult(default);
                else item.Completion.TrySetResult(results[i]);
            }
        }
    }

    /// <summary>Drops queued messages until <paramref name="size"/> more bytes fit; false when the incoming message itself is to be dropped.</summary>
    bool MakeRoom(SqliteTransaction transaction, long size, MessageClass incoming, StatsDelta delta)
    {
        while (CurrentBytes(delta) + size > _options.QuotaBytes)
        {
            var victim = Oldest(transaction, MessageClass.Routine);
            if (victim is null)
            {
                if (incoming == MessageClass.Routine) return false;
                victim = Oldest(transaction, MessageClass.Kept);
                if (victim is null) return true; // the store is empty: one message larger than the quota is still stored
                delta.DroppedKept++;
            }
            else
            {
                delta.DroppedRoutine++;
            }
            using var delete = Command(transaction, "DELETE FROM outbox WHERE gw_seq = $seq");
            delete.Parameters.AddWithValue("$seq", victim.Value.Seq);
            delete.ExecuteNonQuery();
            delta.Depth--;
            delta.Bytes -= victim.Value.Size;
            delta.OldestChanged = true;
        }
        return true;
    }

    long CurrentBytes(StatsDelta delta)
    {
        lock (_statsLock) return _bytes + delta.Bytes;
    }

    (long Seq, long Size)? Oldest(SqliteTransaction transaction, MessageClass cls)
    {
        using var command = Command(transaction, "SELECT gw_seq, size FROM outbox WHERE class = $class ORDER BY gw_seq LIMIT 1");
        command.Parameters.AddWithValue("$class", (int)cls);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    void MarkForwarded(SqliteTransaction transaction, long upTo, StatsDelta delta)
    {
        using (var count = Command(transaction, "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM outbox WHERE gw_seq <= $upTo"))
        {
            count.Parameters.AddWithValue("$upTo", upTo);
            using var reader = count.ExecuteReader();
            reader.Read();
            delta.Depth -= reader.GetInt64(0);
            delta.Bytes -= reader.GetInt64(1);
        }
        using (var delete = Command(transaction, "DELETE FROM outbox WHERE gw_seq <= $upTo"))
        {
            delete.Parameters.AddWithValue("$upTo", upTo);
            delete.ExecuteNonQuery();
        }
        using (var meta = Command(transaction, "UPDATE meta SET value = MAX(value, $upTo) WHERE key = 'forwarded_up_to'"))
        {
            meta.Parameters.AddWithValue("$upTo", upTo);
            meta.ExecuteNonQuery();
        }
        delta.ForwardedUpTo = Math.Max(delta.ForwardedUpTo, upTo);
        delta.OldestChanged = true;
    }

    void PruneSeenIfDue()
    {
        var now = DateTimeOffset.UtcNow;
        if (now - _lastPrune < TimeSpan.FromMinutes(10)) return;
        _lastPrune = now;
        _seen.Prune((now - TimeSpan.FromHours(_options.DedupeWindowHours)).ToUnixTimeMilliseconds());
    }

    void ApplyDelta(StatsDelta delta)
    {
        TaskCompletionSource? signal = null;
        long routineBefore = 0, routineAfter = 0;
        lock (_statsLock)
        {
            var wasEmpty = _depth == 0;
            _depth += delta.Depth;
            _bytes += delta.Bytes;
            if (delta.LastSeq > _lastSeq)
            {
                _lastSeq = delta.LastSeq;
                signal = _appended;
                _appended = NewSignal();
            }
            _forwardedUpTo = Math.Max(_forwardedUpTo, delta.ForwardedUpTo);
            routineBefore = _droppedRoutine;
            _droppedRoutine += delta.DroppedRoutine;
            routineAfter = _droppedRoutine;
            _droppedKept += delta.DroppedKept;
            if (delta.DroppedRoutine + delta.DroppedKept > 0) _droppingSinceBelowThreshold = true;
            if (_bytes < _options.QuotaBytes * 9 / 10) _droppingSinceBelowThreshold = false;
            if (delta.OldestChanged || wasEmpty) _oldestMs = QueryOldest();
        }
        if (delta.DroppedRoutine > 0)
        {
            _metrics.OutboxDropped.Add(delta.DroppedRoutine, GatewayMetrics.Tag("class", "routine"));
            // Routine drops come in streams while the quota is full: log the 1st, 2nd, 4th, 8th … so the journal shows
            // that (and how much) telemetry is being lost without one line per message.
            if (routineBefore == 0 || BitOperations.Log2((ulong)routineBefore) != BitOperations.Log2((ulong)routineAfter))
            {
                _logger.LogWarning("Outbox quota: dropped {Count} routine messages (telemetry), oldest first; {Total} dropped so far (protocol.md §14.2)",
                    delta.DroppedRoutine, routineAfter);
            }
        }
        if (delta.DroppedKept > 0)
        {
            _metrics.OutboxDropped.Add(delta.DroppedKept, GatewayMetrics.Tag("class", "kept"));
            _logger.LogWarning("Outbox quota: dropped {Count} kept messages (events/acks) — nothing routine was left", delta.DroppedKept);
        }
        signal?.TrySetResult();
    }

    long? QueryOldest()
    {
        lock (_readerLock)
        {
            using var command = _reader.CreateCommand();
            command.CommandText = "SELECT received_ms FROM outbox ORDER BY gw_seq LIMIT 1";
            return command.ExecuteScalar() is long ms ? ms : null;
        }
    }

    void LoadStats()
    {
        lock (_statsLock) LoadStatsLocked();
    }

    void LoadStatsLocked()
    {
        using var command = _writer.CreateCommand();
        command.CommandText = """
            SELECT (SELECT COUNT(*) FROM outbox), (SELECT COALESCE(SUM(size), 0) FROM outbox),
                   (SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'outbox'),
                   (SELECT value FROM meta WHERE key = 'forwarded_up_to'),
                   (SELECT value FROM meta WHERE key = 'dropped_routine'),
                   (SELECT value FROM meta WHERE key = 'dropped_kept')
            """;
        using (var reader = command.ExecuteReader())
        {
            reader.Read();
            _depth = reader.GetInt64(0);
            _bytes = reader.GetInt64(1);
            _lastSeq = reader.GetInt64(2);
            _forwardedUpTo = reader.GetInt64(3);
            _droppedRoutine = reader.GetInt64(4);
            _droppedKept = reader.GetInt64(5);
        }
        _oldestMs = QueryOldest();
    }

    void RegisterMetrics()
    {
        var meter = _metrics.Meter;
        meter.CreateObservableGauge("edge.gateway.outbox.depth", () => GetStats().Depth, "{message}", "Messages waiting in the outbox to be forwarded upstream.");
        meter.CreateObservableGauge("edge.gateway.outbox.size", () => GetStats().Bytes, "By", "Bytes the queued messages count against the quota.");
        meter.CreateObservableGauge("edge.gateway.outbox.quota", () => _options.QuotaBytes, "By", "Outbox disk quota.");
        meter.CreateObservableGauge("edge.gateway.outbox.oldest_age",
            () => GetStats().OldestReceivedUnixMs is { } ms ? Math.Max(0, (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - ms) / 1000.0) : 0,
            "s", "Age of the oldest queued message (0 when empty).");
        meter.CreateObservableGauge("edge.gateway.outbox.last_sequence", () => GetStats().LastGatewaySeq, null, "Last gateway sequence number assigned.");
        meter.CreateObservableGauge("edge.gateway.outbox.forwarded_sequence", () => GetStats().ForwardedUpTo, null, "Highest gateway sequence number forwarded upstream.");
    }

    SqliteCommand Command(SqliteTransaction transaction, string sql)
    {
        var command = _writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try { await _loop.ConfigureAwait(false); } catch (Exception exception) { _logger.LogError(exception, "Outbox writer loop failed"); }
        _insert.Dispose();
        _seen.Dispose();
        _writer.Dispose();
        _reader.Dispose();
        _logger.LogInformation("Outbox {Path} closed", _path);
    }

    sealed class WorkItem(OutboxAppend? append, long forwardUpTo)
    {
        public OutboxAppend? Append { get; } = append;
        public long ForwardUpTo { get; } = forwardUpTo;
        /// <summary>Continuations run inline, on the one pool item that completes the batch (<see cref="Complete"/>), never
        /// on the writer: the writer only ever queues that item.</summary>
        public TaskCompletionSource<AppendResult> Completion { get; } = new();
    }

    sealed class StatsDelta
    {
        public long Depth;
        public long Bytes;
        public long LastSeq;
        public long ForwardedUpTo;
        public long DroppedRoutine;
        public long DroppedKept;
        public bool OldestChanged;
    }
}
