using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Edge.Sqlite;

namespace Edge.Cloud.Storage;

/// <summary>
/// SQLite ingestion: one write transaction per batch, prepared statements (<see cref="SqliteRowStatement"/>), <c>INSERT … ON CONFLICT DO
/// NOTHING</c> on the record key; a record's derived rows (telemetry, event) are written only when its insert
/// changed a row. <c>node_state</c> is derived afterwards from the stored records (<see cref="NodeStateFeed"/>).
/// </summary>
public sealed class SqliteIngestStore : IIngestStore
{
    private const string InsertRecordSql = """
        INSERT INTO records (gateway, epoch, seq, node, site, kind, received_at, stored_at, payload)
        VALUES (@gateway, @epoch, @seq, @node, @site, @kind, @received_at, @stored_at, @payload)
        ON CONFLICT (gateway, epoch, seq) DO NOTHING
        """;

    private const string InsertTelemetrySql = """
        INSERT INTO telemetry (site, node, ts, type, gateway, seq, level, watts, volts, energy_wh, lux, level_mm, rate_mm_h, flood_state, battery_v, content_version, payload)
        VALUES (@site, @node, @ts, @type, @gateway, @seq, @level, @watts, @volts, @energy_wh, @lux, @level_mm, @rate_mm_h, @flood_state, @battery_v, @content_version, @payload)
        """;

    private const string InsertEventSql = """
        INSERT INTO events (gateway, epoch, seq, site, node, ts, record_kind, kind, command_id, payload)
        VALUES (@gateway, @epoch, @seq, @site, @node, @ts, @record_kind, @kind, @command_id, @payload)
        ON CONFLICT (gateway, epoch, seq) DO NOTHING
        """;

    private readonly IStorageConnections _connections;
    private readonly TimeProvider _time;

    public SqliteIngestStore(IStorageConnections connections, TimeProvider time)
    {
        if (connections.Kind != StorageKind.Sqlite) throw new ArgumentException("SqliteIngestStore needs SQLite connections", nameof(connections));
        _connections = connections;
        _time = time;
    }

    public async Task<StoreResult> StoreAsync(IReadOnlyList<IngestRecord> records, CancellationToken cancellationToken = default)
    {
        if (records.Count == 0) return new StoreResult(0, 0);
        var storedAt = _time.GetUtcNow().ToUnixTimeSeconds();
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var stored = 0;
        List<IngestRecord>? late = null;
        // One pass, each record followed at once by its derived row, as the baseline writes them: measured faster
        // than all records first and their rows in a second pass (docs/cloud.md §Ingestion benchmark). Values are added
        // in the order the SQL names them (SqliteRowStatement: no allocation per row).
        using var insert = new SqliteRowStatement(connection, InsertRecordSql);
        using var telemetry = new SqliteRowStatement(connection, InsertTelemetrySql);
        using var events = new SqliteRowStatement(connection, InsertEventSql);
        foreach (var record in records)
        {
            // A stored key (or one earlier in this list) changes no row, and then the record writes nothing else.
            if (WriteRecord(insert, record, storedAt) != 1) continue;
            stored++;
            if (record.Telemetry is { } t)
            {
                WriteTelemetry(telemetry, record, t);
                if (EnergyDays.IsLate(record, storedAt)) (late ??= new()).Add(record);
            }
            if (record.Event is { } e) WriteEvent(events, record, e);
        }
        // A reading for a day whose energy sum is kept drops that sum (rare: a gateway's backlog after days offline).
        if (late is not null) await EnergyDays.InvalidateAsync(connection, transaction, late, storedAt, cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        return new StoreResult(stored, records.Count - stored);
    }

    // Each row's values in the column order of its statement above. The ingestion benchmark's baseline writes the same
    // rows with plain INSERTs of the same columns through these, so the two bind alike and the order lives in one place.

    /// <summary>A record's row; the rows it changed (0: its key is stored already).</summary>
    internal static int WriteRecord(SqliteRowStatement insert, IngestRecord record, long storedAt) =>
        insert.Add(record.Gateway).Add(record.Epoch).Add(record.Seq).Add(record.Node).Add(record.Site).Add(record.Kind)
            .Add(record.ReceivedAt).Add(storedAt).Add(record.PayloadJson).Execute();

    internal static void WriteTelemetry(SqliteRowStatement telemetry, IngestRecord record, TelemetryRow t) =>
        telemetry.Add(record.Site).Add(record.Node).Add(t.Ts).Add(t.Type).Add(record.Gateway).Add(record.Seq).Add(t.Level)
            .Add(t.Watts).Add(t.Volts).Add(t.EnergyWh).Add(t.Lux).Add(t.LevelMm).Add(t.RateMmH).Add(t.FloodState)
            .Add(t.BatteryV).Add(t.ContentVersion).Add(record.PayloadJson).Execute();

    internal static void WriteEvent(SqliteRowStatement events, IngestRecord record, EventRow e) =>
        events.Add(record.Gateway).Add(record.Epoch).Add(record.Seq).Add(record.Site).Add(record.Node).Add(e.Ts)
            .Add(record.Kind).Add(e.Kind).Add(e.CommandId).Add(record.PayloadJson).Execute();
}
