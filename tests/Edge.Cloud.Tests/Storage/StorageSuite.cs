using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Cloud.Gateways;
using Edge.Cloud.Ingestion;
using Edge.Cloud.Storage;
using Edge.Cloud.Storage.Migrations;
using Edge.Cloud.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Cloud.Tests.Storage;

/// <summary>
/// The storage suite: every test runs against SQLite (<see cref="SqliteStorageTests"/>) and a real
/// PostgreSQL (<see cref="PostgresStorageTests"/>), each on a fresh, migrated database.
/// </summary>
public abstract partial class StorageSuite : IAsyncLifetime
{
    protected const string Gateway = "gw-igoumenitsa-1";
    protected IStorageConnections Connections { get; private set; } = null!;
    protected IIngestStore Store { get; private set; } = null!;

    protected abstract Task<IStorageConnections> CreateConnectionsAsync();

    protected abstract IIngestStore CreateStore(IStorageConnections connections);

    public async Task InitializeAsync()
    {
        Connections = await CreateConnectionsAsync();
        await NewMigrator().MigrateAsync();
        Store = CreateStore(Connections);
    }

    public virtual Task DisposeAsync()
    {
        (Connections as IDisposable)?.Dispose();
        return Task.CompletedTask;
    }

    protected Migrator NewMigrator(params IMigrationSource[] extra) =>
        new(Connections, new IMigrationSource[] { new IngestSchema(), new IntegritySchema() }.Concat(extra), NullLogger<Migrator>.Instance);

    protected static IngestRecord Valid(JsonObject record, string gateway = Gateway)
    {
        using var document = JsonDocument.Parse(record.ToJsonString());
        var check = RecordValidator.Validate(gateway, document.RootElement);
        Assert.True(check.Record is not null, check.Error);
        return check.Record!;
    }

    protected async Task<long> CountAsync(string sql)
    {
        await using var connection = await Connections.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    protected async Task<object?[]> RowAsync(string sql)
    {
        await using var connection = await Connections.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no row for: {sql}");
        var values = new object?[reader.FieldCount];
        for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        return values;
    }

    /// <summary>What the record feed does after ingestion: derives <c>node_state</c> from every stored stream.</summary>
    protected async Task<int> ApplyNodeStateAsync(NodeStateFeed? feed = null)
    {
        feed ??= new NodeStateFeed(Connections);
        var streams = new List<(string, string)>();
        await using (var connection = await Connections.OpenAsync())
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT DISTINCT gateway, epoch FROM records ORDER BY gateway, epoch";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) streams.Add((reader.GetString(0), reader.GetString(1)));
        }
        var read = 0;
        foreach (var (gateway, epoch) in streams) read += await feed.ApplyStreamAsync(gateway, epoch);
        return read;
    }

    private static IngestRecord[] MixedBatch() =>
    [
        Valid(Records.Streetlight(1, "sl-0001", 1767304800, level: 60)),
        Valid(Records.Water(2, "wl-0003", 1767304801, levelMm: 742, state: "watch")),
        Valid(Records.LampFault(3, "sl-0002", 1767304802)),
        Valid(Records.Ack(4, "sl-0001", 1767304803, "c-20260102-000381")),
        Valid(Records.Rule(5, 1767304804)),
        Valid(Records.State(6, "sl-0001", 1767304805, "online", configVersion: 43)),
    ];

    [Fact]
    public async Task Migration_is_recorded_once_and_a_second_run_applies_nothing()
    {
        Assert.Empty(await NewMigrator().MigrateAsync());
        Assert.Equal(6, await CountAsync("SELECT COUNT(*) FROM schema_version"));
        Assert.Equal(12, await CountAsync("SELECT MAX(version) FROM schema_version"));
    }

