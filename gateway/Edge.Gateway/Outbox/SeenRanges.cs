using System;
using System.Collections.Generic;
using Edge.Gateway.Registry;
using Edge.Sqlite;
using Microsoft.Data.Sqlite;

namespace Edge.Gateway.Outbox;

/// <summary>
/// The outbox's dedupe memory (protocol.md §5.4, §16.2): for each (node, boot) the seqs already stored, as disjoint
/// ranges [lo, hi] — a node numbers its messages 1, 2, 3 … per boot, so one range usually covers all of a boot, and a
/// re-send arriving out of order only opens a gap that closes when the missing seq comes. Kept in memory for the check
/// and in table <c>seen_ranges</c> (one row per range) for restarts, written in the same transaction as the messages.
///
/// Why ranges, not a row per message: a row per (node, boot, seq) made every commit rewrite one B-tree page per node
/// in its batch (the keys are ordered by node, the table held every seq of the week), which was most of what a commit
/// wrote to the WAL. The ranges table holds about one small row per (node, boot): a batch rewrites a few pages.
///
/// Only the writer loop uses it (single-threaded). A batch's changes stay undoable until <see cref="Commit"/>: a
/// failed transaction calls <see cref="Rollback"/>, so nothing of it is remembered as seen (its re-sends are stored).
/// A range is forgotten when its newest message is older than the dedupe window (<see cref="Prune"/>).
/// </summary>
sealed class SeenRanges : IDisposable
{
    readonly Dictionary<(string Node, long Boot), List<SeqRange>> _ranges = new();

    /// <summary>The keys this batch changed, with their ranges as they were before it: undone on failure, diffed on write.</summary>
    readonly Dictionary<(string Node, long Boot), SeqRange[]> _before = new();

    // Bound straight into SQLite (SqliteRowStatement): a batch of 50 nodes writes 50 ranges, one per message.
    readonly SqliteRowStatement _upsert;
    readonly SqliteRowStatement _delete;

