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
}