    private sealed class ProbeSchema : IMigrationSource
    {
        public IEnumerable<Migration> Migrations { get; } =
        [
            new Migration(150, "probe b", "CREATE TABLE probe_b (id INTEGER PRIMARY KEY, a_id INTEGER NOT NULL REFERENCES probe_a (id))",
                "CREATE TABLE probe_b (id INTEGER PRIMARY KEY, a_id INTEGER NOT NULL REFERENCES probe_a (id))"),
            new Migration(149, "probe a", "CREATE TABLE probe_a (id INTEGER PRIMARY KEY)", "CREATE TABLE probe_a (id INTEGER PRIMARY KEY)"),
        ];
    }

    [Fact]
    public async Task Another_concept_adds_migrations_that_run_once_in_version_order()
    {
        // probe_b references probe_a: listed first, it only succeeds if 149 runs before 150.
        Assert.Equal([149, 150], await NewMigrator(new ProbeSchema()).MigrateAsync());
        Assert.Empty(await NewMigrator(new ProbeSchema()).MigrateAsync());
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM probe_b"));
        Assert.Equal(8, await CountAsync("SELECT COUNT(*) FROM schema_version"));
    }

    [Fact]
    public void Two_migrations_with_one_version_are_refused()
    {
        var clash = new ClashSchema();
        var e = Assert.Throws<InvalidOperationException>(() => NewMigrator(clash));
        Assert.Contains("migration version 1 is defined twice", e.Message);
    }

    private sealed class ClashSchema : IMigrationSource
    {
        public IEnumerable<Migration> Migrations { get; } = [new Migration(1, "clash", "SELECT 1", "SELECT 1")];
    }

    [Fact]
    public async Task A_batch_stores_records_and_their_derived_rows()
    {
        var result = await Store.StoreAsync(MixedBatch());

        Assert.Equal(new StoreResult(6, 0), result);
        Assert.Equal(6, await CountAsync("SELECT COUNT(*) FROM records"));
        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM telemetry"));
        var light = await RowAsync("SELECT node, ts, type, level, watts, energy_wh, level_mm FROM telemetry WHERE node = 'sl-0001'");
        Assert.Equal(["sl-0001", 1767304800L, "streetlight", 60L, 38.4, 412873L, null], light.Select(Normalize));
        var water = await RowAsync("SELECT level_mm, flood_state, rate_mm_h, battery_v, level FROM telemetry WHERE node = 'wl-0003'");
        Assert.Equal([742L, "watch", 120L, 3.27, null], water.Select(Normalize));
        Assert.Equal(3, await CountAsync("SELECT COUNT(*) FROM events"));
        Assert.Equal(["lamp.fault", "event", "sl-0002"], (await RowAsync("SELECT kind, record_kind, node FROM events WHERE seq = 3")).Select(Normalize));
        Assert.Equal(["cmd.ack", "c-20260102-000381"], (await RowAsync("SELECT kind, command_id FROM events WHERE seq = 4")).Select(Normalize));
        Assert.Equal(["rule.fired", null, 1767304804L], (await RowAsync("SELECT kind, node, ts FROM events WHERE seq = 5")).Select(Normalize));
        // Node state is derived after the ingest transaction, by the feed.
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM node_state"));
        Assert.Equal(6, await ApplyNodeStateAsync());
        var state = await RowAsync("SELECT status, CASE WHEN online THEN 1 ELSE 0 END, config_version, type, fw, last_seen FROM node_state WHERE site = 'igoumenitsa' AND node = 'sl-0001'");
        Assert.Equal(["online", 1L, 43L, "streetlight", "1.2.0", 1767304805L], state.Select(Normalize));
        // Nodes that sent only telemetry or events are known too (last_seen), without a status.
        Assert.Equal([null, "waterlevel", 1767304801L], (await RowAsync("SELECT status, type, last_seen FROM node_state WHERE node = 'wl-0003'")).Select(Normalize));
        // The payload is kept as received.
        var payload = (string)Normalize((await RowAsync("SELECT payload FROM records WHERE seq = 1"))[0])!;
        Assert.Equal(60, JsonDocument.Parse(payload).RootElement.GetProperty("level").GetInt32());
    }

