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
    public async Task Statements_run_often_are_prepared_on_their_connection_unless_the_connection_string_says_otherwise()
    {
        // At its fifth use on one physical connection a statement is prepared; a pooler without prepared statement
        // support is served by Max Auto Prepare=0 in the connection string, which must win over the default.
        Assert.Equal(1, await PreparedAfterRepeatsAsync(_database!.ConnectionString));
        Assert.Equal(0, await PreparedAfterRepeatsAsync(_database.ConnectionString + ";Max Auto Prepare=0"));
        Assert.Equal(0, await PreparedAfterRepeatsAsync(_database.ConnectionString + ";maxautoprepare=0"));
    }

    /// <summary>Runs one statement eight times on one connection, then counts that connection's prepared statements of it.</summary>
    private static async Task<long> PreparedAfterRepeatsAsync(string connectionString)
    {
        using var connections = new PostgresConnections(connectionString);
        await using var connection = await connections.DataSource.OpenConnectionAsync();
        for (var i = 0; i < 8; i++)
        {
            await using var repeated = new NpgsqlCommand("SELECT @x + 40 /* repeated */", connection) { Parameters = { new("x", i) } };
            Assert.Equal(40 + i, await repeated.ExecuteScalarAsync());
        }
        await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE '%/* repeated */%'", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_new_store_instance_finds_existing_partitions_without_failing()
    {
        var march = new DateTimeOffset(2026, 3, 15, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        await Store.StoreAsync([Valid(Records.Streetlight(1, "sl-0001", march, 50))]);
        var second = CreateStore(Connections);
        Assert.Equal(new StoreResult(1, 0), await second.StoreAsync([Valid(Records.Streetlight(2, "sl-0001", march + 60, 50))]));
    }

    /// <summary>Another batch's transaction that has written record <paramref name="seq"/> and not committed yet.</summary>
    private async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> UncommittedRecordAsync(IngestRecord record)
    {
        var connection = new NpgsqlConnection(_database!.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO records (gateway, epoch, seq, node, site, kind, received_at, stored_at, payload) " +
            "VALUES (@g, '', @seq, @node, @site, 'telemetry', @at, @at, CAST(@p AS JSONB))", connection, transaction);
        insert.Parameters.AddWithValue("g", record.Gateway);
        insert.Parameters.AddWithValue("seq", record.Seq);
        insert.Parameters.AddWithValue("node", record.Node!);
        insert.Parameters.AddWithValue("site", record.Site);
        insert.Parameters.AddWithValue("at", record.ReceivedAt);
        insert.Parameters.AddWithValue("p", record.PayloadJson);
        await insert.ExecuteNonQueryAsync();
        return (connection, transaction);
    }

    /// <summary>Waits (no timing assertion) until some transaction waits on a row the backend <paramref name="holder"/>
    /// has written: the store's COPY is blocked on that uncommitted key.</summary>
    private async Task WaitUntilBlockedByAsync(NpgsqlConnection holder, Task storing)
    {
        var limit = DateTime.UtcNow.AddSeconds(60);
        while (await CountAsync("SELECT COUNT(*) FROM pg_locks w JOIN pg_locks h ON h.locktype = 'transactionid' AND h.transactionid = w.transactionid " +
            $"AND h.granted AND h.pid = {holder.ProcessID} WHERE w.locktype = 'transactionid' AND NOT w.granted") == 0)
        {
            Assert.False(storing.IsCompleted, "the store finished without waiting for the other transaction");
            Assert.True(DateTime.UtcNow < limit, "the store never waited on the other transaction's key");
            await Task.Delay(20);
        }
    }

    private static IngestRecord[] ThreeLights() =>
        Enumerable.Range(1, 3).Select(i => Valid(Records.Streetlight(i, "sl-0001", 1767304800 + i, level: 50))).ToArray();

    [Fact]
    public async Task A_batch_meeting_a_key_another_transaction_commits_meanwhile_goes_again_without_it_and_stores_each_record_once()
    {
        var batch = ThreeLights();
        // Another batch with seq 2 is in flight: written, not committed, so the store's optimistic COPY waits on the key.
        var (other, otherTx) = await UncommittedRecordAsync(batch[1]);
        await using var _ = other;
        var store = (PostgresIngestStore)Store;
        var storing = Task.Run(() => store.StoreAsync(batch));
        await WaitUntilBlockedByAsync(other, storing);
        await otherTx.CommitAsync();

        // The COPY failed on the key, everything rolled back, and the checked retry stored the other two.
        Assert.Equal(new StoreResult(2, 1), await storing);
        Assert.Equal((1L, 0L), (store.CheckedRetries, store.StagedFallbacks));
        Assert.Equal(3, await CountAsync("SELECT COUNT(*) FROM records"));
        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM telemetry WHERE seq IN (1, 3)"));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM telemetry WHERE seq = 2")); // the other batch's, not this one's

        // A retry of the whole batch: its optimistic COPY fails on the first key, the check finds every key, nothing is written.
        Assert.Equal(new StoreResult(0, 3), await store.StoreAsync(batch));
        Assert.Equal((2L, 0L), (store.CheckedRetries, store.StagedFallbacks));
        Assert.Equal(3, await CountAsync("SELECT COUNT(*) FROM records"));
        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM telemetry"));
    }

    [Fact]
    public async Task A_checked_retry_meeting_a_key_committed_after_its_check_goes_the_staged_way_and_stores_each_record_once()
    {
        var batch = ThreeLights();
        // Two other batches in flight, holding seq 2 and seq 3.
        var (first, firstTx) = await UncommittedRecordAsync(batch[1]);
        var (second, secondTx) = await UncommittedRecordAsync(batch[2]);
        await using var _ = first;
        await using var __ = second;
        var store = (PostgresIngestStore)Store;
        var storing = Task.Run(() => store.StoreAsync(batch));
        // The optimistic COPY waits on seq 2; its commit fails the COPY.
        await WaitUntilBlockedByAsync(first, storing);
        await firstTx.CommitAsync();
        // The checked retry sees seq 2 stored but not the uncommitted seq 3, so its COPY waits on seq 3; that commit fails it too.
        await WaitUntilBlockedByAsync(second, storing);
        await secondTx.CommitAsync();

        // The staged way's ON CONFLICT tells the one new record from the two stored meanwhile.
        Assert.Equal(new StoreResult(1, 2), await storing);
        Assert.Equal((1L, 1L), (store.CheckedRetries, store.StagedFallbacks));
        Assert.Equal(3, await CountAsync("SELECT COUNT(*) FROM records"));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM telemetry WHERE seq = 1"));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM telemetry"));
    }
}
