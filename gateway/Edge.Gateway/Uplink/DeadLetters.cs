using System;
using System.Collections.Generic;
using Edge.Gateway.Outbox;
using Edge.Gateway.Registry;
using Microsoft.Data.Sqlite;

namespace Edge.Gateway.Uplink;

/// <summary>A record the uplink set aside: the outbox message as it was, why, and when.</summary>
public sealed record DeadLetter(long GatewaySeq, string Site, string NodeId, string Leaf, long ReceivedUnixMs, long DeadUnixMs, string Reason, byte[] Payload);

/// <summary>
/// The dead-letter table (<c>dead-letters.db</c> in the data directory): records the cloud refused for good
/// (docs/uplink.md §2 rules 3–4), kept byte for byte with the reason so an operator can read, export, replay or
/// discard them (docs/gateway.md "Dead letters") while everything behind them flows on. Written before the outbox
/// is marked forwarded past the record, so a crash in between only writes the same row again (keyed by gateway seq).
/// </summary>
public sealed class DeadLetters : IDisposable
{
    readonly SqliteConnection _db;
    readonly object _lock = new();

    public DeadLetters(string path, string synchronous = "FULL")
    {
        _db = SqliteDatabase.Open(path, synchronous);
        SqliteDatabase.Execute(_db, """
            CREATE TABLE IF NOT EXISTS dead_letters (
              gw_seq INTEGER PRIMARY KEY,
              site TEXT NOT NULL,
              node_id TEXT NOT NULL,
              leaf TEXT NOT NULL,
              received_ms INTEGER NOT NULL,
              dead_ms INTEGER NOT NULL,
              reason TEXT NOT NULL,
              payload BLOB NOT NULL
            );
            """);
    }

    public void Add(OutboxMessage message, string reason, long nowUnixMs)
    {
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = "INSERT OR REPLACE INTO dead_letters VALUES ($seq, $site, $node, $leaf, $received, $dead, $reason, $payload)";
            command.Parameters.AddWithValue("$seq", message.GatewaySeq);
            command.Parameters.AddWithValue("$site", message.Site);
            command.Parameters.AddWithValue("$node", message.NodeId);
            command.Parameters.AddWithValue("$leaf", message.Leaf);
            command.Parameters.AddWithValue("$received", message.ReceivedUnixMs);
            command.Parameters.AddWithValue("$dead", nowUnixMs);
            command.Parameters.AddWithValue("$reason", reason);
            command.Parameters.AddWithValue("$payload", message.Payload);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Up to <paramref name="limit"/> entries after <paramref name="afterGatewaySeq"/>, oldest first.</summary>
    public IReadOnlyList<DeadLetter> List(long afterGatewaySeq = 0, int limit = 1000)
    {
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = "SELECT gw_seq, site, node_id, leaf, received_ms, dead_ms, reason, payload FROM dead_letters WHERE gw_seq > $after ORDER BY gw_seq LIMIT $limit";
            command.Parameters.AddWithValue("$after", afterGatewaySeq);
            command.Parameters.AddWithValue("$limit", Math.Clamp(limit, 1, 10_000));
            using var reader = command.ExecuteReader();
            var result = new List<DeadLetter>();
            while (reader.Read())
            {
                result.Add(new DeadLetter(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4),
                    reader.GetInt64(5), reader.GetString(6), (byte[])reader[7]));
            }
            return result;
        }
    }

    public DeadLetter? Find(long gatewaySeq)
    {
        var found = List(gatewaySeq - 1, 1);
        return found.Count == 1 && found[0].GatewaySeq == gatewaySeq ? found[0] : null;
    }

    public bool Remove(long gatewaySeq)
    {
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = "DELETE FROM dead_letters WHERE gw_seq = $seq";
            command.Parameters.AddWithValue("$seq", gatewaySeq);
            return command.ExecuteNonQuery() == 1;
        }
    }

    public long Count()
    {
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM dead_letters";
            return (long)command.ExecuteScalar()!;
        }
    }

    public void Dispose() => _db.Dispose();
}
