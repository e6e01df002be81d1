using System;
using System.Threading.Tasks;
using Edge.Cloud.Storage;
using Edge.Cloud.Tests.Support;

namespace Edge.Cloud.Tests.Storage;

/// <summary>The storage suite on a real PostgreSQL (EDGE_TEST_POSTGRES), in a schema of its own.</summary>
public sealed class PostgresStorageTests : StorageSuite
{
    private TestPostgres? _database;

    protected override async Task<IStorageConnections> CreateConnectionsAsync()
    {
        _database = await TestPostgres.CreateAsync();
        return new PostgresConnections(_database.ConnectionString);
    }

    protected override IIngestStore CreateStore(IStorageConnections connections) =>
        new PostgresIngestStore((PostgresConnections)connections, TimeProvider.System);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }

    [Fact]
    public async Task Telemetry_goes_into_monthly_partitions_created_on_demand()
    {
        var march = new DateTimeOffset(2026, 3, 15, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var april = new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        Assert.Equal(0, await CountAsync($"SELECT COUNT(*) FROM pg_tables WHERE schemaname = '{_database!.Schema}' AND tablename LIKE 'telemetry_y%'"));

        await Store.StoreAsync([Valid(Records.Streetlight(1, "sl-0001", march, 50)), Valid(Records.Streetlight(2, "sl-0001", april, 50))]);

        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM telemetry_y2026m03"));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM telemetry_y2026m04"));
        // The partition bounds are the month's first second (inclusive) to the next month's (exclusive).
        Assert.Equal((march - 14 * 86400 - 12 * 3600, april), (TelemetryPartitions.MonthOf(march).From, TelemetryPartitions.MonthOf(march).To));
        Assert.Equal("telemetry", (string)(await RowAsync("SELECT p.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE c.relname = 'telemetry_y2026m04'"))[0]!);
    }

    [Fact]
    public async Task A_new_store_instance_finds_existing_partitions_without_failing()
    {
        var march = new DateTimeOffset(2026, 3, 15, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        await Store.StoreAsync([Valid(Records.Streetlight(1, "sl-0001", march, 50))]);
        var second = CreateStore(Connections);
        Assert.Equal(new StoreResult(1, 0), await second.StoreAsync([Valid(Records.Streetlight(2, "sl-0001", march + 60, 50))]));
    }
}