    /// <summary>The stores bind each row into statements prepared once per batch (SQLite: <c>SqliteRowStatement</c>):
    /// every row must carry its own values, a null where the row before had one, text of any length and script.</summary>
    [Fact]
    public async Task Rows_of_two_batches_written_through_one_statement_each_keep_their_own_values()
    {
        const string note = "λάμπα σβηστή — ναι"; // non-ASCII: text goes in as UTF-8
        var longNote = new string('x', 600); // longer than the SQLite statement's first text buffer
        IngestRecord Light(long seq, string node, long ts, int level, double watts, string text)
        {
            var record = Records.Streetlight(seq, node, ts, level, watts);
            record["payload"]!["note"] = text; // a field the validator passes through
            return Valid(record);
        }
        Assert.Equal(new StoreResult(4, 0), await Store.StoreAsync(
        [
            Valid(Records.Water(1, "wl-0003", 1767304801, levelMm: 742, state: "watch")),
            Light(2, "sl-0001", 1767304802, level: 60, watts: 38.4, note),
            Valid(Records.Ack(3, "sl-0001", 1767304803, "c-20260102-000381")),
            Valid(Records.State(4, "sl-0001", 1767304804, "online", configVersion: 43)),
        ]));
        Assert.Equal(new StoreResult(4, 0), await Store.StoreAsync(
        [
            Light(5, "sl-0002", 1767304805, level: 7, watts: 2.5, longNote),
            Valid(Records.Water(6, "wl-0004", 1767304806, levelMm: 1210, state: "alarm")),
            Valid(Records.LampFault(7, "sl-0002", 1767304807)),
            Valid(Records.State(8, "sl-0002", 1767304808, "asleep", configVersion: null, reason: "reboot")),
        ]));

        const string columns = "SELECT node, ts, type, level, watts, volts, energy_wh, level_mm, rate_mm_h, flood_state, battery_v FROM telemetry WHERE seq = ";
        Assert.Equal(["wl-0003", 1767304801L, "waterlevel", null, null, null, null, 742L, 120L, "watch", 3.27], (await RowAsync(columns + 1)).Select(Normalize));
        Assert.Equal(["sl-0001", 1767304802L, "streetlight", 60L, 38.4, 230.1, 412873L, null, null, null, null], (await RowAsync(columns + 2)).Select(Normalize));
        Assert.Equal(["sl-0002", 1767304805L, "streetlight", 7L, 2.5, 230.1, 412873L, null, null, null, null], (await RowAsync(columns + 5)).Select(Normalize));
        Assert.Equal(["wl-0004", 1767304806L, "waterlevel", null, null, null, null, 1210L, 120L, "alarm", 3.27], (await RowAsync(columns + 6)).Select(Normalize));
        const string events = "SELECT node, ts, record_kind, kind, command_id FROM events WHERE seq = ";
        Assert.Equal(["sl-0001", 1767304803L, "ack", "cmd.ack", "c-20260102-000381"], (await RowAsync(events + 3)).Select(Normalize));
        Assert.Equal(["sl-0002", 1767304807L, "event", "lamp.fault", null], (await RowAsync(events + 7)).Select(Normalize));
        Assert.Equal(["sl-0002", "state", 1767304808L], (await RowAsync("SELECT node, kind, received_at FROM records WHERE seq = 8")).Select(Normalize));
        string Note(object?[] row) => JsonDocument.Parse((string)row[0]!).RootElement.GetProperty("note").GetString()!;
        Assert.Equal(note, Note(await RowAsync("SELECT payload FROM records WHERE seq = 2")));
        Assert.Equal(note, Note(await RowAsync("SELECT payload FROM telemetry WHERE seq = 2")));
        Assert.Equal(longNote, Note(await RowAsync("SELECT payload FROM records WHERE seq = 5")));
        Assert.Equal(longNote, Note(await RowAsync("SELECT payload FROM telemetry WHERE seq = 5")));

        // node_state: one upsert statement for the chunk's nodes in (site, node) order, a row with a state between rows without.
        Assert.Equal(8, await ApplyNodeStateAsync());
        const string state = "SELECT status, config_version, fw, type, last_seen, state_at FROM node_state WHERE node = ";
        Assert.Equal(["online", 43L, "1.2.0", "streetlight", 1767304804L, 1767304804L], (await RowAsync(state + "'sl-0001'")).Select(Normalize));
        Assert.Equal(["asleep", null, null, "streetlight", 1767304808L, 1767304808L], (await RowAsync(state + "'sl-0002'")).Select(Normalize));
        Assert.Equal([null, null, null, "waterlevel", 1767304801L, null], (await RowAsync(state + "'wl-0003'")).Select(Normalize));
        Assert.Equal([null, null, null, "waterlevel", 1767304806L, null], (await RowAsync(state + "'wl-0004'")).Select(Normalize));
    }

