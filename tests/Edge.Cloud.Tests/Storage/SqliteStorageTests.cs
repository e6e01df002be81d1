using System.IO;
using System.Threading.Tasks;
using Edge.Cloud.Storage;
using Edge.Cloud.Tests.Support;

namespace Edge.Cloud.Tests.Storage;

/// <summary>The storage suite on a SQLite file in a temp folder.</summary>
public sealed class SqliteStorageTests : StorageSuite
{
    private readonly TempDirectory _directory = new();

    protected override Task<IStorageConnections> CreateConnectionsAsync() =>
        Task.FromResult<IStorageConnections>(new SqliteConnections(Path.Combine(_directory.Path, "edge.db")));

    protected override IIngestStore CreateStore(IStorageConnections connections) =>
        new SqliteIngestStore(connections, System.TimeProvider.System);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task The_database_file_uses_the_write_ahead_log()
    {
        await using var connection = await Connections.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    /// <summary>The settings run once per native connection (SqliteConnections): a connection from the pool must still
    /// have them, and so must a new native connection after the pool let the old ones go.</summary>
    [Fact]
    public async Task Every_connection_from_the_pool_or_new_has_foreign_keys_the_busy_timeout_and_synchronous_normal()
    {
        object? lastHandle = null;
        async Task<(long ForeignKeys, long BusyTimeout, long Synchronous)> SettingsAsync()
        {
            await using var connection = await Connections.OpenAsync();
            lastHandle = ((Microsoft.Data.Sqlite.SqliteConnection)connection).Handle;
            async Task<long> Pragma(string name)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA " + name;
                return (long)(await command.ExecuteScalarAsync())!;
            }
            return (await Pragma("foreign_keys"), await Pragma("busy_timeout"), await Pragma("synchronous"));
        }

        var expected = (1L, 30000L, 1L); // synchronous 1 = NORMAL
        Assert.Equal(expected, await SettingsAsync());
        var first = lastHandle;
        Assert.Equal(expected, await SettingsAsync());
        Assert.Same(first, lastHandle); // the same native connection from the pool, which SqliteConnections does not set up again
        // Two at once: the second is a new native connection while the first is out.
        await using (var held = await Connections.OpenAsync()) Assert.Equal(expected, await SettingsAsync());
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.Equal(expected, await SettingsAsync());
    }
}
