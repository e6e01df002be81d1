using System;
using System.Data.Common;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace Edge.Cloud.Storage;

/// <summary>PostgreSQL connections from one pooled <see cref="NpgsqlDataSource"/>.</summary>
public sealed class PostgresConnections : IStorageConnections, IDisposable
{
    /// <summary>
    /// Statements each physical connection keeps prepared (Npgsql's <c>Max Auto Prepare</c>), unless the connection
    /// string says otherwise. Ingestion and the record feed run the same few statements for every batch; prepared,
    /// PostgreSQL parses and plans each of them once per connection instead of at every execution (a statement is
    /// prepared at its fifth use on a connection, Npgsql's <c>Auto Prepare Min Usages</c>). A pooler in transaction
    /// mode without prepared statement support (PgBouncer before 1.21) needs <c>Max Auto Prepare=0</c> in the
    /// connection string (docs/cloud.md "Storage").
    /// </summary>
    public const int DefaultMaxAutoPrepare = 50;

    public PostgresConnections(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (!Names(connectionString, "Max Auto Prepare")) builder.ConnectionStringBuilder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        DataSource = builder.Build();
    }

    public NpgsqlDataSource DataSource { get; }

    public StorageKind Kind => StorageKind.Postgres;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        await DataSource.OpenConnectionAsync(cancellationToken);

    public void Dispose() => DataSource.Dispose();

    /// <summary>Whether the connection string sets <paramref name="keyword"/> (spaces and case aside, as Npgsql reads it).</summary>
    private static bool Names(string connectionString, string keyword)
    {
        static string Plain(string key) => key.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
        var parsed = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return parsed.Keys.Cast<string>().Any(key => Plain(key) == Plain(keyword));
    }
}
