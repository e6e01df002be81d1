using System;
using System.Collections.Generic;
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
/// The latest accepted GTFS-Realtime TripUpdates feed (protobuf classes generated from the spec's
/// gtfs-realtime.proto), indexed by trip. A feed older than the one held is ignored (GTFS-Realtime: consumers
/// keep the newest); whether the held one is still fresh enough to show is decided when it is applied
/// (<see cref="RealtimeDepartures"/>), so a feed that stops updating falls back to the schedule by itself.
/// </summary>
public sealed class TripUpdates
{
    private readonly object _lock = new();
    private Snapshot _current = Snapshot.Empty;

    /// <summary>An accepted feed: its header timestamp (Unix seconds) and its trip updates by trip_id.</summary>
    public sealed record Snapshot(ulong Timestamp, IReadOnlyDictionary<string, List<TripUpdate>> ByTrip)
    {
        public static readonly Snapshot Empty = new(0, new Dictionary<string, List<TripUpdate>>());
    }

    public Snapshot Current
    {
        get { lock (_lock) return _current; }
    }

    /// <summary>Why the last refused feed was refused (feed status), or null.</summary>
    public string? LastProblem { get; private set; }

    /// <summary>Parses and takes <paramref name="protobuf"/>; the held feed is unchanged unless it returns None.</summary>
    public RealtimeRefusal Accept(byte[] protobuf, out string? problem)
    {
        FeedMessage message;
        try
        {
            message = FeedMessage.Parser.ParseFrom(protobuf);
        }
        catch (InvalidProtocolBufferException e)
        {
            LastProblem = problem = "not a GTFS-Realtime FeedMessage: " + e.Message;
            return RealtimeRefusal.Unreadable;
        }
        if (message.Header is null || !message.Header.HasGtfsRealtimeVersion)
        {
            // The header is required: bytes that happen to parse (an empty body does) are not a feed.
            LastProblem = problem = "not a GTFS-Realtime FeedMessage: no header with gtfs_realtime_version";
            return RealtimeRefusal.Unreadable;
        }
        var byTrip = new Dictionary<string, List<TripUpdate>>(StringComparer.Ordinal);
        foreach (var entity in message.Entity)
        {
            if (entity.IsDeleted || entity.TripUpdate?.Trip is not { HasTripId: true } trip) continue;
            if (!byTrip.TryGetValue(trip.TripId, out var list)) byTrip[trip.TripId] = list = new List<TripUpdate>();
            list.Add(entity.TripUpdate);
        }
        lock (_lock)
        {
            if (message.Header.Timestamp < _current.Timestamp)
            {
                LastProblem = problem = $"header timestamp {message.Header.Timestamp} is older than the feed held ({_current.Timestamp}); ignored";
                return RealtimeRefusal.Older;
            }
            _current = new Snapshot(message.Header.Timestamp, byTrip);
        }
        problem = null;
        return RealtimeRefusal.None;
    }
}
