using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Edge.Gateway.Outbox;
using Edge.Gateway.Tests.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Gateway.Tests;

/// <summary>
/// The outbox's dedupe memory, kept as ranges of seqs per (node, boot) (docs/gateway.md "Durable outbox"): re-sends
/// out of order, within one batch and after a restart are each stored once; an outbox from before the ranges keeps
/// recognising what its per-message table held.
/// </summary>
public sealed class OutboxDedupeTests
{
    /// <summary>Received now: inside the dedupe window, which the writer's first commit prunes to.</summary>
    static OutboxAppend Message(string node, long boot, long seq) =>
        new("s", node, "telemetry", boot, seq, MessageClass.Routine, Encoding.ASCII.GetBytes($"{node}/{boot}/{seq}"), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    static DurableOutbox Open(string path, Edge.Gateway.OutboxOptions? options = null) =>
        new(path, options ?? new Edge.Gateway.OutboxOptions(), new TestMeters().Gateway, NullLogger<DurableOutbox>.Instance);

    static async Task<AppendOutcome[]> Append(DurableOutbox outbox, params (string Node, long Boot, long Seq)[] messages)
    {
        var outcomes = new AppendOutcome[messages.Length];
        for (var i = 0; i < messages.Length; i++) outcomes[i] = (await outbox.AppendAsync(Message(messages[i].Node, messages[i].Boot, messages[i].Seq))).Outcome;
        return outcomes;
    }

    static long Scalar(string path, string sql)
    {
        using var db = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    const AppendOutcome New = AppendOutcome.Committed;
    const AppendOutcome Dup = AppendOutcome.Duplicate;

    [Fact]
    public async Task Seqs_arriving_out_of_order_with_gaps_are_each_stored_once_and_still_recognised_after_a_restart()
    {
        var path = Path.Combine(TestGateway.NewTempDir(), "outbox.db");
        var outbox = Open(path);
        // 1, 2, 4: a gap at 3; 6 opens another; 3 and 5 close them; every re-send is a duplicate, seq 3 of boot 2 is not.
        Assert.Equal([New, New, New, Dup, New, New, Dup, New, Dup, Dup, Dup, New],
            await Append(outbox, ("a", 1, 1), ("a", 1, 2), ("a", 1, 4), ("a", 1, 2), ("a", 1, 6), ("a", 1, 3), ("a", 1, 4), ("a", 1, 5),
                ("a", 1, 1), ("a", 1, 5), ("a", 1, 6), ("a", 2, 3)));
        Assert.Equal([New, New, Dup], await Append(outbox, ("b", 1, 1), ("b", 1, 3), ("b", 1, 3)));
        await outbox.DisposeAsync();

        // One row per range: a's boot 1 is one range (1–6) again, b's boot 1 two (1, 3).
        Assert.Equal(4L, Scalar(path, "SELECT COUNT(*) FROM seen_ranges"));
        Assert.Equal(6L, Scalar(path, "SELECT hi FROM seen_ranges WHERE node_id = 'a' AND boot = 1 AND lo = 1"));

        var reopened = Open(path);
        Assert.Equal([Dup, Dup, Dup, Dup, New, Dup, Dup, New, New],
            await Append(reopened, ("a", 1, 1), ("a", 1, 3), ("a", 1, 6), ("a", 2, 3), ("a", 1, 7), ("b", 1, 1), ("b", 1, 3), ("b", 1, 2), ("b", 1, 4)));
        var stored = await reopened.ReadAfterAsync(0, 100, int.MaxValue, default);
        Assert.Equal(stored.Count, stored.Select(m => (m.NodeId, m.Boot, m.Seq)).Distinct().Count()); // nothing stored twice
        Assert.Equal(12, stored.Count);
        await reopened.DisposeAsync();
    }

    [Fact]
    public async Task The_gateways_own_records_are_all_stored_and_leave_no_ranges()
    {
        // GatewayRecords: boot -1 and one seq counter for all nodes' forwarded state, rules and gateway events, so each
        // node's seqs are sparse — as ranges, one per record. They are never re-sent under the same seq: no dedupe.
        var path = Path.Combine(TestGateway.NewTempDir(), "outbox.db");
        var outbox = Open(path);
        var records = new Edge.Gateway.Uplink.GatewayRecords(outbox);
        foreach (var node in new[] { "a", "b", "a", "c", "a" }) await records.AppendStateAsync("s", node, Encoding.ASCII.GetBytes("{}"));
        await records.AppendGatewayAsync("s", Encoding.ASCII.GetBytes("{}"));
        Assert.Equal(6, (await outbox.ReadAfterAsync(0, 100, int.MaxValue, default)).Count);
        await outbox.DisposeAsync();
        Assert.Equal(0L, Scalar(path, "SELECT COUNT(*) FROM seen_ranges"));
    }

    [Fact]
    public async Task The_same_message_twice_in_one_batch_is_stored_once()
    {
        var path = Path.Combine(TestGateway.NewTempDir(), "outbox.db");
        // The writer lingers 200 ms after the first arrival, so all four appends are in its first batch.
        var outbox = Open(path, new Edge.Gateway.OutboxOptions { CommitLingerMicroseconds = 200_000 });
        var results = await Task.WhenAll(outbox.AppendAsync(Message("a", 1, 1)), outbox.AppendAsync(Message("a", 1, 2)),
            outbox.AppendAsync(Message("a", 1, 1)), outbox.AppendAsync(Message("a", 1, 2)));
        Assert.Equal([New, New, Dup, Dup], results.Select(r => r.Outcome));
        Assert.Equal(results[0].GatewaySeq + 1, results[1].GatewaySeq); // one batch: consecutive gateway seqs
        Assert.Equal([1L, 2L], (await outbox.ReadAfterAsync(0, 100, int.MaxValue, default)).Select(m => m.Seq));
        await outbox.DisposeAsync();
    }

    [Fact]
    public async Task An_outbox_from_before_the_ranges_turns_its_seen_rows_into_ranges_and_still_recognises_them()
    {
        var path = Path.Combine(TestGateway.NewTempDir(), "outbox.db");
        var outbox = Open(path);
        await outbox.DisposeAsync();
        // The table as the gateway kept it before: a row per stored message (node, boot, seq), its received time indexed.
        using (var db = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            db.Open();
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            using var command = db.CreateCommand();
            command.CommandText = $"""
                DROP TABLE seen_ranges;
                CREATE TABLE seen (node_id TEXT NOT NULL, boot INTEGER NOT NULL, seq INTEGER NOT NULL, received_ms INTEGER NOT NULL,
                  PRIMARY KEY (node_id, boot, seq)) WITHOUT ROWID;
                CREATE INDEX seen_age ON seen (received_ms);
                INSERT INTO seen VALUES ('a', 1, 1, {now}), ('a', 1, 2, {now}), ('a', 1, 3, {now}), ('a', 1, 7, {now}), ('b', 4, 9, {now});
                """;
            command.ExecuteNonQuery();
        }
        var migrated = Open(path);
        Assert.Equal([Dup, Dup, Dup, Dup, New, New, Dup],
            await Append(migrated, ("a", 1, 1), ("a", 1, 3), ("a", 1, 7), ("b", 4, 9), ("a", 1, 4), ("b", 4, 8), ("a", 1, 4)));
        await migrated.DisposeAsync();
        Assert.Equal(0L, Scalar(path, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('seen', 'seen_age')"));
        // a: 1–4 and 7; b: 8–9.
        Assert.Equal(3L, Scalar(path, "SELECT COUNT(*) FROM seen_ranges"));
    }
}
