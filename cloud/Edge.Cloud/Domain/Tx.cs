using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Storage;

namespace Edge.Cloud.Domain;

/// <summary>
/// One database transaction of a domain operation: the change, the desired-state changes it causes and its
/// audit entry commit together or not at all. SQLite transactions start <c>BEGIN IMMEDIATE</c> (the driver's
/// default), so a read-then-write never dead-ends on a lock upgrade.
/// </summary>
public sealed class Tx : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly DbTransaction? _transaction;
    private bool _changesLocked;
    private readonly List<Action> _afterCommit = new();

    private Tx(StorageKind kind, DbConnection connection, DbTransaction? transaction)
    {
        Kind = kind;
        _connection = connection;
        _transaction = transaction;
    }

    public StorageKind Kind { get; }

    /// <summary>The connection, for bulk paths a command cannot take (PostgreSQL binary COPY joins the transaction
    /// the connection is in).</summary>
    internal DbConnection Connection => _connection;

    /// <summary>The transaction, for steps written against a plain connection and transaction (node state).</summary>
    internal DbTransaction? Transaction => _transaction;

    public CancellationToken Cancellation { get; private set; }

    /// <summary>A connection without transaction for reads (SQLite readers then never wait for the writer).</summary>
    public static async Task<Tx> ReadAsync(IStorageConnections connections, CancellationToken cancellationToken = default)
    {
        var connection = await connections.OpenAsync(cancellationToken);
        return new Tx(connections.Kind, connection, null) { Cancellation = cancellationToken };
    }

    public static async Task<Tx> BeginAsync(IStorageConnections connections, CancellationToken cancellationToken = default)
    {
        var connection = await connections.OpenAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            return new Tx(connections.Kind, connection, transaction) { Cancellation = cancellationToken };
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public DbCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Add(name, value);
        return command;
    }

    public async Task<int> ExecAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteNonQueryAsync(Cancellation);
    }

    public async Task<long?> LongAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        var value = await command.ExecuteScalarAsync(Cancellation);
        return value is null or DBNull ? null : Convert.ToInt64(value);
    }

    public async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(Cancellation);
        var rows = new List<T>();
        while (await reader.ReadAsync(Cancellation)) rows.Add(map(reader));
        return rows;
    }

    /// <summary>The placeholders (<c>@p0, @p1, …</c>) and parameters of an SQL <c>IN</c> list of <paramref name="values"/>:
    /// neither engine binds one array parameter to <c>IN</c> portably, so each value is its own named parameter.</summary>
    public static (string Names, (string Name, object? Value)[] Parameters) InList(string prefix, IEnumerable<string> values)
    {
        var parameters = values.Select((v, i) => (prefix + i, (object?)v)).ToArray();
        return (string.Join(", ", parameters.Select(p => p.Item1)), parameters);
    }

    /// <summary>
    /// A condition "<paramref name="column"/> is one of <paramref name="values"/>" with one parameter, and that parameter:
    /// on PostgreSQL a text array (<c>= ANY(@p)</c>), on SQLite a JSON array read by <c>json_each</c>. A list of one
    /// parameter per value (<see cref="InList"/>) costs more to bind than to run at a batch's ~500 values: SQLite prepares
    /// the statement anew for each length, and Microsoft.Data.Sqlite binds each parameter by name.
    /// </summary>
    public (string Condition, (string Name, object? Value) Parameter) AnyOf(string column, string parameter, IReadOnlyCollection<string> values) =>
        Kind == StorageKind.Postgres
            ? ($"{column} = ANY({parameter})", (parameter, values.ToArray()))
            : ($"{column} IN (SELECT value FROM json_each({parameter}))", (parameter, System.Text.Json.JsonSerializer.Serialize(values)));

    public async Task<T?> SingleAsync<T>(string sql, Func<DbDataReader, T> map, params (string Name, object? Value)[] parameters) where T : class
    {
        var rows = await QueryAsync(sql, map, parameters);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>
    /// PostgreSQL hands out sequence values before commit, so two writers could commit change 8 before change
    /// 7 and a long poll that already answered "up to 8" would never see 7. Appending to
    /// <c>desired_changes</c> therefore takes a table lock until commit: change numbers become visible in
    /// order. (SQLite has one writer at a time anyway.)
    /// </summary>
    public async Task LockChangesAsync()
    {
        if (_changesLocked || Kind != StorageKind.Postgres) return;
        await ExecAsync("LOCK TABLE desired_changes IN SHARE ROW EXCLUSIVE MODE");
        _changesLocked = true;
    }

    /// <summary>Runs <paramref name="action"/> once the transaction has committed (e.g. wake long polls).</summary>
    public void AfterCommit(Action action) => _afterCommit.Add(action);

    public async Task CommitAsync()
    {
        if (_transaction is not null) await _transaction.CommitAsync(Cancellation);
        foreach (var action in _afterCommit) action();
        _afterCommit.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null) await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}

/// <summary>Reader helpers for the domain stores (instants are Unix seconds in BIGINT columns).</summary>
public static class Rows
{
    public static string? Str(this DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    public static long? Long(this DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToInt64(r.GetValue(i));

    public static double? Dbl(this DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToDouble(r.GetValue(i));

    public static bool Bool(this DbDataReader r, int i) => !r.IsDBNull(i) && Convert.ToBoolean(r.GetValue(i));
}
