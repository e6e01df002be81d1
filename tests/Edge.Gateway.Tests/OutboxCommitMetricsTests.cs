using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Edge.Gateway.Outbox;
using Edge.Gateway.Tests.Metrics;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Gateway.Tests;

/// <summary>The outbox's commit instruments: how many node messages each commit took and how long it took.</summary>
public sealed class OutboxCommitMetricsTests
{
    const string PerCommit = "edge.gateway.outbox.commit.messages";
    const string Duration = "edge.gateway.outbox.commit.duration";

    static OutboxAppend Message(string node, long seq) =>
        new("s", node, "telemetry", 1, seq, MessageClass.Routine, Encoding.ASCII.GetBytes("{}"), 0);

    [Fact]
    public async Task A_batch_of_appends_is_one_commit_that_counts_each_of_its_messages_duplicates_included()
    {
        using var meters = new TestMeters();
        // The writer lingers 200 ms after the first arrival, so the appends below are certain to share its first batch.
        var outbox = new DurableOutbox(Path.Combine(TestGateway.NewTempDir(), "outbox.db"),
            new Edge.Gateway.OutboxOptions { CommitLingerMicroseconds = 200_000 }, meters.Gateway, NullLogger<DurableOutbox>.Instance);
        var batch = Enumerable.Range(1, 7).Select(i => outbox.AppendAsync(Message("n" + (i % 3), i))).ToList();
        batch.Add(outbox.AppendAsync(Message("n1", 1)));
        var results = await Task.WhenAll(batch);
        Assert.Equal(7, results.Count(r => r.Outcome == AppendOutcome.Committed));
        Assert.Equal(AppendOutcome.Duplicate, results[^1].Outcome);

        Assert.Equal(1, meters.Reader.Count(PerCommit));
        Assert.Equal(8, meters.Reader.Get(PerCommit));

        await outbox.AppendAsync(Message("n1", 8));
        Assert.Equal(2, meters.Reader.Count(PerCommit));
        Assert.Equal(9, meters.Reader.Get(PerCommit));
        Assert.Equal(2, meters.Reader.Count(Duration));
        Assert.True(meters.Reader.Get(Duration) > 0);
        await outbox.DisposeAsync();
    }

    [Fact]
    public async Task Marking_records_forwarded_is_a_commit_with_a_duration_but_no_messages()
    {
        using var meters = new TestMeters();
        var outbox = new DurableOutbox(Path.Combine(TestGateway.NewTempDir(), "outbox.db"), new Edge.Gateway.OutboxOptions(), meters.Gateway,
            NullLogger<DurableOutbox>.Instance);
        var stored = await outbox.AppendAsync(Message("n1", 1));
        await outbox.MarkForwardedAsync(stored.GatewaySeq, default);
        Assert.Equal(1, meters.Reader.Count(PerCommit));
        Assert.Equal(2, meters.Reader.Count(Duration));
        await outbox.DisposeAsync();
    }
}