    public SeenRanges(SqliteConnection writer)
    {
        SqliteDatabase.Execute(writer, """
            CREATE TABLE IF NOT EXISTS seen_ranges (
              node_id TEXT NOT NULL,
              boot INTEGER NOT NULL,
              lo INTEGER NOT NULL,
              hi INTEGER NOT NULL,
              received_ms INTEGER NOT NULL,
              PRIMARY KEY (node_id, boot, lo)
            ) WITHOUT ROWID;
            """);
        _upsert = new SqliteRowStatement(writer, "INSERT INTO seen_ranges (node_id, boot, lo, hi, received_ms) VALUES ($node, $boot, $lo, $hi, $ms) " +
            "ON CONFLICT (node_id, boot, lo) DO UPDATE SET hi = excluded.hi, received_ms = excluded.received_ms");
        _delete = new SqliteRowStatement(writer, "DELETE FROM seen_ranges WHERE node_id = $node AND boot = $boot AND lo = $lo");
        MigrateSeenRows(writer);
        using (var load = writer.CreateCommand())
        {
            load.CommandText = "SELECT node_id, boot, lo, hi, received_ms FROM seen_ranges ORDER BY node_id, boot, lo";
            using var reader = load.ExecuteReader();
            while (reader.Read())
            {
                var key = (reader.GetString(0), reader.GetInt64(1));
                if (!_ranges.TryGetValue(key, out var list)) _ranges[key] = list = new List<SeqRange>(1);
                list.Add(new SeqRange(reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
            }
        }
    }

    /// <summary>Records (node, boot, seq) as stored; false when it was already (a duplicate: store nothing).</summary>
    public bool TryAdd(string node, long boot, long seq, long receivedMs)
    {
        var key = (node, boot);
        if (!_ranges.TryGetValue(key, out var list))
        {
            _before.TryAdd(key, Array.Empty<SeqRange>());
            _ranges[key] = new List<SeqRange>(1) { new(seq, seq, receivedMs) };
            return true;
        }
        // The last range whose lo ≤ seq (lists are short and sorted by lo; usually one range).
        var i = list.Count - 1;
        while (i >= 0 && list[i].Lo > seq) i--;
        if (i >= 0 && seq <= list[i].Hi) return false;

        _before.TryAdd(key, list.ToArray());
        var joinsLeft = i >= 0 && list[i].Hi == seq - 1;
        var joinsRight = i + 1 < list.Count && list[i + 1].Lo == seq + 1;
        if (joinsLeft && joinsRight)
        {
            list[i] = new SeqRange(list[i].Lo, list[i + 1].Hi, Math.Max(receivedMs, Math.Max(list[i].LastMs, list[i + 1].LastMs)));
            list.RemoveAt(i + 1);
        }
        else if (joinsLeft)
        {
            list[i] = new SeqRange(list[i].Lo, seq, Math.Max(receivedMs, list[i].LastMs));
        }
        else if (joinsRight)
        {
            list[i + 1] = new SeqRange(seq, list[i + 1].Hi, Math.Max(receivedMs, list[i + 1].LastMs));
        }
        else
        {
            list.Insert(i + 1, new SeqRange(seq, seq, receivedMs));
        }
        return true;
    }

    /// <summary>Forgets every range whose newest message is older than <paramref name="cutoffMs"/> (part of the batch: undoable).</summary>
    public void Prune(long cutoffMs)
    {
        List<(string, long)>? emptied = null;
        foreach (var (key, list) in _ranges)
        {
            if (!list.Exists(r => r.LastMs < cutoffMs)) continue;
            _before.TryAdd(key, list.ToArray());
            list.RemoveAll(r => r.LastMs < cutoffMs);
            if (list.Count == 0) (emptied ??= new()).Add(key);
        }
        if (emptied is null) return;
        foreach (var key in emptied) _ranges.Remove(key);
    }

    /// <summary>Writes what this batch changed into <c>seen_ranges</c>, inside the writer connection's open transaction
    /// (the batch's).</summary>
    public void Write()
    {
        foreach (var (key, before) in _before)
        {
            var now = _ranges.TryGetValue(key, out var list) ? list : null;
            foreach (var old in before)
            {
                if (now is null || !HasLo(now, old.Lo)) _delete.Add(key.Node).Add(key.Boot).Add(old.Lo).Execute();
            }
            if (now is null) continue;
            foreach (var range in now)
            {
                if (Array.IndexOf(before, range) < 0) Upsert(key, range);
            }
        }
    }

    // A loop, not List.Exists with a lambda: the lambda would capture lo, an allocation per range per commit.
    static bool HasLo(List<SeqRange> list, long lo)
    {
        foreach (var range in list)
        {
            if (range.Lo == lo) return true;
        }
        return false;
    }

    void Upsert((string Node, long Boot) key, SeqRange range) =>
        _upsert.Add(key.Node).Add(key.Boot).Add(range.Lo).Add(range.Hi).Add(range.LastMs).Execute();

    /// <summary>The batch is durable: its changes stay.</summary>
    public void Commit() => _before.Clear();

    /// <summary>The batch's transaction failed: memory goes back to what is committed.</summary>
    public void Rollback()
    {
        foreach (var (key, before) in _before)
        {
            if (before.Length == 0) _ranges.Remove(key);
            else _ranges[key] = new List<SeqRange>(before);
        }
        _before.Clear();
    }

    /// <summary>
    /// Migration: an outbox from before the ranges kept table <c>seen</c> (one row per stored message). Its rows become
    /// ranges and the table goes, in one transaction; re-sends of what it held are still recognised.
    /// </summary>
    void MigrateSeenRows(SqliteConnection writer)
    {
        using var exists = writer.CreateCommand();
        exists.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'seen'";
        if ((long)exists.ExecuteScalar()! == 0) return;
        using var transaction = writer.BeginTransaction();
        using (var read = writer.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT node_id, boot, seq, received_ms FROM seen ORDER BY node_id, boot, seq";
            using var reader = read.ExecuteReader();
            while (reader.Read()) TryAdd(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        }
        foreach (var (key, list) in _ranges)
        {
            foreach (var range in list) Upsert(key, range);
        }
        using (var drop = writer.CreateCommand())
        {
            drop.Transaction = transaction;
            drop.CommandText = "DROP INDEX IF EXISTS seen_age; DROP TABLE seen;";
            drop.ExecuteNonQuery();
        }
        transaction.Commit();
        _ranges.Clear(); // loaded again from seen_ranges by the caller
        _before.Clear();
    }

    public void Dispose()
    {
        _upsert.Dispose();
        _delete.Dispose();
    }

    /// <summary>Seqs lo..hi stored; <see cref="LastMs"/>: when the newest of them was received.</summary>
    readonly record struct SeqRange(long Lo, long Hi, long LastMs);
}
