using System;
using System.Security.Cryptography;
using Edge.Gateway.Registry;
using Microsoft.Data.Sqlite;

namespace Edge.Gateway.Outbox;

/// <summary>
/// The outbox's identity (docs/uplink.md §2 <c>epoch</c>): made once when outbox.db is created and stored in it,
/// <c>&lt;creation Unix seconds&gt;-&lt;16 random hex digits&gt;</c>. Gateway sequence numbers are unique only within
/// an outbox; a wiped or replaced data folder starts them at 1 again, so the cloud keys records by
/// (gateway, epoch, seq) and sees the new epoch as a storage reset instead of dropping every new record as a
/// duplicate. An outbox that had numbered records before epochs existed keeps the empty epoch, which is what the
/// cloud assumes for batches without one, so its records are never stored twice.
/// </summary>
public static class OutboxEpoch
{
    public static string LoadOrCreate(SqliteConnection connection)
    {
        SqliteDatabase.Execute(connection, "CREATE TABLE IF NOT EXISTS outbox_epoch (epoch TEXT NOT NULL, created_ms INTEGER NOT NULL)");
        using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT epoch FROM outbox_epoch LIMIT 1";
            if (read.ExecuteScalar() is string existing) return existing;
        }
        long used;
        using (var numbered = connection.CreateCommand())
        {
            numbered.CommandText = """
                SELECT (SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'outbox')
                     + (SELECT COALESCE(MAX(value), 0) FROM meta WHERE key = 'forwarded_up_to')
                """;
            used = (long)numbered.ExecuteScalar()!;
        }
        var now = DateTimeOffset.UtcNow;
        var epoch = used > 0 ? "" : $"{now.ToUnixTimeSeconds()}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO outbox_epoch (epoch, created_ms) VALUES ($epoch, $ms)";
        insert.Parameters.AddWithValue("$epoch", epoch);
        insert.Parameters.AddWithValue("$ms", now.ToUnixTimeMilliseconds());
        insert.ExecuteNonQuery();
        return epoch;
    }
}
