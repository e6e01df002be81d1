using System;
using System.Collections.Generic;
using System.Linq;
using Edge.Gateway.Registry;
using Microsoft.Data.Sqlite;

namespace Edge.Gateway.Downlink;

/// <summary>
/// The last desired state and its cursor on disk (<c>downlink.db</c> in the data directory, docs/uplink.md §3), so a
/// gateway restarted without uplink still serves its nodes; plus the command ledger (sent, acked, expiry) that drives
/// re-sending after births (protocol.md §10.4), and what display was last published per bus stop.
/// A poll answer is stored in ONE transaction together with its cursor: after a crash the gateway either has the
/// whole answer or asks for it again.
/// </summary>
public sealed class DownlinkStore : IDisposable
{
    readonly SqliteConnection _db;
    readonly object _lock = new();

    public DownlinkStore(string path)
    {
        _db = SqliteDatabase.Open(path);
        SqliteDatabase.Execute(_db, """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS configs (node TEXT PRIMARY KEY, version INTEGER NOT NULL, document BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS displays (node TEXT PRIMARY KEY, version INTEGER NOT NULL, document BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS rules (id TEXT PRIMARY KEY, document BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS commands (id TEXT PRIMARY KEY, node TEXT NOT NULL, expires INTEGER NOT NULL, payload BLOB NOT NULL,
              result TEXT, sends INTEGER NOT NULL DEFAULT 0, last_sent_ms INTEGER NOT NULL DEFAULT 0);
            CREATE INDEX IF NOT EXISTS commands_pending ON commands (node, result, expires);
            CREATE TABLE IF NOT EXISTS display_published (node TEXT PRIMARY KEY, source_key TEXT NOT NULL, version INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS overrides (id TEXT PRIMARY KEY, node TEXT NOT NULL, until INTEGER NOT NULL, payload BLOB NOT NULL);
            CREATE INDEX IF NOT EXISTS overrides_node ON overrides (node, until);
            """);
    }

    public string Cursor
    {
        get
        {
            lock (_lock)
            {
                using var command = _db.CreateCommand();
                command.CommandText = "SELECT value FROM meta WHERE key = 'cursor'";
                return command.ExecuteScalar() as string ?? "";
            }
        }
    }

    /// <summary>Stores a poll answer: documents replace older versions, <c>full</c> drops what is not listed; new commands are added unsent.</summary>
    public void Save(DesiredState state)
    {
        lock (_lock)
        {
            using var transaction = _db.BeginTransaction();
            if (state.Full)
            {
                Exec(transaction, "DELETE FROM configs");
                Exec(transaction, "DELETE FROM displays");
                Exec(transaction, "DELETE FROM rules");
            }
            foreach (var config in state.Configs) UpsertDocument(transaction, "configs", config);
            foreach (var display in state.Displays) UpsertDocument(transaction, "displays", display);
            foreach (var rule in state.Rules)
            {
                Exec(transaction, "INSERT INTO rules (id, document) VALUES ($id, $doc) ON CONFLICT (id) DO UPDATE SET document = excluded.document",
                    ("$id", rule.Id), ("$doc", rule.Document));
            }
            foreach (var command in state.Commands)
            {
                // A command the cloud lists again (a re-poll after a lost answer) keeps its ledger entry.
                Exec(transaction, "INSERT OR IGNORE INTO commands (id, node, expires, payload) VALUES ($id, $node, $expires, $payload)",
                    ("$id", command.Id), ("$node", command.Node), ("$expires", command.Expires), ("$payload", command.Payload));
            }
            Exec(transaction, "INSERT INTO meta (key, value) VALUES ('cursor', $c) ON CONFLICT (key) DO UPDATE SET value = excluded.value", ("$c", state.Cursor));
            transaction.Commit();
        }
    }

    void UpsertDocument(SqliteTransaction transaction, string table, DesiredDocument document)
        => Exec(transaction, $"""
            INSERT INTO {table} (node, version, document) VALUES ($node, $version, $doc)
            ON CONFLICT (node) DO UPDATE SET version = excluded.version, document = excluded.document WHERE excluded.version >= {table}.version
            """, ("$node", document.Node), ("$version", document.Version), ("$doc", document.Document));

    public IReadOnlyList<DesiredDocument> Configs() => Documents("configs");

    public IReadOnlyList<DesiredDocument> Displays() => Documents("displays");

    public DesiredDocument? Display(string node) => Documents("displays", node).FirstOrDefault();

