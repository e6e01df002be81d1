using System;
using System.Data.Common;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace Edge.Cloud.Storage;

/// <summary>PostgreSQL connections from one pooled <see cref="NpgsqlDataSource"/>.</summary>
public sealed class PostgresConnections : IStorageConnections, IDisposable
{
    public PostgresConnections(string connectionString)
    {
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public NpgsqlDataSource DataSource { get; }

    public StorageKind Kind => StorageKind.Postgres;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        await DataSource.OpenConnectionAsync(cancellationToken);

    public void Dispose() => DataSource.Dispose();
}
