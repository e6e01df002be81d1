using System.Data.Common;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Edge.Cloud.Storage;

/// <summary>SQLite file connections: WAL journal (readers never block the single writer), a busy timeout so
/// concurrent writers queue instead of failing, and foreign keys on.</summary>
public sealed class SqliteConnections : IStorageConnections
{
    private readonly string _connectionString;

    /// <summary>Native connections already set up. The pool hands the same native connection out again and the settings
    /// below stay on it, so they run once per native connection, not at every open (an ingest batch opens several).
    /// Weak keys: a native connection the pool closed is forgotten with it, and its successor is set up afresh.</summary>
    private readonly ConditionalWeakTable<sqlite3, object> _configured = new();

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
        var handle = connection.Handle!;
        if (_configured.TryGetValue(handle, out _)) return connection;
        using var pragma = connection.CreateCommand();
        // WAL persists in the file; synchronous=NORMAL is durable across process crashes in WAL mode and
        // only risks the last transactions on power loss, which the gateway's retry covers (idempotent seq).
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        _configured.AddOrUpdate(handle, handle);
        return connection;
    }
}
