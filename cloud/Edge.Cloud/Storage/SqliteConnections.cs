using System.Data.Common;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;

namespace Edge.Cloud.Storage;

/// <summary>SQLite file connections: WAL journal (readers never block the single writer), a busy timeout so
/// concurrent writers queue instead of failing, and foreign keys on.</summary>
public sealed class SqliteConnections : IStorageConnections
{
    private readonly string _connectionString;

    public SqliteConnections(string databaseFile)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(databaseFile));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        DatabaseFile = databaseFile;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databaseFile,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabaseFile { get; }

    public StorageKind Kind => StorageKind.Sqlite;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        using var pragma = connection.CreateCommand();
        // WAL persists in the file; synchronous=NORMAL is durable across process crashes in WAL mode and
        // only risks the last transactions on power loss, which the gateway's retry covers (idempotent seq).
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}