    [Fact]
    public async Task A_retried_batch_is_all_duplicates_and_changes_nothing()
    {
        await Store.StoreAsync(MixedBatch());
        var again = await Store.StoreAsync(MixedBatch());

        Assert.Equal(new StoreResult(0, 6), again);
        Assert.Equal(6, await CountAsync("SELECT COUNT(*) FROM records"));
        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM telemetry"));
        Assert.Equal(3, await CountAsync("SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task An_overlapping_batch_stores_only_the_new_records_and_the_first_content_wins()
    {
        await Store.StoreAsync([Valid(Records.Streetlight(10, "sl-0001", 1767304800, level: 60))]);
        var result = await Store.StoreAsync(
        [
            Valid(Records.Streetlight(10, "sl-0001", 1767304800, level: 99)), // same key, other content
            Valid(Records.Streetlight(11, "sl-0001", 1767305100, level: 40)),
            Valid(Records.Streetlight(11, "sl-0001", 1767305100, level: 41)), // repeated inside the list
        ]);

        Assert.Equal(new StoreResult(1, 2), result);
        Assert.Equal(60, await CountAsync("SELECT level FROM telemetry WHERE seq = 10"));
        Assert.Equal(40, await CountAsync("SELECT level FROM telemetry WHERE seq = 11"));
        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM telemetry"));
    }

    [Fact]
    public async Task The_same_seq_under_a_new_outbox_epoch_is_a_new_record_and_a_repeat_within_an_epoch_a_duplicate()
    {
        IngestRecord In(string epoch, long seq, string node) => Valid(Records.LampFault(seq, node, 1767304800 + seq)) with { Epoch = epoch };

        Assert.Equal(new StoreResult(2, 0), await Store.StoreAsync([In("", 1, "sl-0001"), In("", 2, "sl-0001")]));
        // The gateway's outbox was recreated: its seq starts at 1 again, under a new epoch.
        Assert.Equal(new StoreResult(2, 0), await Store.StoreAsync([In("1767400000-ab12", 1, "sl-0002"), In("1767400000-ab12", 2, "sl-0002")]));
        Assert.Equal(new StoreResult(1, 2), await Store.StoreAsync([In("1767400000-ab12", 2, "sl-0002"), In("", 2, "sl-0001"), In("1767400000-ab12", 3, "sl-0002")]));

        Assert.Equal(5, await CountAsync("SELECT COUNT(*) FROM records"));
        Assert.Equal(5, await CountAsync("SELECT COUNT(*) FROM events"));
        Assert.Equal(3, await CountAsync("SELECT COUNT(*) FROM events WHERE epoch = '1767400000-ab12' AND node = 'sl-0002'"));
    }

    [Fact]
    public async Task The_same_seq_from_two_gateways_is_two_records()
    {
        var result = await Store.StoreAsync(
        [
            Valid(Records.Streetlight(7, "sl-0001", 1767304800, level: 60), "gw-a"),
            Valid(Records.Streetlight(7, "sl-0009", 1767304800, level: 60), "gw-b"),
        ]);
        Assert.Equal(new StoreResult(2, 0), result);
    }

    [Fact]
    public async Task Concurrent_writers_of_overlapping_batches_store_each_record_once()
    {
        var batch = Enumerable.Range(1, 200).Select(i => Valid(Records.Streetlight(i, $"sl-{i % 20:D4}", 1767304800 + i, level: i % 101))).ToArray();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Store.StoreAsync(batch))));

        Assert.Equal(200, results.Sum(r => r.Stored));
        Assert.Equal(600, results.Sum(r => r.Duplicates));
        Assert.Equal(200, await CountAsync("SELECT COUNT(*) FROM telemetry"));
    }

