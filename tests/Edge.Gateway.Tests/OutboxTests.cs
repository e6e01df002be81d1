using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Edge.Gateway.Tests.Metrics;
using Edge.Gateway.Outbox;
using Edge.Gateway.Tests.Exposure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Gateway.Tests;

/// <summary>The durable outbox: PUBACK after commit, dedupe by (node, boot, seq), quota drop order, reader API.</summary>
public sealed class OutboxTests
{
    [Fact]
    public async Task Every_message_the_broker_acknowledged_is_already_in_the_database()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secret = gateway.AddNode("sl-0001");
        using var client = await gateway.ConnectAsync("sl-0001", secret);
        // An independent reader: its own connection to outbox.db, opened by the test.
        using var db = new SqliteConnection($"Data Source={Path.Combine(gateway.DataDir, "outbox.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        for (var seq = 1; seq <= 100; seq++)
        {
            await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", seq % 10 == 0 ? "event" : "telemetry"),
                seq % 10 == 0 ? TestGateway.Event(1, seq) : TestGateway.Telemetry(1, seq)));
            using var command = db.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM outbox WHERE node_id = 'sl-0001' AND boot = 1 AND seq = $seq";
            command.Parameters.AddWithValue("$seq", seq);
            Assert.Equal(1L, (long)command.ExecuteScalar()!);
        }
    }

    [Fact]
    public async Task A_failed_commit_acknowledges_nothing_of_its_batch_and_the_re_sends_are_stored_once()
    {
        await using var gateway = await TestGateway.StartAsync();
        var nodes = new[] { "sl-0001", "sl-0002", "sl-0003" };
        var secrets = nodes.Select(n => gateway.AddNode(n)).ToArray();
        byte[] Topic(string node) => Encoding.UTF8.GetBytes(TestGateway.Topic(node, "telemetry"));
        using (var first = await RawMqtt.LoginAsync(gateway.MqttPort, nodes[0], secrets[0]))
        {
            await first.SendAsync(RawMqtt.Publish(Topic(nodes[0]), 1, TestGateway.Telemetry(1, 1)));
            Assert.Equal(RawMqtt.PubAck(1), await first.ReadPacketAsync());
        }

        // A real SQLite failure inside the writer's transaction: a trigger, created through the test's own connection
        // to outbox.db, aborts every insert into the outbox until it is dropped.
        using var db = new SqliteConnection($"Data Source={Path.Combine(gateway.DataDir, "outbox.db")};Pooling=False");
        db.Open();
        Execute(db, "CREATE TRIGGER test_disk_failure BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'test: the disk failed'); END");
        var failing = new List<RawMqtt>();
        for (var i = 0; i < nodes.Length; i++)
        {
            failing.Add(await RawMqtt.LoginAsync(gateway.MqttPort, nodes[i], secrets[i]));
            await failing[^1].SendAsync(RawMqtt.Publish(Topic(nodes[i]), 2, TestGateway.Telemetry(1, 2)));
        }
        foreach (var connection in failing)
        {
            Assert.Empty(await connection.ReadUntilClosedAsync()); // no PUBACK: closed so the node re-sends
            connection.Dispose();
        }
        Assert.False(gateway.Get<DurableOutbox>().IsWritable);

        Execute(db, "DROP TRIGGER test_disk_failure");
        for (var i = 0; i < nodes.Length; i++)
        {
            using var node = await RawMqtt.LoginAsync(gateway.MqttPort, nodes[i], secrets[i]);
            await node.SendAsync(RawMqtt.Publish(Topic(nodes[i]), 2, TestGateway.Telemetry(1, 2))); // the re-send
            await node.SendAsync(RawMqtt.Publish(Topic(nodes[i]), 3, TestGateway.Telemetry(1, 2))); // and again: a duplicate
            Assert.Equal(RawMqtt.PubAck(2), await node.ReadPacketAsync());
            Assert.Equal(RawMqtt.PubAck(3), await node.ReadPacketAsync());
        }
        // The failed batch left nothing behind, not even its dedupe rows: every re-send was stored, once.
        var stored = await gateway.Get<IOutboxReader>().ReadAfterAsync(0, 100, int.MaxValue, default);
        Assert.Equal(new[] { ("sl-0001", 1L), ("sl-0001", 2L), ("sl-0002", 2L), ("sl-0003", 2L) },
            stored.Select(m => (m.NodeId, m.Seq)).OrderBy(m => m.NodeId).ThenBy(m => m.Seq));
        Assert.Equal(3, gateway.Metrics.Get("edge.gateway.messages.duplicates"));
        Assert.True(gateway.Get<DurableOutbox>().IsWritable);
    }

    static void Execute(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task Re_sends_with_the_same_node_boot_and_seq_are_stored_once_even_after_forwarding()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secret = gateway.AddNode("sl-0001");
        using var client = await gateway.ConnectAsync("sl-0001", secret);
        var topic = TestGateway.Topic("sl-0001", "telemetry");
        await client.PublishAsync(TestGateway.Message(topic, TestGateway.Telemetry(1, 1)));
        await client.PublishAsync(TestGateway.Message(topic, TestGateway.Telemetry(1, 1)));
        await client.PublishAsync(TestGateway.Message(topic, TestGateway.Telemetry(1, 2)));
        var reader = gateway.Get<IOutboxReader>();
        var first = await reader.ReadAfterAsync(0, 100, int.MaxValue, default);
        Assert.Equal(new[] { 1L, 2L }, first.Select(m => m.Seq));

        await reader.MarkForwardedAsync(first[^1].GatewaySeq, default);
        await client.PublishAsync(TestGateway.Message(topic, TestGateway.Telemetry(1, 2))); // PUBACK lost after forwarding: re-sent
        await client.PublishAsync(TestGateway.Message(topic, TestGateway.Telemetry(2, 1))); // new boot, seq restarts: a new message
        var second = await reader.ReadAfterAsync(reader.ForwardedUpTo, 100, int.MaxValue, default);
        Assert.Equal(new[] { (2L, 1L) }, second.Select(m => (m.Boot, m.Seq)));
        Assert.Equal(2, gateway.Metrics.Get("edge.gateway.messages.duplicates"));
        Assert.True(second[0].GatewaySeq > first[^1].GatewaySeq);
    }

    [Fact]
    public async Task A_re_send_is_recognised_while_inside_the_dedupe_window_and_is_a_new_message_once_the_window_has_passed()
    {
        // docs/gateway.md: the seqs of a (node, boot) are kept until DedupeWindowHours after its newest one, across
        // restarts. The window is a whole number of hours, so its passing is shown with a window of 0 hours: everything
        // received before now has expired. The pruning commit stores another boot's message, so boot 1 gets nothing newer.
        var dataDir = TestGateway.NewTempDir();
        string secret;
        await using (var gateway = await TestGateway.StartAsync(dataDir))
        {
            secret = gateway.AddNode("sl-0001");
            using var client = await gateway.ConnectAsync("sl-0001", secret);
            await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, 1)));
        }
        await using (var gateway = await TestGateway.StartAsync(dataDir, "--Gateway:Outbox:DedupeWindowHours=168"))
        {
            using var client = await gateway.ConnectAsync("sl-0001", secret);
            await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, 1)));
            Assert.Equal(1, gateway.Metrics.Get("edge.gateway.messages.duplicates")); // within the window, after a restart
        }
        await using (var gateway = await TestGateway.StartAsync(dataDir, "--Gateway:Outbox:DedupeWindowHours=0"))
        {
            using var client = await gateway.ConnectAsync("sl-0001", secret);
            await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(2, 1))); // the first commit prunes
            await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, 1)));
            Assert.Equal(0, gateway.Metrics.Get("edge.gateway.messages.duplicates"));
            var stored = await gateway.Get<IOutboxReader>().ReadAfterAsync(0, 100, int.MaxValue, default);
            Assert.Equal(new[] { (1L, 1L), (2L, 1L), (1L, 1L) }, stored.Select(m => (m.Boot, m.Seq))); // the expired re-send was stored as a new message
        }
    }

    [Fact]
    public async Task Over_quota_the_oldest_routine_message_goes_first_and_kept_ones_only_when_nothing_routine_is_left()
    {
        var path = Path.Combine(TestGateway.NewTempDir(), "outbox.db");
        const int payloadBytes = 104;
        const int rowBytes = payloadBytes + DurableOutbox.RowOverheadBytes;
        var options = new Edge.Gateway.OutboxOptions { QuotaBytes = 5 * rowBytes };
        using var meters = new TestMeters();
        var metrics = meters.Reader;
        var outbox = new DurableOutbox(path, options, meters.Gateway, NullLogger<DurableOutbox>.Instance);
        long seq = 0;
        Task<AppendResult> Add(string name) => outbox.AppendAsync(new OutboxAppend("s", "n", name[0] == 'R' ? "telemetry" : "event", 1, ++seq,
            name[0] == 'R' ? MessageClass.Routine : MessageClass.Kept, Encoding.ASCII.GetBytes(name.PadRight(payloadBytes)), 0));
        async Task<string[]> Queued() => (await outbox.ReadAfterAsync(0, 100, int.MaxValue, default)).Select(m => Encoding.ASCII.GetString(m.Payload).Trim()).ToArray();

        foreach (var name in new[] { "R1", "K1", "R2", "K2", "R3" }) Assert.Equal(AppendOutcome.Committed, (await Add(name)).Outcome);
        Assert.Equal(new[] { "R1", "K1", "R2", "K2", "R3" }, await Queued());

        await Add("K3");                       // full: the oldest routine (R1) goes
        await Add("R4");                       // R2 goes
        Assert.Equal(new[] { "K1", "K2", "R3", "K3", "R4" }, await Queued());
        await Add("K4");                       // R3 goes
        await Add("K5");                       // R4 goes — now only kept messages are queued
        Assert.Equal(new[] { "K1", "K2", "K3", "K4", "K5" }, await Queued());
        Assert.Equal(AppendOutcome.DroppedByQuota, (await Add("R5")).Outcome); // a routine message never displaces an event
        await Add("K6");                       // nothing routine left: the oldest kept (K1) goes
        Assert.Equal(new[] { "K2", "K3", "K4", "K5", "K6" }, await Queued());

        var stats = outbox.GetStats();
        Assert.Equal((5L, 1L, QuotaState.Dropping), (stats.DroppedRoutine, stats.DroppedKept, stats.QuotaState));
        Assert.Equal(5, metrics.Get("edge.gateway.outbox.dropped", "class", "routine"));
        Assert.Equal(1, metrics.Get("edge.gateway.outbox.dropped", "class", "kept"));
        await outbox.DisposeAsync();

        // Counters and contents are durable.
        var reopened = new DurableOutbox(path, options, new TestMeters().Gateway, NullLogger<DurableOutbox>.Instance);
        var again = reopened.GetStats();
        Assert.Equal((5L, 5L, 1L), (again.Depth, again.DroppedRoutine, again.DroppedKept));
        await reopened.DisposeAsync();
    }

    /// <summary>
    /// The trace column arrives by migration: an outbox written before it (its rows queued, not yet forwarded) opens,
    /// its rows read back with no trace, and new rows keep the traceparent they were appended with.
    /// </summary>
    [Fact]
    public async Task An_outbox_from_before_trace_context_gains_the_column_and_keeps_its_queued_rows()
    {
        var path = Path.Combine(TestGateway.NewTempDir(), "outbox.db");
        using (var old = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            old.Open();
            using var create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE outbox (gw_seq INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL, node_id TEXT NOT NULL, leaf TEXT NOT NULL,
                  boot INTEGER NOT NULL, seq INTEGER NOT NULL, class INTEGER NOT NULL, received_ms INTEGER NOT NULL, size INTEGER NOT NULL, payload BLOB NOT NULL);
                INSERT INTO outbox (site, node_id, leaf, boot, seq, class, received_ms, size, payload) VALUES ('s', 'n1', 'telemetry', 1, 1, 0, 5, 100, x'7b7d');
                """;
            create.ExecuteNonQuery();
        }
        using var meters = new TestMeters();
        var outbox = new DurableOutbox(path, new Edge.Gateway.OutboxOptions(), meters.Gateway, NullLogger<DurableOutbox>.Instance);
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"; // W3C Trace Context §3.2 example
        await outbox.AppendAsync(new OutboxAppend("s", "n1", "telemetry", 1, 2, MessageClass.Routine, Encoding.ASCII.GetBytes("{}"), 6, traceParent));
        var rows = await outbox.ReadAfterAsync(0, 10, int.MaxValue, default);
        Assert.Equal([(1L, (string?)null), (2L, traceParent)], rows.Select(r => (r.Seq, r.TraceParent)));
        await outbox.DisposeAsync();
    }

    [Fact]
    public async Task Reader_reads_in_order_in_batches_waits_for_new_messages_and_never_reuses_a_sequence_number()
    {
        var path = Path.Combine(TestGateway.NewTempDir(), "outbox.db");
        var options = new Edge.Gateway.OutboxOptions();
        var outbox = new DurableOutbox(path, options, new TestMeters().Gateway, NullLogger<DurableOutbox>.Instance);
        var appended = await Task.WhenAll(Enumerable.Range(1, 50).Select(i =>
            outbox.AppendAsync(new OutboxAppend("s", $"n{i % 3}", "telemetry", 1, i, MessageClass.Routine, Encoding.ASCII.GetBytes($"m{i}"), i))));
        Assert.All(appended, r => Assert.Equal(AppendOutcome.Committed, r.Outcome));
        Assert.Equal(50, appended.Select(r => r.GatewaySeq).Distinct().Count());

        var batch = await outbox.ReadAfterAsync(0, 20, int.MaxValue, default);
        Assert.Equal(20, batch.Count);
        Assert.Equal(batch.Select(m => m.GatewaySeq).OrderBy(s => s), batch.Select(m => m.GatewaySeq));
        var small = await outbox.ReadAfterAsync(0, 100, 1, default);
        Assert.Single(small); // at least one message even when it alone exceeds maxBytes

        var last = appended.Max(r => r.GatewaySeq);
        await outbox.MarkForwardedAsync(last, default);
        Assert.Equal(0, outbox.GetStats().Depth);
        var wait = outbox.WaitForMessagesAfterAsync(last, default);
        Assert.False(wait.IsCompleted);
        await outbox.AppendAsync(new OutboxAppend("s", "n1", "event", 1, 51, MessageClass.Kept, Encoding.ASCII.GetBytes("m51"), 51));
        await wait;
        await outbox.DisposeAsync();

        var reopened = new DurableOutbox(path, options, new TestMeters().Gateway, NullLogger<DurableOutbox>.Instance);
        Assert.Equal(last, reopened.ForwardedUpTo);
        var next = await reopened.AppendAsync(new OutboxAppend("s", "n1", "event", 1, 52, MessageClass.Kept, Encoding.ASCII.GetBytes("m52"), 52));
        Assert.Equal(last + 2, next.GatewaySeq);
        var remaining = await reopened.ReadAfterAsync(reopened.ForwardedUpTo, 100, int.MaxValue, default);
        Assert.Equal(new[] { 51L, 52L }, remaining.Select(m => m.Seq));
        await reopened.DisposeAsync();
    }

    [Fact]
    public async Task An_outbox_keeps_its_epoch_a_new_one_gets_another_and_one_from_before_epochs_keeps_the_empty_epoch()
    {
        DurableOutbox Open(string path) => new(path, new Edge.Gateway.OutboxOptions(), new TestMeters().Gateway, NullLogger<DurableOutbox>.Instance);
        var path = Path.Combine(TestGateway.NewTempDir(), "outbox.db");
        var outbox = Open(path);
        var epoch = outbox.Epoch;
        Assert.Matches("^[0-9]{10}-[0-9a-f]{16}$", epoch);
        await outbox.AppendAsync(new OutboxAppend("s", "n1", "telemetry", 1, 1, MessageClass.Routine, Encoding.ASCII.GetBytes("m1"), 1));
        await outbox.DisposeAsync();

        var reopened = Open(path);
        Assert.Equal(epoch, reopened.Epoch);
        await reopened.DisposeAsync();
        var fresh = Open(Path.Combine(TestGateway.NewTempDir(), "outbox.db")); // a wiped data folder
        Assert.NotEqual(epoch, fresh.Epoch);
        await fresh.DisposeAsync();

        // An outbox.db written before epochs existed: it has numbered records, so it keeps the empty epoch (the cloud's
        // reading of a batch without one) and its records are never stored twice.
        using (var db = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            db.Open();
            using var drop = db.CreateCommand();
            drop.CommandText = "DROP TABLE outbox_epoch";
            drop.ExecuteNonQuery();
        }
        var legacy = Open(path);
        Assert.Equal("", legacy.Epoch);
        await legacy.DisposeAsync();
    }
}
