using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;

namespace Edge.Cloud.Ingestion;

/// <summary>
/// Notified after ingestion in this process stored new records (HTTPS batches and the Event Hubs consumer), so
/// the record feed applies them at once — a node's <c>cmd/ack</c> completes its command as soon as it is stored,
/// not at the feed's next periodic pass. It remembers which record streams (gateway, outbox epoch) got records,
/// so the feed reads only those on a wake-up: a batch from one gateway does not make it read every gateway's.
/// </summary>
/// <remarks>
/// It also holds the records a commit stored (<see cref="Notify(IReadOnlyList{IngestRecord}, StoreResult)"/>), up to <see cref="MaxHeldRecords"/> in all,
/// until the feed takes them (<see cref="TakeHeld"/>): the feed then applies them from memory instead of reading them
/// back, when their seq runs on from the stream's cursors without a gap, so that nothing else can be stored in between (RecordFeed). A stream
/// whose stored records were not all held (a batch with duplicates, the limit reached) is marked
/// incomplete, and the feed reads what the held records do not cover.
/// </remarks>
public sealed class RecordArrivals : Wakeup
{
    /// <summary>Most records held for the feed at once (all streams): about two feed passes of the heaviest ingest
    /// measured, a few megabytes at most.</summary>
    public const int MaxHeldRecords = 20_000;

    private readonly ConcurrentDictionary<(string Gateway, string Epoch), byte> _pending = new();
    private readonly Dictionary<(string Gateway, string Epoch), HeldStream> _held = new();
    private readonly object _heldLock = new();
    private int _heldCount;

    /// <summary>
    /// After a commit that stored <paramref name="result"/> of <paramref name="admitted"/> (what was handed to the
    /// store): marks their streams as having new records, then wakes the waiters. When every admitted record was new
    /// (no duplicate, no key twice) they are held for the feed, within <see cref="MaxHeldRecords"/>; otherwise their
    /// streams are marked incomplete and the feed reads them back.
    /// </summary>
    public void Notify(IReadOnlyList<IngestRecord> admitted, StoreResult result)
    {
        if (result.Stored == 0) return;
        var hold = result.Duplicates == 0;
        lock (_heldLock)
        {
            var fits = hold && _heldCount + admitted.Count <= MaxHeldRecords;
            // A batch is one stream (an Event Hubs batch a few): the stream is looked up when it changes, not per record.
            HeldStream? stream = null;
            foreach (var record in admitted)
            {
                if (stream is null || !stream.Is(record.Gateway, record.Epoch))
                {
                    stream = Held((record.Gateway, record.Epoch));
                    _pending.TryAdd((record.Gateway, record.Epoch), 0);
                }
                if (fits) stream.Records.Add(FeedRecord.Of(record));
                else stream.Complete = false;
            }
            if (fits) _heldCount += admitted.Count;
        }
        Notify();
    }

    /// <summary>The streams notified since the last call, each once (the caller reads them after taking
    /// <see cref="Wakeup.Next"/>, so a notification racing with the drain wakes it again).</summary>
    public List<(string Gateway, string Epoch)> TakePending()
    {
        var streams = new List<(string Gateway, string Epoch)>();
        foreach (var key in _pending.Keys)
        {
            if (_pending.TryRemove(key, out _)) streams.Add(key);
        }
        return streams;
    }

    /// <summary>The records held for one stream, in <c>seq</c> order, and whether they are all this process stored
    /// in it since the last take; the stream holds nothing after. Nothing held: not complete (read the stream).</summary>
    public HeldRecords TakeHeld(string gateway, string epoch)
    {
        lock (_heldLock)
        {
            if (!_held.Remove((gateway, epoch), out var stream)) return new HeldRecords([], Complete: false);
            _heldCount -= stream.Records.Count;
            // Commits of one stream can end in another order than their seq (a retry racing its first attempt).
            stream.Records.Sort((a, b) => a.Seq.CompareTo(b.Seq));
            return new HeldRecords(stream.Records, stream.Complete);
        }
    }

    /// <summary>Records held now, all streams.</summary>
    public int HeldCount
    {
        get { lock (_heldLock) return _heldCount; }
    }

    private HeldStream Held((string Gateway, string Epoch) key)
    {
        if (!_held.TryGetValue(key, out var stream)) _held[key] = stream = new HeldStream(key.Gateway, key.Epoch);
        return stream;
    }

    private sealed class HeldStream(string gateway, string epoch)
    {
        public List<FeedRecord> Records { get; } = [];
        public bool Complete { get; set; } = true;

        public bool Is(string otherGateway, string otherEpoch) => gateway == otherGateway && epoch == otherEpoch;
    }
}

/// <summary>What <see cref="RecordArrivals.TakeHeld"/> gives: a stream's held records in <c>seq</c> order, and whether
/// they are all the records this process stored in it since the last take.</summary>
public sealed record HeldRecords(IReadOnlyList<FeedRecord> Records, bool Complete);

/// <summary>
/// A stored record as the record feed needs it: of acks, events and states their payload (alarm rules, commands, node
/// state), of telemetry only its type (node state). Held records are kept in this form, not as the whole
/// <see cref="IngestRecord"/>: they live until the feed's next pass, past collections of the youngest generation, and
/// the telemetry payloads they leave behind are most of a batch's bytes.
/// </summary>
public sealed record FeedRecord(long Seq, string Site, string? Node, string Kind, long ReceivedAt, string? Payload, string? TelemetryType)
{
    public static FeedRecord Of(IngestRecord r) => new(r.Seq, r.Site, r.Node, r.Kind, r.ReceivedAt,
        r.Kind is "ack" or "event" or "state" ? r.PayloadJson : null, r.Kind == "telemetry" ? r.Telemetry?.Type : null);
}
