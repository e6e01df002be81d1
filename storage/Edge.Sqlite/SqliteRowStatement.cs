using System;
using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Edge.Sqlite;

/// <summary>
/// One SQL statement prepared on a SQLite connection's native handle and executed once per row, its parameters bound
/// by position straight into SQLite: for the statements a write path runs hundreds of times a second — the cloud's
/// ingest store (records, telemetry, events, <c>node_state</c>) and the gateway's durable outbox (every accepted
/// message, its dedupe ranges). Microsoft.Data.Sqlite binds each parameter of each execution through a new binder
/// object, the parameter's name converted to UTF-8 again and its value boxed, and runs each execution through a new
/// data reader: 2.2 of the 3.7 MB the cloud allocated per 500-record batch on SQLite (docs/cloud.md §Where the HTTP
/// path's CPU goes), and about 10 µs of the gateway's CPU per message (docs/gateway.md §Benchmark). Here a row
/// allocates nothing.
/// </summary>
/// <remarks>Runs inside the connection's current transaction, like any command on it. Usage per row: <c>Add</c> each
/// parameter in the order the SQL names them, then <see cref="Execute"/> (or <see cref="ExecuteInsert"/>). Errors throw
/// <see cref="SqliteException"/> as the driver's would (a constraint violation, a trigger's abort, a full disk). Dispose
/// it before its connection closes.</remarks>
public sealed class SqliteRowStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int _parameters;
    private int _next = 1;
    // Text is encoded here and SQLite copies it (SQLITE_TRANSIENT), so one buffer serves every row.
    private byte[] _utf8 = new byte[1024];

    public SqliteRowStatement(DbConnection connection, string sql)
    {
        _db = ((SqliteConnection)connection).Handle ?? throw new InvalidOperationException("The SQLite connection is not open");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        _parameters = raw.sqlite3_bind_parameter_count(_statement);
    }

    public SqliteRowStatement Add(string? value)
    {
        if (value is null) return Null();
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (length > _utf8.Length) _utf8 = new byte[Math.Max(length, _utf8.Length * 2)];
        var written = Encoding.UTF8.GetBytes(value, _utf8);
        Check(raw.sqlite3_bind_text(_statement, _next++, _utf8.AsSpan(0, written)));
        return this;
    }

    /// <summary>A blob, copied by SQLite (an empty one is a zero-length blob, not NULL, as the driver stores an empty
    /// <c>byte[]</c>).</summary>
    public SqliteRowStatement Add(ReadOnlySpan<byte> value)
    {
        Check(raw.sqlite3_bind_blob(_statement, _next++, value));
        return this;
    }

    public SqliteRowStatement Add(long? value)
    {
        if (value is not { } v) return Null();
        Check(raw.sqlite3_bind_int64(_statement, _next++, v));
        return this;
    }

    /// <summary>As the driver stores a bool: the integer 1 or 0.</summary>
    public SqliteRowStatement Add(bool? value) => Add(value is { } v ? v ? 1L : 0L : null);

    public SqliteRowStatement Add(double? value)
    {
        if (value is not { } v) return Null();
        // The driver refuses NaN too (SQLite would store it as NULL).
        if (double.IsNaN(v)) throw new InvalidOperationException("Cannot store a NaN");
        Check(raw.sqlite3_bind_double(_statement, _next++, v));
        return this;
    }

    private SqliteRowStatement Null()
    {
        Check(raw.sqlite3_bind_null(_statement, _next++));
        return this;
    }

    /// <summary>Runs the statement with the values added since the last run; returns the rows it changed.</summary>
    public int Execute()
    {
        // Every parameter, every row: a value left bound from the previous row must never be stored by mistake.
        if (_next != _parameters + 1) throw new InvalidOperationException($"{_next - 1} values added for {_parameters} parameters");
        _next = 1;
        var rc = raw.sqlite3_step(_statement);
        try
        {
            if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc == raw.SQLITE_ROW ? raw.SQLITE_MISUSE : rc, _db);
            return raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Runs an <c>INSERT</c> of one row with the values added since the last run; returns the row's rowid (its
    /// <c>INTEGER PRIMARY KEY</c>). A statement that inserted no row (e.g. <c>INSERT OR IGNORE</c> meeting a stored key)
    /// throws: the connection's last rowid would then be another row's.</summary>
    public long ExecuteInsert()
    {
        if (Execute() != 1) throw new InvalidOperationException("The statement inserted no row");
        return raw.sqlite3_last_insert_rowid(_db);
    }

    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            _next = 1;
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