    [Fact]
    public async Task Node_state_never_moves_backwards_and_a_will_keeps_the_versions()
    {
        await Store.StoreAsync([Valid(Records.State(20, "sl-0001", 2000, "online", configVersion: 43))]);
        await ApplyNodeStateAsync();
        // A state received earlier (older receivedAt) but stored later must not overwrite the newer one.
        await Store.StoreAsync([Valid(Records.State(21, "sl-0001", 1000, "online", configVersion: 41))]);
        await ApplyNodeStateAsync();
        Assert.Equal(["online", 1L, 43L, 2000L], (await RowAsync("SELECT status, CASE WHEN online THEN 1 ELSE 0 END, config_version, last_seen FROM node_state WHERE node = 'sl-0001'")).Select(Normalize));

        // The last will carries no versions: status changes, the applied version stays known.
        await Store.StoreAsync([Valid(Records.State(22, "sl-0001", 3000, "offline", configVersion: null))]);
        await ApplyNodeStateAsync();
        Assert.Equal(["offline", 0L, 43L, 3000L, "1.2.0"], (await RowAsync("SELECT status, CASE WHEN online THEN 1 ELSE 0 END, config_version, last_seen, fw FROM node_state WHERE node = 'sl-0001'")).Select(Normalize));

        // Telemetry refreshes last_seen but never the status.
        await Store.StoreAsync([Valid(Records.Streetlight(23, "sl-0001", 3500, level: 0))]);
        await ApplyNodeStateAsync();
        Assert.Equal(["offline", 3500L], (await RowAsync("SELECT status, last_seen FROM node_state WHERE node = 'sl-0001'")).Select(Normalize));

        // Within one batch the later state wins.
        await Store.StoreAsync(
        [
            Valid(Records.State(24, "sl-0001", 4000, "online", configVersion: 44)),
            Valid(Records.State(25, "sl-0001", 4000, "asleep", configVersion: 45)),
        ]);
        await ApplyNodeStateAsync();
        Assert.Equal(["asleep", 1L, 45L], (await RowAsync("SELECT status, CASE WHEN online THEN 1 ELSE 0 END, config_version FROM node_state WHERE node = 'sl-0001'")).Select(Normalize));
    }

    [Fact]
    public async Task The_node_state_feed_resumes_from_its_cursor_after_a_restart_and_applying_again_changes_nothing()
    {
        await Store.StoreAsync(
        [
            Valid(Records.State(1, "sl-0001", 2000, "online", configVersion: 43)),
            Valid(Records.Streetlight(2, "sl-0001", 2100, level: 10)),
            Valid(Records.Rule(3, 2150)), // names no node: passed over, the cursor moves past it
            Valid(Records.Water(4, "wl-0003", 2200, levelMm: 742, state: "watch")),
            Valid(Records.Streetlight(5, "sl-0002", 2300, level: 20)),
        ]);
        // Two records per transaction: the stream is read in three chunks.
        Assert.Equal(5, await ApplyNodeStateAsync(new NodeStateFeed(Connections, chunkSize: 2)));
        Assert.Equal(5, await CountAsync("SELECT seq FROM node_state_feed WHERE gateway = 'gw-igoumenitsa-1' AND epoch = ''"));

        // Records stored while no feed runs (the process stopped after the ingest commit) are applied by the next
        // one, from the persisted cursor: only the new record is read.
        await Store.StoreAsync([Valid(Records.Streetlight(6, "sl-0001", 2500, level: 0))]);
        Assert.Equal(2100, await CountAsync("SELECT last_seen FROM node_state WHERE node = 'sl-0001'"));
        Assert.Equal(1, await ApplyNodeStateAsync(new NodeStateFeed(Connections)));
        Assert.Equal(0, await ApplyNodeStateAsync(new NodeStateFeed(Connections)));
        var light = new object?[] { "online", 43L, 2500L, 2000L };
        Assert.Equal(light, (await RowAsync("SELECT status, config_version, last_seen, state_at FROM node_state WHERE node = 'sl-0001'")).Select(Normalize));
        Assert.Equal(3, await CountAsync("SELECT COUNT(*) FROM node_state"));

        // Applying the whole stream again (a cursor lost, or two processes at once) changes nothing.
        await using (var connection = await Connections.OpenAsync())
        await using (var reset = connection.CreateCommand())
        {
            reset.CommandText = "DELETE FROM node_state_feed";
            await reset.ExecuteNonQueryAsync();
        }
        Assert.Equal(6, await ApplyNodeStateAsync());
        Assert.Equal(light, (await RowAsync("SELECT status, config_version, last_seen, state_at FROM node_state WHERE node = 'sl-0001'")).Select(Normalize));
        Assert.Equal([null, "waterlevel", 2200L], (await RowAsync("SELECT status, type, last_seen FROM node_state WHERE node = 'wl-0003'")).Select(Normalize));
        Assert.Equal(6, await CountAsync("SELECT seq FROM node_state_feed"));
    }

