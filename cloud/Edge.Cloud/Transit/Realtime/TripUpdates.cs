using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Storage;
using TransitRealtime;

namespace Edge.Cloud.Transit.Realtime;

/// <summary>
/// The latest accepted TripUpdates feed, indexed by trip_id; trips the timetable does not have (ADDED, or NEW in
/// later versions of the spec) are kept apart in <see cref="Snapshot.Added"/>, and updates that name their trip by
/// route_id, direction_id, start_time and start_date instead of a trip_id in <see cref="Snapshot.Descriptors"/> until
/// <see cref="TripDescriptors"/> finds their trip in the active timetable.
/// </summary>
public sealed class TripUpdates : RealtimeFeed<TripUpdates.Snapshot>
{
    /// <summary>An accepted feed: its header timestamp (Unix seconds), its trip updates by trip_id and its added trips.</summary>
    public sealed record Snapshot(ulong Timestamp, IReadOnlyDictionary<string, List<TripUpdate>> ByTrip, IReadOnlyList<TripUpdate> Added)
    {
        public static readonly Snapshot Empty = new(0, new Dictionary<string, List<TripUpdate>>(), Array.Empty<TripUpdate>());

        /// <summary>Updates without trip_id, not yet looked up in the timetable (once found they are in
        /// <see cref="ByTrip"/> under their trip's id).</summary>
        public IReadOnlyList<TripUpdate> Descriptors { get; init; } = Array.Empty<TripUpdate>();

        /// <summary>The descriptors that matched no trip or several, each with the reason (for the feed status).</summary>
        public IReadOnlyList<string> Unmatched { get; init; } = Array.Empty<string>();
    }

    public TripUpdates() : base(Snapshot.Empty) { }

    /// <summary>Trips of the held feed the active timetable does not have (<see cref="Realtime.UnknownTrips"/>), set
    /// after each poll.</summary>
    public IReadOnlyList<string> UnknownTrips { get => Volatile.Read(ref _unknownTrips); set => Volatile.Write(ref _unknownTrips, value); }

    private IReadOnlyList<string> _unknownTrips = Array.Empty<string>();

    protected override (Snapshot, int) Index(FeedMessage message)
    {
        var byTrip = new Dictionary<string, List<TripUpdate>>(StringComparer.Ordinal);
        var added = new List<TripUpdate>();
        var descriptors = new List<TripUpdate>();
        foreach (var entity in message.Entity)
        {
            if (entity.IsDeleted || entity.TripUpdate?.Trip is not { } trip) continue;
            if (IsAdded(trip)) added.Add(entity.TripUpdate);
            else if (trip.HasTripId)
            {
                if (!byTrip.TryGetValue(trip.TripId, out var list)) byTrip[trip.TripId] = list = new List<TripUpdate>();
                list.Add(entity.TripUpdate);
            }
            else descriptors.Add(entity.TripUpdate);
        }
        return (new Snapshot(message.Header.Timestamp, byTrip, added) { Descriptors = descriptors },
            byTrip.Values.Sum(l => l.Count) + added.Count + descriptors.Count);
    }

    /// <summary>The snapshot with its <see cref="Snapshot.Descriptors"/> looked up in the active timetable
    /// (<see cref="TripDescriptors"/>): each found update, copied with its trip's id, under that id — applied exactly as
    /// one that named it —, the others in <see cref="Snapshot.Unmatched"/> with the reason, in feed order. Unchanged
    /// before the first GTFS import.</summary>
    public static async Task<Snapshot> ResolveAsync(IStorageConnections connections, Snapshot held, CancellationToken ct)
    {
        if (held.Descriptors.Count == 0) return held;
        if (await TripDescriptors.FindAsync(connections, held.Descriptors.Select(u => u.Trip).ToList(), ct) is not { } found) return held;
        var byTrip = held.ByTrip.ToDictionary(e => e.Key, e => e.Value.ToList(), StringComparer.Ordinal);
        var unmatched = new List<string>();
        foreach (var (update, (tripId, reason)) in held.Descriptors.Zip(found))
        {
            if (tripId is null)
            {
                unmatched.Add(reason!);
                continue;
            }
            var resolved = update.Clone();
            resolved.Trip.TripId = tripId;
            if (!byTrip.TryGetValue(tripId, out var list)) byTrip[tripId] = list = new List<TripUpdate>();
            list.Add(resolved);
        }
        return held with { ByTrip = byTrip, Descriptors = Array.Empty<TripUpdate>(), Unmatched = unmatched };
    }

#pragma warning disable CS0612 // ADDED is deprecated in favour of NEW; feeds send both
    private static bool IsAdded(TripDescriptor trip) =>
        trip.ScheduleRelationship is TripDescriptor.Types.ScheduleRelationship.Added or TripDescriptor.Types.ScheduleRelationship.New;
#pragma warning restore CS0612
}
