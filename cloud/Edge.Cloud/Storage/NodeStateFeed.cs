using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Edge.Cloud.Storage;

/// <summary>
/// Derives <c>node_state</c> (last seen, latest state) from stored records, after the ingest transaction instead of
/// inside it: keeping the latest row of every node of a batch in the batch's transaction cost about as much as
/// writing the batch's records (docs/cloud.md §Ingestion benchmark). It reads each record stream (gateway, outbox
/// epoch) in <c>seq</c> order after its cursor (<c>node_state_feed</c>), upserts the changes and moves the cursor in
/// the same transaction, so a crash between ingestion and this step loses nothing: the next pass starts where the
/// last commit left. Applying a record twice changes nothing either (<c>last_seen</c> only grows, a state wins only
/// if it is at least as new), so two processes applying the same stream at once are harmless. The record feed
/// reads each chunk of a stream once and applies both node state (<see cref="ApplyAsync"/>) and its alarm rules from
/// it in one transaction, both cursors moved together (<c>Alarms.RecordFeed</c>); <see cref="ApplyStreamAsync"/> is
/// the same step on its own, reading for node state alone.
/// </summary>
public sealed class NodeStateFeed
{
    /// <summary>Records read per transaction, by default.</summary>
    public const int DefaultChunkSize = 2000;

    private readonly IStorageConnections _connections;
    private readonly int _chunkSize;

    public NodeStateFeed(IStorageConnections connections, int chunkSize = DefaultChunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        _connections = connections;
        _chunkSize = chunkSize;
    }

    /// <summary>Applies the records of one stream stored after its cursor; returns how many it read.</summary>
    public async Task<int> ApplyStreamAsync(string gateway, string epoch, CancellationToken cancellationToken = default)
    {
        var total = 0;
        while (true)
        {
            var read = await ApplyChunkAsync(gateway, epoch, cancellationToken);
            total += read;
            if (read < _chunkSize) return total;
        }
    }

