using System;
using System.Threading.Tasks;
using Google.Protobuf;
using TransitRealtime;

namespace Edge.Cloud.Transit.Realtime;

/// <summary>Why a GTFS-Realtime feed was not taken.</summary>
public enum RealtimeRefusal
{
    None,
    /// <summary>Not a FeedMessage (protobuf garbage, an HTML error page, …).</summary>
    Unreadable,
    /// <summary>Its header timestamp is older than the feed already held.</summary>
    Older,
}

/// <summary>
/// The latest accepted GTFS-Realtime feed of one kind (trip updates, vehicle positions or alerts), parsed with the
/// protobuf classes generated from the spec's gtfs-realtime.proto and indexed by <see cref="Index"/>. A feed older
/// than the one held is ignored (consumers keep the newest); whether the held one is still fresh enough to show is
/// decided where it is used, so a feed that stops updating falls back by itself.
/// </summary>
public abstract class RealtimeFeed<TSnapshot> where TSnapshot : class
{
    private readonly object _lock = new();
    private TSnapshot _current;
    private ulong _timestamp;

    protected RealtimeFeed(TSnapshot empty) => _current = empty;

    public TSnapshot Current
    {
        get { lock (_lock) return _current; }
    }

    /// <summary>The held feed's header timestamp (Unix seconds), 0 before the first.</summary>
    public ulong Timestamp
    {
        get { lock (_lock) return _timestamp; }
    }

    /// <summary>Entities of the held feed that were used (for the feed status).</summary>
    public int Entities { get; private set; }

    /// <summary>Why the last refused feed was refused (feed status), or null.</summary>
    public string? LastProblem { get; private set; }

    /// <summary>Parses and takes <paramref name="protobuf"/>; the held feed is unchanged unless it returns None.</summary>
    public RealtimeRefusal Accept(byte[] protobuf, out string? problem) =>
        Read(protobuf, out problem) is { } read ? Take(read, out problem) : RealtimeRefusal.Unreadable;

    /// <summary>As <see cref="Accept"/>, with the snapshot completed by <paramref name="complete"/> (a lookup against the
    /// timetable) before it is held: readers never see it incomplete.</summary>
    public async Task<(RealtimeRefusal Refusal, string? Problem)> AcceptAsync(byte[] protobuf, Func<TSnapshot, Task<TSnapshot>> complete)
    {
        if (Read(protobuf, out var problem) is not { } read) return (RealtimeRefusal.Unreadable, problem);
        var refusal = Take(read with { Snapshot = await complete(read.Snapshot) }, out problem);
        return (refusal, problem);
    }

    /// <summary>Replaces the held snapshot with <paramref name="derived"/> (the same feed completed by a lookup against
    /// the timetable), unless a newer feed was taken since <paramref name="held"/> was read.</summary>
    public bool Replace(TSnapshot held, TSnapshot derived)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(_current, held)) return false;
            _current = derived;
            return true;
        }
    }

    private sealed record Indexed(ulong Timestamp, TSnapshot Snapshot, int Used);

    private Indexed? Read(byte[] protobuf, out string? problem)
    {
        FeedMessage message;
        try
        {
            message = FeedMessage.Parser.ParseFrom(protobuf);
        }
        catch (InvalidProtocolBufferException e)
        {
            LastProblem = problem = "not a GTFS-Realtime FeedMessage: " + e.Message;
            return null;
        }
        if (message.Header is null || !message.Header.HasGtfsRealtimeVersion)
        {
            // The header is required: bytes that happen to parse (an empty body does) are not a feed.
            LastProblem = problem = "not a GTFS-Realtime FeedMessage: no header with gtfs_realtime_version";
            return null;
        }
        var (snapshot, used) = Index(message);
        problem = null;
        return new Indexed(message.Header.Timestamp, snapshot, used);
    }

    private RealtimeRefusal Take(Indexed feed, out string? problem)
    {
        lock (_lock)
        {
            if (feed.Timestamp < _timestamp)
            {
                LastProblem = problem = $"header timestamp {feed.Timestamp} is older than the feed held ({_timestamp}); ignored";
                return RealtimeRefusal.Older;
            }
            _current = feed.Snapshot;
            _timestamp = feed.Timestamp;
            Entities = feed.Used;
        }
        problem = null;
        return RealtimeRefusal.None;
    }

    /// <summary>The snapshot of a readable feed and how many of its entities it holds.</summary>
    protected abstract (TSnapshot Snapshot, int Used) Index(FeedMessage message);
}
