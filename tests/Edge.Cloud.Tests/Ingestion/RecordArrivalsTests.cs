using System.Linq;
using Edge.Cloud.Ingestion;
using Edge.Cloud.Storage;

namespace Edge.Cloud.Tests.Ingestion;

/// <summary>What <see cref="RecordArrivals"/> holds for the record feed, and when it says a stream must be read back.</summary>
public sealed class RecordArrivalsTests
{
    private static IngestRecord[] Records(string gateway, long first, int count) =>
        Enumerable.Range(0, count).Select(i => new IngestRecord(gateway, first + i, "sl-0001", "igoumenitsa", "telemetry", 1767304800, "{}")).ToArray();

    [Fact]
    public void Batches_stored_whole_are_held_in_seq_order_per_stream_and_complete()
    {
        var arrivals = new RecordArrivals();
        // Two commits of one gateway ending out of seq order, and another gateway's.
        arrivals.Notify(Records("gw-1", 11, 5), new StoreResult(5, 0));
        arrivals.Notify(Records("gw-1", 1, 10), new StoreResult(10, 0));
        arrivals.Notify(Records("gw-2", 1, 3), new StoreResult(3, 0));
        Assert.Equal(18, arrivals.HeldCount);
        Assert.Equal([("gw-1", ""), ("gw-2", "")], arrivals.TakePending().OrderBy(s => s.Gateway));

        var held = arrivals.TakeHeld("gw-1", "");
        Assert.True(held.Complete);
        Assert.Equal(Enumerable.Range(1, 15).Select(i => (long)i), held.Records.Select(r => r.Seq));
        Assert.Equal(3, arrivals.HeldCount);
        // Taken: nothing held any more, so the stream must be read if named again.
        Assert.False(arrivals.TakeHeld("gw-1", "").Complete);
    }

    [Fact]
    public void A_batch_with_duplicates_or_over_the_limit_is_not_held_and_its_stream_is_read_back()
    {
        var arrivals = new RecordArrivals();
        arrivals.Notify(Records("gw-1", 1, 4), new StoreResult(4, 0));
        arrivals.Notify(Records("gw-1", 5, 4), new StoreResult(3, 1));
        var retried = arrivals.TakeHeld("gw-1", "");
        Assert.Equal([1L, 2, 3, 4], retried.Records.Select(r => r.Seq));
        Assert.False(retried.Complete);

        arrivals.Notify(Records("gw-2", 1, RecordArrivals.MaxHeldRecords), new StoreResult(RecordArrivals.MaxHeldRecords, 0));
        arrivals.Notify(Records("gw-3", 1, 1), new StoreResult(1, 0));
        Assert.Equal(RecordArrivals.MaxHeldRecords, arrivals.HeldCount);
        var over = arrivals.TakeHeld("gw-3", "");
        Assert.Equal((0, false), (over.Records.Count, over.Complete));
        Assert.True(arrivals.TakeHeld("gw-2", "").Complete);
        Assert.Equal(0, arrivals.HeldCount);

        // Nothing stored (all duplicates): not even a wake-up.
        Assert.Equal(3, arrivals.TakePending().Count);
        var next = arrivals.Next;
        arrivals.Notify(Records("gw-4", 1, 2), new StoreResult(0, 2));
        Assert.False(next.IsCompleted);
        Assert.Empty(arrivals.TakePending());
    }
}