    private async Task<int> ApplyChunkAsync(string gateway, string epoch, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long cursor;
        await using (var read = connection.Command(transaction, "SELECT seq FROM node_state_feed WHERE gateway = @g AND epoch = @e", ("@g", gateway), ("@e", epoch)))
        {
            cursor = await read.ExecuteScalarAsync(cancellationToken) is { } value and not DBNull ? Convert.ToInt64(value) : -1;
        }

        // Only a state's payload is needed, and of telemetry only its type: most records are read without payload.
        var records = new List<IngestRecord>();
        var rowsRead = 0;
        var last = cursor;
        await using (var select = connection.Command(transaction,
            $"SELECT seq, node, site, kind, received_at, CASE WHEN kind = 'state' THEN payload END, CASE WHEN kind = 'telemetry' THEN {TelemetryTypeSql(_connections.Kind)} END " +
            $"FROM records WHERE gateway = @g AND epoch = @e AND seq > @cp ORDER BY seq LIMIT {_chunkSize}",
            ("@g", gateway), ("@e", epoch), ("@cp", cursor)))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rowsRead++;
                last = reader.GetInt64(0);
                if (reader.IsDBNull(1)) continue; // gateway and rule records name no node
                records.Add(Update(gateway, epoch, last, reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
            }
        }
        if (rowsRead == 0) return 0;
        await ApplyAsync(connection, transaction, gateway, epoch, records, last, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return rowsRead;
    }

    /// <summary>The SQL expression of a telemetry record's <c>type</c> (all node state needs of its payload).</summary>
    public static string TelemetryTypeSql(StorageKind kind) =>
        kind == StorageKind.Postgres ? "payload ->> 'type'" : "json_extract(payload, '$.type')";

    /// <summary>A node record as read back from <c>records</c>, with the node state change it makes: of a state
    /// record its payload is needed (<paramref name="statePayload"/>, null for other kinds), of telemetry its
    /// <c>type</c> (<paramref name="telemetryType"/>, null for other kinds).</summary>
    public static IngestRecord Update(string gateway, string epoch, long seq, string node, string site, string kind, long receivedAt, string? statePayload, string? telemetryType) =>
        new(gateway, seq, node, site, kind, receivedAt, "") { Epoch = epoch, State = NodeStateUpdate.Of(kind, receivedAt, statePayload, telemetryType) };

    /// <summary>
    /// Applies a stream's node records (<see cref="Update"/>) read up to <paramref name="last"/> and moves the
    /// stream's cursor there, inside the caller's transaction: the record feed reads a chunk of records once and
    /// applies node state and its alarm rules from it in one transaction (<c>Alarms.RecordFeed</c>). With
    /// <paramref name="lastSeen"/>, only the rows it says must be written are (<see cref="LastSeenCache.MustWrite"/>);
    /// the rows written are returned, for the caller to <see cref="LastSeenCache.Remember"/> once its transaction commits.
    /// </summary>
    public static async Task<IReadOnlyList<NodeStateRow>> ApplyAsync(DbConnection connection, DbTransaction transaction, string gateway, string epoch, IReadOnlyList<IngestRecord> records, long last,
        CancellationToken cancellationToken, LastSeenCache? lastSeen = null)
    {
        var rows = NodeStateRows.Collapse(records);
        if (lastSeen is not null) rows = rows.Where(lastSeen.MustWrite).ToList();
        if (connection is NpgsqlConnection postgres) await UpsertPostgresAsync(postgres, (NpgsqlTransaction)transaction, rows, cancellationToken);
        else Upsert(connection, rows);

        // Never backwards: a slower concurrent applier of the same stream must not undo a faster one's cursor.
        await using var move = connection.Command(transaction,
            "INSERT INTO node_state_feed (gateway, epoch, seq) VALUES (@g, @e, @s) ON CONFLICT (gateway, epoch) DO UPDATE " +
            "SET seq = CASE WHEN excluded.seq > node_state_feed.seq THEN excluded.seq ELSE node_state_feed.seq END",
            ("@g", gateway), ("@e", epoch), ("@s", last));
        await move.ExecuteNonQueryAsync(cancellationToken);
        return rows;
    }

    /// <summary>The upsert of a collapsed batch on PostgreSQL: one statement for all its nodes (public for the
    /// ingestion benchmark, which times it next to the raw COPY baseline).</summary>
    public static async Task UpsertPostgresAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<NodeStateRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return;
        // One statement for every node (arrays unnested in row order), not one per node.
        await using var command = new NpgsqlCommand(NodeStateRows.UpsertUnnestSql(), connection, transaction);
        Column(command, "site", NpgsqlDbType.Text, rows.Select(r => r.Site));
        Column(command, "node", NpgsqlDbType.Text, rows.Select(r => r.Node));
        Column(command, "gateway", NpgsqlDbType.Text, rows.Select(r => r.Gateway));
        Column(command, "last_seen", NpgsqlDbType.Bigint, rows.Select(r => r.LastSeen));
        Column(command, "type", NpgsqlDbType.Text, rows.Select(r => r.Type));
        Column(command, "status", NpgsqlDbType.Text, rows.Select(r => r.LatestState?.Status));
        Column(command, "online", NpgsqlDbType.Boolean, rows.Select(r => r.LatestState?.Online));
        Column(command, "config_version", NpgsqlDbType.Bigint, rows.Select(r => r.LatestState?.ConfigVersion));
        Column(command, "display_version", NpgsqlDbType.Bigint, rows.Select(r => r.LatestState?.DisplayVersion));
        Column(command, "fw", NpgsqlDbType.Text, rows.Select(r => r.LatestState?.Fw));
        Column(command, "state_at", NpgsqlDbType.Bigint, rows.Select(r => r.StateAt));
        Column(command, "state", NpgsqlDbType.Text, rows.Select(r => r.LatestState?.StateJson));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>SQLite: one prepared upsert, executed per node (<see cref="SqliteRowStatement"/>: values in the order the
    /// SQL names them, no allocation per row).</summary>
    private static void Upsert(DbConnection connection, IReadOnlyList<NodeStateRow> rows)
    {
        if (rows.Count == 0) return;
        using var upsert = new SqliteRowStatement(connection, NodeStateRows.UpsertSql("@state"));
        foreach (var row in rows)
        {
            var state = row.LatestState;
            upsert.Add(row.Site).Add(row.Node).Add(row.Gateway).Add(row.LastSeen).Add(row.Type).Add(state?.Status).Add(state?.Online)
                .Add(state?.ConfigVersion).Add(state?.DisplayVersion).Add(state?.Fw).Add(row.StateAt).Add(state?.StateJson).Execute();
        }
    }

    /// <summary>An array parameter of one column; null elements stay null.</summary>
    private static void Column<T>(NpgsqlCommand command, string name, NpgsqlDbType type, IEnumerable<T> values) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type) { Value = values.ToArray() });
}
