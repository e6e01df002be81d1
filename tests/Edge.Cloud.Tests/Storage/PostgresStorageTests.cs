using System;
using System.Linq;
using System.Threading.Tasks;
using Edge.Cloud.Storage;
using Edge.Cloud.Tests.Support;
using Npgsql;

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
    public async Task Node_state_updates_stay_on_their_page()
    {
        // fillfactor 50 leaves room on each page, so a node's new row version goes on the same page (a HOT update,
        // no new index entry); full pages (the default) send it elsewhere.
        Assert.Equal("fillfactor=50", (string)(await RowAsync($"SELECT array_to_string(c.reloptions, ',') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{_database!.Schema}' AND c.relname = 'node_state'"))[0]!);
        NodeStateRow Seen(int node, long at) => new("igoumenitsa", $"sl-{node:D4}", Gateway, at, null, null, "streetlight");
        await using var connection = await ((PostgresConnections)Connections).DataSource.OpenConnectionAsync();
        await using (var insert = await connection.BeginTransactionAsync())
        {
            await NodeStateFeed.UpsertPostgresAsync(connection, insert, Enumerable.Range(0, 400).Select(n => Seen(n, 1000)).ToList(), default);
            await insert.CommitAsync();
        }
        await using var update = await connection.BeginTransactionAsync();
        // Every other node seen again, as a batch touches a part of the fleet.
        await NodeStateFeed.UpsertPostgresAsync(connection, update, Enumerable.Range(0, 200).Select(n => Seen(2 * n, 2000)).ToList(), default);
        await using var stats = new NpgsqlCommand("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE schemaname = current_schema() AND relname = 'node_state'", connection, update);
        await using var reader = await stats.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((200L, 200L), (reader.GetInt64(0), reader.GetInt64(1)));
    }

    [Fact]
    public async Task A_new_store_instance_finds_existing_partitions_without_failing()
    {
        var march = new DateTimeOffset(2026, 3, 15, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        await Store.StoreAsync([Valid(Records.Streetlight(1, "sl-0001", march, 50))]);
        var second = CreateStore(Connections);
        Assert.Equal(new StoreResult(1, 0), await second.StoreAsync([Valid(Records.Streetlight(2, "sl-0001", march + 60, 50))]));
    }

    [Fact]
    public async Task A_batch_meeting_a_key_another_transaction_commits_meanwhile_goes_the_staged_way_and_stores_each_record_once()
    {
        var batch = Enumerable.Range(1, 3).Select(i => Valid(Records.Streetlight(i, "sl-0001", 1767304800 + i, level: 50))).ToArray();
        // Another batch with seq 2 is in flight: its transaction has written the record but not committed yet, so the
        // store's check does not see it and its COPY into records waits on the key.
        await using var other = new NpgsqlConnection(_database!.ConnectionString);
        await other.OpenAsync();
        await using var otherTx = await other.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO records (gateway, epoch, seq, node, site, kind, received_at, stored_at, payload) " +
            "VALUES (@g, '', 2, 'sl-0001', @site, 'telemetry', 1767304802, 1767304802, CAST(@p AS JSONB))", other, otherTx))
        {
            insert.Parameters.AddWithValue("g", Gateway);
            insert.Parameters.AddWithValue("site", batch[1].Site);
            insert.Parameters.AddWithValue("p", batch[1].PayloadJson);
            await insert.ExecuteNonQueryAsync();
        }

        var store = (PostgresIngestStore)Store;
        var storing = Task.Run(() => store.StoreAsync(batch));
        // Wait (no timing assertion) until the store's COPY is blocked on the other transaction's row lock.
        var limit = DateTime.UtcNow.AddSeconds(60);
        while (await CountAsync("SELECT COUNT(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'") == 0)
        {
            Assert.False(storing.IsCompleted, "the store finished without waiting for the other transaction");
            Assert.True(DateTime.UtcNow < limit, "the store never waited on the other transaction's key");
            await Task.Delay(20);
        }
        await otherTx.CommitAsync();

        Assert.Equal(new StoreResult(2, 1), await storing);
        Assert.Equal(1, store.StagedFallbacks);
        Assert.Equal(3, await CountAsync("SELECT COUNT(*) FROM records"));
        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM telemetry WHERE seq IN (1, 3)"));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM telemetry WHERE seq = 2")); // the other batch's, not this one's

        // A retry of the whole batch now finds every key in the check and writes nothing.
        Assert.Equal(new StoreResult(0, 3), await store.StoreAsync(batch));
        Assert.Equal(1, store.StagedFallbacks);
    }
}
