using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Cloud.Storage;

/// <summary>
/// SQLite ingestion: one write transaction per batch, prepared statements, <c>INSERT … ON CONFLICT DO
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
        // One pass, each record followed at once by its derived row, as the baseline writes them: measured faster
        // than all records first and their rows in a second pass (docs/cloud.md §Ingestion benchmark).
        await using var insert = Prepare(connection, transaction, InsertRecordSql,
            "gateway", "epoch", "seq", "node", "site", "kind", "received_at", "stored_at", "payload");
        await using var telemetry = Prepare(connection, transaction, InsertTelemetrySql,
            "site", "node", "ts", "type", "gateway", "seq", "level", "watts", "volts", "energy_wh", "lux", "level_mm", "rate_mm_h", "flood_state", "battery_v", "content_version", "payload");
        await using var events = Prepare(connection, transaction, InsertEventSql,
            "gateway", "epoch", "seq", "site", "node", "ts", "record_kind", "kind", "command_id", "payload");
        insert.Set("@stored_at", storedAt);
        foreach (var record in records)
        {
            insert.Set("@gateway", record.Gateway);
            insert.Set("@epoch", record.Epoch);
            insert.Set("@seq", record.Seq);
            insert.Set("@node", record.Node);
            insert.Set("@site", record.Site);
            insert.Set("@kind", record.Kind);
            insert.Set("@received_at", record.ReceivedAt);
            insert.Set("@payload", record.PayloadJson);
            // SQLite's API is synchronous underneath: the sync call avoids a Task per row. A stored key (or one
            // earlier in this list) changes no row, and then the record writes nothing else.
            if (insert.ExecuteNonQuery() != 1) continue;
            stored++;
            if (record.Telemetry is { } t)
            {
                telemetry.Set("@site", record.Site);
                telemetry.Set("@node", record.Node);
                telemetry.Set("@ts", t.Ts);
                telemetry.Set("@type", t.Type);
                telemetry.Set("@gateway", record.Gateway);
                telemetry.Set("@seq", record.Seq);
                telemetry.Set("@level", t.Level);
                telemetry.Set("@watts", t.Watts);
                telemetry.Set("@volts", t.Volts);
                telemetry.Set("@energy_wh", t.EnergyWh);
                telemetry.Set("@lux", t.Lux);
                telemetry.Set("@level_mm", t.LevelMm);
                telemetry.Set("@rate_mm_h", t.RateMmH);
                telemetry.Set("@flood_state", t.FloodState);
                telemetry.Set("@battery_v", t.BatteryV);
                telemetry.Set("@content_version", t.ContentVersion);
                telemetry.Set("@payload", record.PayloadJson);
                telemetry.ExecuteNonQuery();
            }
            if (record.Event is { } e)
            {
                events.Set("@gateway", record.Gateway);
                events.Set("@epoch", record.Epoch);
                events.Set("@seq", record.Seq);
                events.Set("@site", record.Site);
                events.Set("@node", record.Node);
                events.Set("@ts", e.Ts);
                events.Set("@record_kind", record.Kind);
                events.Set("@kind", e.Kind);
                events.Set("@command_id", e.CommandId);
                events.Set("@payload", record.PayloadJson);
                events.ExecuteNonQuery();
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return new StoreResult(stored, records.Count - stored);
    }

    private static DbCommand Prepare(DbConnection connection, DbTransaction transaction, string sql, params string[] parameters)
    {
        var command = connection.Command(transaction, sql);
        // Named as in the SQL (with '@'): Microsoft.Data.Sqlite binds a bare name by trying each prefix in turn,
        // building a string per try, for every parameter of every row.
        foreach (var name in parameters) command.Add("@" + name, null);
        command.Prepare();
        return command;
    }
}
