using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using NpgsqlTypes;

namespace Edge.Cloud.Storage;

/// <summary>
/// PostgreSQL ingestion, one transaction per batch: binary COPY of the batch straight into <c>records</c>, then of
/// its telemetry and event rows. <c>node_state</c> is not written here but derived afterwards from the stored
/// records (<see cref="NodeStateFeed"/>). The COPY is optimistic — nearly every batch is new — so no query looks
/// for stored keys first; should one be stored already (a gateway's retry), the unique key refuses the COPY, the
/// transaction rolls back whole and the batch goes again, this time after one query for which of its keys are
/// stored, COPYing only the others. Should a concurrent transaction commit one of those between that check and the
/// COPY (a retry racing its first attempt), the batch goes a third time through a session-local staging table:
/// binary COPY there, then one <c>INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING</c> into <c>records</c> that
/// tells which keys are new — so a record is stored once whatever the timing. Should PostgreSQL abort the transaction as a deadlock victim or on a serialization failure, the whole
/// batch is retried here (it rolled back completely, so a retry stores it exactly once) instead of surfacing as a 500.
/// </summary>
public sealed class PostgresIngestStore : IIngestStore
{
    private const string CreateStagingSql = """
        CREATE TEMP TABLE IF NOT EXISTS records_staging (
          gateway TEXT NOT NULL, epoch TEXT NOT NULL, seq BIGINT NOT NULL, node TEXT NULL, site TEXT NOT NULL, kind TEXT NOT NULL,
          received_at BIGINT NOT NULL, payload JSONB NOT NULL
        ) ON COMMIT DELETE ROWS
        """;

    /// <summary>Which of the batch's keys (three parallel arrays) are already in <c>records</c>: one index probe each.</summary>
    private const string StoredKeysSql = """
        SELECT k.gateway, k.epoch, k.seq FROM unnest(@gateway, @epoch, @seq) AS k (gateway, epoch, seq)
        WHERE EXISTS (SELECT 1 FROM records r WHERE r.gateway = k.gateway AND r.epoch = k.epoch AND r.seq = k.seq)
        """;

    private const string MoveStagedSql = """
        INSERT INTO records (gateway, epoch, seq, node, site, kind, received_at, stored_at, payload)
        SELECT gateway, epoch, seq, node, site, kind, received_at, @stored_at, payload FROM records_staging ORDER BY gateway, epoch, seq
        ON CONFLICT (gateway, epoch, seq) DO NOTHING
        RETURNING gateway, epoch, seq
        """;

    private readonly PostgresConnections _connections;
    private readonly TimeProvider _time;
    private readonly TelemetryPartitions _partitions = new();

    public PostgresIngestStore(PostgresConnections connections, TimeProvider time)
    {
        _connections = connections;
        _time = time;
    }

    /// <summary>Attempts per batch when PostgreSQL aborts it as a deadlock victim or serialization failure.</summary>
    public const int MaxAttempts = 5;

