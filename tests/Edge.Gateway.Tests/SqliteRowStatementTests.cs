using System;
using System.IO;
using System.Threading.Tasks;
using Edge.Gateway.Outbox;
using Edge.Gateway.Tests.Metrics;
using Edge.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Gateway.Tests;

/// <summary>
/// The outbox binds each message straight into SQLite (<see cref="SqliteRowStatement"/>, shared with the cloud's
/// SQLite store): every column lands where the driver would have put it, an empty blob stays a blob, and errors
/// surface as the driver's.
/// </summary>
public sealed class SqliteRowStatementTests
{
    [Fact]
    public async Task An_appended_message_is_stored_column_for_column_under_the_gateway_seq_it_was_given()
    {
        var path = Path.Combine(TestGateway.NewTempDir(), "outbox.db");
        using var meters = new TestMeters();
        var outbox = new DurableOutbox(path, new OutboxOptions(), meters.Gateway, NullLogger<DurableOutbox>.Instance);
        // Bytes no text column would keep: a NUL, an invalid UTF-8 byte, a high byte.
        byte[] payload = [0x7b, 0x00, 0xff, 0xc3, 0x28, 0x7d];
        const string trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        var first = await outbox.AppendAsync(new OutboxAppend("site-a", "sl-0001", "event", 7, 42, MessageClass.Kept, payload, 1_764_000_000_123, trace));
        var second = await outbox.AppendAsync(new OutboxAppend("site-b", "sl-0002", "telemetry", 3, 9, MessageClass.Routine, [0x7b, 0x7d], 5));
        await outbox.DisposeAsync();

        Assert.Equal(AppendOutcome.Committed, first.Outcome);
        Assert.Equal(first.GatewaySeq + 1, second.GatewaySeq);
        using var db = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var read = db.CreateCommand();
        read.CommandText = "SELECT gw_seq, site, node_id, leaf, boot, seq, class, received_ms, size, payload, trace FROM outbox ORDER BY gw_seq";
        using var row = read.ExecuteReader();
        Assert.True(row.Read());
        Assert.Equal(first.GatewaySeq, row.GetInt64(0));
        Assert.Equal(("site-a", "sl-0001", "event"), (row.GetString(1), row.GetString(2), row.GetString(3)));
        Assert.Equal((7L, 42L, (long)MessageClass.Kept, 1_764_000_000_123L), (row.GetInt64(4), row.GetInt64(5), row.GetInt64(6), row.GetInt64(7)));
        Assert.Equal(payload.Length + DurableOutbox.RowOverheadBytes, row.GetInt64(8));
        Assert.Equal(payload, (byte[])row.GetValue(9));
        Assert.Equal(trace, row.GetString(10));
        Assert.True(row.Read());
        Assert.Equal(second.GatewaySeq, row.GetInt64(0));
        Assert.Equal(("site-b", "sl-0002", "telemetry", (long)MessageClass.Routine), (row.GetString(1), row.GetString(2), row.GetString(3), row.GetInt64(6)));
        Assert.True(row.IsDBNull(10)); // no trace: NULL, not an empty string
        Assert.False(row.Read());
    }

    [Fact]
    public void An_empty_blob_is_stored_as_a_zero_length_blob_not_as_null()
    {
        // What the outbox's NOT NULL payload column relies on, as it did with the driver's binding.
        using var db = Open("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB NOT NULL)");
        using (var insert = new SqliteRowStatement(db, "INSERT INTO t (b) VALUES ($b)"))
        {
            insert.Add(ReadOnlySpan<byte>.Empty).Execute();
        }
        Assert.Equal("blob:0", Scalar(db, "SELECT typeof(b) || ':' || length(b) FROM t"));
    }

    [Fact]
    public void An_insert_returns_its_rowid_and_one_that_stored_nothing_throws()
    {
        using var db = Open("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, k TEXT NOT NULL UNIQUE)");
        using var insert = new SqliteRowStatement(db, "INSERT OR IGNORE INTO t (k) VALUES ($k)");
        Assert.Equal(1, insert.Add("a").ExecuteInsert());
        Assert.Equal(2, insert.Add("b").ExecuteInsert());
        // Ignored: the connection's last rowid is still 2, which is not this row's.
        Assert.Throws<InvalidOperationException>(() => insert.Add("a").ExecuteInsert());
        var rowid = insert.Add("c").ExecuteInsert();
        Assert.Equal(Scalar(db, "SELECT id FROM t WHERE k = 'c'"), rowid.ToString());
    }

    [Fact]
    public void A_trigger_that_aborts_throws_the_drivers_exception_and_the_statement_runs_again_afterwards()
    {
        using var db = Open("""
            CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL);
            CREATE TRIGGER no_negatives BEFORE INSERT ON t WHEN NEW.v < 0 BEGIN SELECT RAISE(ABORT, 'negative'); END;
            """);
        using var insert = new SqliteRowStatement(db, "INSERT INTO t (v) VALUES ($v)");
        var error = Assert.Throws<SqliteException>(() => insert.Add(-1).Execute());
        Assert.Contains("negative", error.Message);
        Assert.Equal(1, insert.Add(5).Execute());
        Assert.Equal("5", Scalar(db, "SELECT group_concat(v) FROM t"));
    }

    static SqliteConnection Open(string schema)
    {
        var db = new SqliteConnection($"Data Source={Path.Combine(TestGateway.NewTempDir(), "t.db")};Pooling=False");
        db.Open();
        using var create = db.CreateCommand();
        create.CommandText = schema;
        create.ExecuteNonQuery();
        return db;
    }

    static string Scalar(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar())!;
    }
}