    [Fact]
    public async Task Two_node_state_feeds_applying_one_stream_at_once_leave_the_latest_state_and_the_furthest_cursor()
    {
        var batch = Enumerable.Range(1, 300).Select(i => i % 3 == 0
            ? Valid(Records.State(i, $"sl-{i % 30:D4}", 1767304800 + i, "online", configVersion: i))
            : Valid(Records.Streetlight(i, $"sl-{i % 30:D4}", 1767304800 + i, level: i % 101))).ToArray();
        await Store.StoreAsync(batch);

        await Task.WhenAll(Task.Run(() => ApplyNodeStateAsync(new NodeStateFeed(Connections, chunkSize: 7))),
            Task.Run(() => ApplyNodeStateAsync(new NodeStateFeed(Connections, chunkSize: 11))));

        Assert.Equal(300, await CountAsync("SELECT seq FROM node_state_feed"));
        Assert.Equal(30, await CountAsync("SELECT COUNT(*) FROM node_state"));
        // sl-0000 sent only states (its last at seq 300), sl-0001 only telemetry (its last at seq 271).
        Assert.Equal(["online", 300L, 1767305100L], (await RowAsync("SELECT status, config_version, last_seen FROM node_state WHERE node = 'sl-0000'")).Select(Normalize));
        Assert.Equal([null, null, 1767305071L], (await RowAsync("SELECT status, config_version, last_seen FROM node_state WHERE node = 'sl-0001'")).Select(Normalize));
    }

    [Fact]
    public async Task Telemetry_spanning_months_is_stored_and_an_unset_node_clock_falls_back_to_receive_time()
    {
        var january = new DateTimeOffset(2026, 1, 31, 23, 59, 59, TimeSpan.Zero).ToUnixTimeSeconds();
        var february = january + 1;
        var unset = Records.Streetlight(32, "sl-0001", 0, level: 10);
        unset["receivedAt"] = february + 86400;
        await Store.StoreAsync(
        [
            Valid(Records.Streetlight(30, "sl-0001", january, level: 10)),
            Valid(Records.Streetlight(31, "sl-0001", february, level: 20)),
            Valid(unset),
        ]);
        Assert.Equal(1, await CountAsync($"SELECT COUNT(*) FROM telemetry WHERE ts < {february}"));
        Assert.Equal(2, await CountAsync($"SELECT COUNT(*) FROM telemetry WHERE ts >= {february}"));
        Assert.Equal(february + 86400, await CountAsync("SELECT ts FROM telemetry WHERE seq = 32"));
    }

