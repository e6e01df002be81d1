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
public sealed class RecordArrivals : Wakeup
{
    private readonly ConcurrentDictionary<(string Gateway, string Epoch), byte> _pending = new();

    /// <summary>Marks the streams of <paramref name="stored"/> as having new records, then wakes the waiters.</summary>
    public void Notify(IEnumerable<IngestRecord> stored)
    {
        foreach (var record in stored) _pending.TryAdd((record.Gateway, record.Epoch), 0);
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
}