    public async Task<StoreResult> StoreAsync(IReadOnlyList<IngestRecord> records, CancellationToken cancellationToken = default)
    {
        var path = StorePath.Optimistic;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StoreOnceAsync(records, path, cancellationToken);
            }
            catch (PostgresException e) when (path == StorePath.Optimistic && e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // Some of these keys are stored already: everything rolled back; again, leaving out the stored ones.
                path = StorePath.Checked;
                Interlocked.Increment(ref _checkedRetries);
            }
            catch (PostgresException e) when (path == StorePath.Checked && e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // Another transaction stored some of these keys after the check: everything rolled back, and the
                // staged path's ON CONFLICT tells new from stored whatever commits in between.
                path = StorePath.Staged;
                Interlocked.Increment(ref _stagedFallbacks);
            }
            catch (PostgresException e) when (attempt < MaxAttempts && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // A short random pause so the two transactions do not meet again in lock step.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), cancellationToken);
            }
        }
    }

    /// <summary>Batches whose optimistic COPY met a stored key and went again after a check (for tests and
    /// diagnostics).</summary>
    public long CheckedRetries => Interlocked.Read(ref _checkedRetries);

    /// <summary>Batches that went the staged way after their checked COPY met a key a concurrent batch had just
    /// stored (for tests and diagnostics).</summary>
    public long StagedFallbacks => Interlocked.Read(ref _stagedFallbacks);

    private long _checkedRetries;
    private long _stagedFallbacks;

    private enum StorePath { Optimistic, Checked, Staged }

    private async Task<StoreResult> StoreOnceAsync(IReadOnlyList<IngestRecord> records, StorePath path, CancellationToken cancellationToken)
    {
        if (records.Count == 0) return new StoreResult(0, 0);
        // The first of equal keys wins, as in SQLite; a single INSERT must not meet its own key twice.
        var seen = new HashSet<(string, string, long)>();
        var unique = records.Where(r => seen.Add((r.Gateway, r.Epoch, r.Seq))).ToList();
        var storedAt = _time.GetUtcNow().ToUnixTimeSeconds();

        await using var connection = await _connections.DataSource.OpenConnectionAsync(cancellationToken);
        await _partitions.EnsureAsync(connection,
            unique.Where(r => r.Telemetry is not null).Select(r => r.Telemetry!.Ts), cancellationToken);

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var stored = path == StorePath.Staged
            ? await StageAndMoveAsync(connection, transaction, unique, storedAt, cancellationToken)
            : await CopyNewRecordsAsync(connection, transaction, unique, storedAt, check: path == StorePath.Checked, cancellationToken);

        await CopyTelemetryAsync(connection, stored, cancellationToken);
        await CopyEventsAsync(connection, stored, cancellationToken);
        // A reading for a day whose energy sum is kept drops that sum (rare: a gateway's backlog after days offline).
        await EnergyDays.InvalidateAsync(connection, transaction, stored, storedAt, cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        return new StoreResult(stored.Count, records.Count - stored.Count);
    }

    /// <summary>COPYs the records into <c>records</c>; with <paramref name="check"/>, after leaving out the keys already
    /// stored (committed before the check). A stored key fails the COPY (unique violation).</summary>
    private static async Task<List<IngestRecord>> CopyNewRecordsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<IngestRecord> unique, long storedAt, bool check, CancellationToken cancellationToken)
    {
        var existing = new HashSet<(string, string, long)>();
        if (check)
        {
            await using var stored = new NpgsqlCommand(StoredKeysSql, connection, transaction);
            Column(stored, "gateway", NpgsqlDbType.Text, unique.Select(r => r.Gateway));
            Column(stored, "epoch", NpgsqlDbType.Text, unique.Select(r => r.Epoch));
            Column(stored, "seq", NpgsqlDbType.Bigint, unique.Select(r => r.Seq));
            await using var reader = await stored.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) existing.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        }
        var fresh = existing.Count == 0 ? unique : unique.Where(r => !existing.Contains((r.Gateway, r.Epoch, r.Seq))).ToList();
        if (fresh.Count == 0) return fresh;
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY records (gateway, epoch, seq, node, site, kind, received_at, stored_at, payload) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var record in fresh)
        {
            await WriteRecordAsync(copy, record, cancellationToken);
            await copy.WriteAsync(storedAt, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(record.PayloadJson, NpgsqlDbType.Jsonb, cancellationToken);
        }
        await copy.CompleteAsync(cancellationToken);
        return fresh;
    }

    /// <summary>The staged path: COPY into the session's temp table, then one INSERT … ON CONFLICT DO NOTHING
    /// RETURNING into <c>records</c>, which waits for concurrent transactions on the same keys and skips those
    /// they stored.</summary>
    private static async Task<List<IngestRecord>> StageAndMoveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<IngestRecord> unique, long storedAt, CancellationToken cancellationToken)
    {
        await using (var create = new NpgsqlCommand(CreateStagingSql, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY records_staging (gateway, epoch, seq, node, site, kind, received_at, payload) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var record in unique)
            {
                await WriteRecordAsync(copy, record, cancellationToken);
                await copy.WriteAsync(record.PayloadJson, NpgsqlDbType.Jsonb, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }

        var newKeys = new HashSet<(string, string, long)>();
        await using (var move = new NpgsqlCommand(MoveStagedSql, connection, transaction))
        {
            move.Parameters.AddWithValue("stored_at", storedAt);
            await using var reader = await move.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) newKeys.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        }
        return unique.Where(r => newKeys.Contains((r.Gateway, r.Epoch, r.Seq))).ToList();
    }

    /// <summary>The columns <c>gateway … received_at</c> of a <c>records</c> (or staging) row.</summary>
    private static async Task WriteRecordAsync(NpgsqlBinaryImporter copy, IngestRecord record, CancellationToken cancellationToken)
    {
        await copy.StartRowAsync(cancellationToken);
        await copy.WriteAsync(record.Gateway, NpgsqlDbType.Text, cancellationToken);
        await copy.WriteAsync(record.Epoch, NpgsqlDbType.Text, cancellationToken);
        await copy.WriteAsync(record.Seq, NpgsqlDbType.Bigint, cancellationToken);
        await WriteNullableAsync(copy, record.Node, NpgsqlDbType.Text, cancellationToken);
        await copy.WriteAsync(record.Site, NpgsqlDbType.Text, cancellationToken);
        await copy.WriteAsync(record.Kind, NpgsqlDbType.Text, cancellationToken);
        await copy.WriteAsync(record.ReceivedAt, NpgsqlDbType.Bigint, cancellationToken);
    }

    private static async Task CopyTelemetryAsync(NpgsqlConnection connection, List<IngestRecord> stored, CancellationToken cancellationToken)
    {
        if (!stored.Any(r => r.Telemetry is not null)) return;
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY telemetry (site, node, ts, type, gateway, seq, level, watts, volts, energy_wh, lux, level_mm, rate_mm_h, flood_state, battery_v, content_version, payload) FROM STDIN (FORMAT BINARY)",
            cancellationToken);
        foreach (var record in stored)
        {
            if (record.Telemetry is not { } t) continue;
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(record.Site, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(record.Node!, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(t.Ts, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(t.Type, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(record.Gateway, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(record.Seq, NpgsqlDbType.Bigint, cancellationToken);
            await WriteNullableAsync(copy, t.Level, NpgsqlDbType.Integer, cancellationToken);
            await WriteNullableAsync(copy, t.Watts, NpgsqlDbType.Double, cancellationToken);
            await WriteNullableAsync(copy, t.Volts, NpgsqlDbType.Double, cancellationToken);
            await WriteNullableAsync(copy, t.EnergyWh, NpgsqlDbType.Bigint, cancellationToken);
            await WriteNullableAsync(copy, t.Lux, NpgsqlDbType.Double, cancellationToken);
            await WriteNullableAsync(copy, t.LevelMm, NpgsqlDbType.Integer, cancellationToken);
            await WriteNullableAsync(copy, t.RateMmH, NpgsqlDbType.Integer, cancellationToken);
            await WriteNullableAsync(copy, t.FloodState, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(copy, t.BatteryV, NpgsqlDbType.Double, cancellationToken);
            await WriteNullableAsync(copy, t.ContentVersion, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(record.PayloadJson, NpgsqlDbType.Jsonb, cancellationToken);
        }
        await copy.CompleteAsync(cancellationToken);
    }

    private static async Task CopyEventsAsync(NpgsqlConnection connection, List<IngestRecord> stored, CancellationToken cancellationToken)
    {
        if (!stored.Any(r => r.Event is not null)) return;
        // The records were new, so their event keys are new too: no conflict handling needed.
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY events (gateway, epoch, seq, site, node, ts, record_kind, kind, command_id, payload) FROM STDIN (FORMAT BINARY)",
            cancellationToken);
        foreach (var record in stored)
        {
            if (record.Event is not { } e) continue;
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(record.Gateway, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(record.Epoch, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(record.Seq, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(record.Site, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(copy, record.Node, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(e.Ts, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(record.Kind, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(e.Kind, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(copy, e.CommandId, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(record.PayloadJson, NpgsqlDbType.Jsonb, cancellationToken);
        }
        await copy.CompleteAsync(cancellationToken);
    }

    /// <summary>An array parameter of one column; null elements stay null.</summary>
    private static void Column<T>(NpgsqlCommand command, string name, NpgsqlDbType type, IEnumerable<T> values) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type) { Value = values.ToArray() });

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken cancellationToken) where T : class =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, type, cancellationToken);

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken cancellationToken) where T : struct =>
        value is { } v ? copy.WriteAsync(v, type, cancellationToken) : copy.WriteNullAsync(cancellationToken);
}