    [Fact]
    public async Task Gateways_are_found_by_id_and_by_token_hash()
    {
        var gateways = new SqlGatewayStore(Connections);
        var hash = GatewayTokens.Hash("a-token-of-at-least-thirty-two-characters");
        Assert.True(await gateways.AddAsync(new GatewayRegistration(Gateway, "Igoumenitsa port", hash, 1767304800)));
        Assert.False(await gateways.AddAsync(new GatewayRegistration(Gateway, "again", GatewayTokens.Hash("other"), 1767304801)));

        Assert.Equal(new GatewayRegistration(Gateway, "Igoumenitsa port", hash, 1767304800), await gateways.FindAsync(Gateway));
        Assert.Equal(Gateway, (await gateways.FindByTokenHashAsync(hash))?.Id);
        Assert.Null(await gateways.FindAsync("gw-unknown"));

        var rotated = GatewayTokens.Hash("rotated");
        Assert.True(await gateways.SetTokenHashAsync(Gateway, rotated));
        Assert.Null(await gateways.FindByTokenHashAsync(hash));
        Assert.Equal(Gateway, (await gateways.FindByTokenHashAsync(rotated))?.Id);
        Assert.Single(await gateways.ListAsync());
    }

    [Fact]
    public async Task Partition_ownership_is_claimed_with_optimistic_concurrency()
    {
        var store = new SqlEventHubCheckpointStore(Connections, TimeProvider.System);
        var unowned = new PartitionOwnership("ns.servicebus.windows.net", "uplink", "$Default", "0", "processor-a", 0, null);

        var first = Assert.Single(await store.ClaimOwnershipAsync([unowned]));
        Assert.NotNull(first.Version);
        // A second "create" of the same partition loses: someone owns it already.
        Assert.Empty(await store.ClaimOwnershipAsync([unowned with { OwnerId = "processor-b" }]));
        // Renewing with the current version works and changes the version…
        var renewed = Assert.Single(await store.ClaimOwnershipAsync([first]));
        Assert.NotEqual(first.Version, renewed.Version);
        // …so a claim with the old version (stale ETag) fails.
        Assert.Empty(await store.ClaimOwnershipAsync([first with { OwnerId = "processor-b" }]));
        var stolen = Assert.Single(await store.ClaimOwnershipAsync([renewed with { OwnerId = "processor-b" }]));

        var listed = Assert.Single(await store.ListOwnershipAsync("ns.servicebus.windows.net", "uplink", "$Default"));
        Assert.Equal(stolen, listed);
        Assert.Empty(await store.ListOwnershipAsync("ns.servicebus.windows.net", "uplink", "other-group"));
    }

    [Fact]
    public async Task Checkpoints_round_trip_and_are_replaced()
    {
        var store = new SqlEventHubCheckpointStore(Connections, TimeProvider.System);
        Assert.Null(await store.GetCheckpointAsync("ns", "uplink", "$Default", "1"));

        await store.UpdateCheckpointAsync(new PartitionCheckpoint("ns", "uplink", "$Default", "1", "4096", 17, "processor-a", 0));
        await store.UpdateCheckpointAsync(new PartitionCheckpoint("ns", "uplink", "$Default", "0", null, 5, "processor-a", 0));
        await store.UpdateCheckpointAsync(new PartitionCheckpoint("ns", "uplink", "$Default", "1", "8192", 33, "processor-b", 0));

        var one = await store.GetCheckpointAsync("ns", "uplink", "$Default", "1");
        Assert.Equal(("8192", 33L, "processor-b"), (one!.Offset, one.SequenceNumber, one.ClientId));
        Assert.True(one.LastModifiedMs > 0);
        var all = await store.ListCheckpointsAsync("ns", "uplink", "$Default");
        Assert.Equal(["0", "1"], all.Select(c => c.PartitionId));
        Assert.Equal((null, 5L), (all[0].Offset, all[0].SequenceNumber));
    }

    /// <summary>Providers return different CLR types for the same SQL value (SQLite: long/double/string;
    /// PostgreSQL: int/long/bool/…); compare them in one shape.</summary>
    protected static object? Normalize(object? value) => value switch
    {
        int i => (long)i,
        short s => (long)s,
        float f => (double)f,
        _ => value,
    };
}