    public IReadOnlyList<DesiredRule> Rules()
    {
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = "SELECT id, document FROM rules ORDER BY id";
            using var reader = command.ExecuteReader();
            var result = new List<DesiredRule>();
            while (reader.Read()) result.Add(new DesiredRule(reader.GetString(0), (byte[])reader.GetValue(1)));
            return result;
        }
    }

    IReadOnlyList<DesiredDocument> Documents(string table, string? node = null)
    {
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = $"SELECT node, version, document FROM {table}" + (node is null ? " ORDER BY node" : " WHERE node = $node");
            if (node is not null) command.Parameters.AddWithValue("$node", node);
            using var reader = command.ExecuteReader();
            var result = new List<DesiredDocument>();
            while (reader.Read()) result.Add(new DesiredDocument(reader.GetString(0), reader.GetInt64(1), (byte[])reader.GetValue(2)));
            return result;
        }
    }

    /// <summary>Adds a command the gateway itself issues (a rule's <c>override</c>), unsent.</summary>
    public void AddCommand(DesiredCommand command)
    {
        lock (_lock)
        {
            Exec(null, "INSERT OR IGNORE INTO commands (id, node, expires, payload) VALUES ($id, $node, $expires, $payload)",
                ("$id", command.Id), ("$node", command.Node), ("$expires", command.Expires), ("$payload", command.Payload));
        }
    }

    /// <summary>Commands of <paramref name="node"/> (or of every node) without an ack that have not expired, oldest first.</summary>
    public IReadOnlyList<PendingCommand> Pending(string? node, long nowUnixSeconds)
    {
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = "SELECT id, node, expires, payload, sends, last_sent_ms FROM commands WHERE result IS NULL AND expires > $now"
                + (node is null ? "" : " AND node = $node") + " ORDER BY rowid";
            command.Parameters.AddWithValue("$now", nowUnixSeconds);
            if (node is not null) command.Parameters.AddWithValue("$node", node);
            using var reader = command.ExecuteReader();
            var result = new List<PendingCommand>();
            while (reader.Read())
            {
                result.Add(new PendingCommand(new DesiredCommand(reader.GetString(1), reader.GetString(0), reader.GetInt64(2), (byte[])reader.GetValue(3)),
                    reader.GetInt32(4), reader.GetInt64(5)));
            }
            return result;
        }
    }

    public void MarkSent(string id, long nowUnixMs)
    {
        lock (_lock) Exec(null, "UPDATE commands SET sends = sends + 1, last_sent_ms = $ms WHERE id = $id", ("$id", id), ("$ms", nowUnixMs));
    }

    /// <summary>Records a node's ack (any result, protocol.md §10.3): the command is not re-sent any more. False for an unknown id.</summary>
    public bool MarkAcked(string node, string id, string result)
    {
        lock (_lock)
        {
            return Exec(null, "UPDATE commands SET result = $result WHERE id = $id AND node = $node AND result IS NULL",
                ("$id", id), ("$node", node), ("$result", result)) > 0;
        }
    }

    public string? CommandResult(string id)
    {
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = "SELECT result FROM commands WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            return command.ExecuteScalar() as string;
        }
    }

    /// <summary>The stored command <paramref name="id"/>, or null.</summary>
    public DesiredCommand? Command(string id)
    {
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = "SELECT node, id, expires, payload FROM commands WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            using var reader = command.ExecuteReader();
            return reader.Read() ? new DesiredCommand(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), (byte[])reader.GetValue(3)) : null;
        }
    }

    /// <summary>Keeps an override the node acked <c>ok</c> as the node's desired state until <paramref name="until"/> (protocol.md §10.5).</summary>
    public void KeepOverride(DesiredCommand command, long until)
    {
        lock (_lock)
        {
            Exec(null, "INSERT OR IGNORE INTO overrides (id, node, until, payload) VALUES ($id, $node, $until, $payload)",
                ("$id", command.Id), ("$node", command.Node), ("$until", until), ("$payload", command.Payload));
        }
    }

    /// <summary>An <c>override.clear</c> the node acked <c>ok</c>: none of its overrides is desired any more.</summary>
    public void ClearOverrides(string node)
    {
        lock (_lock) Exec(null, "DELETE FROM overrides WHERE node = $node", ("$node", node));
    }

    /// <summary>The node's kept overrides still in force at <paramref name="nowUnixSeconds"/>, in the order they were kept.</summary>
    public IReadOnlyList<KeptOverride> ActiveOverrides(string node, long nowUnixSeconds)
    {
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = "SELECT node, id, until, payload FROM overrides WHERE node = $node AND until > $now ORDER BY rowid";
            command.Parameters.AddWithValue("$node", node);
            command.Parameters.AddWithValue("$now", nowUnixSeconds);
            using var reader = command.ExecuteReader();
            var result = new List<KeptOverride>();
            while (reader.Read()) result.Add(new KeptOverride(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), (byte[])reader.GetValue(3)));
            return result;
        }
    }

    /// <summary>Forgets commands that expired more than a day ago, and overrides that have ended.</summary>
    public void PruneCommands(long nowUnixSeconds)
    {
        lock (_lock)
        {
            Exec(null, "DELETE FROM commands WHERE expires < $cutoff", ("$cutoff", nowUnixSeconds - 86400));
            Exec(null, "DELETE FROM overrides WHERE until <= $now", ("$now", nowUnixSeconds));
        }
    }

    public (string SourceKey, long Version)? PublishedDisplay(string node)
    {
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = "SELECT source_key, version FROM display_published WHERE node = $node";
            command.Parameters.AddWithValue("$node", node);
            using var reader = command.ExecuteReader();
            return reader.Read() ? (reader.GetString(0), reader.GetInt64(1)) : null;
        }
    }

    public void SetPublishedDisplay(string node, string sourceKey, long version)
    {
        lock (_lock)
        {
            Exec(null, "INSERT INTO display_published (node, source_key, version) VALUES ($node, $key, $v) ON CONFLICT (node) DO UPDATE SET source_key = excluded.source_key, version = excluded.version",
                ("$node", node), ("$key", sourceKey), ("$v", version));
        }
    }

    int Exec(SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = _db.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command.ExecuteNonQuery();
    }

    public void Dispose() => _db.Dispose();
}

/// <summary>An override acked <c>ok</c>, in force until <see cref="Until"/>; <see cref="Payload"/> is its original <c>cmd</c>.</summary>
public sealed record KeptOverride(string Node, string Id, long Until, byte[] Payload);

public sealed record PendingCommand(DesiredCommand Command, int Sends, long LastSentUnixMs);
