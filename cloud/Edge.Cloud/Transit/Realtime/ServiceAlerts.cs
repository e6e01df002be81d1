using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Storage;
using TransitRealtime;

namespace Edge.Cloud.Transit.Realtime;

/// <summary>The latest accepted ServiceAlerts feed: its alerts (which stops they reach: <see cref="StopAlerts"/>).</summary>
public sealed class ServiceAlerts : RealtimeFeed<ServiceAlerts.Snapshot>
{
    public sealed record Snapshot(ulong Timestamp, IReadOnlyList<Alert> Alerts)
    {
        public static readonly Snapshot Empty = new(0, []);

        /// <summary>The informed_entity trips named without trip_id that matched no trip or several, each with the
        /// reason (for the feed status); their selectors reach no stop.</summary>
        public IReadOnlyList<string> Unmatched { get; init; } = Array.Empty<string>();
    }

    public ServiceAlerts() : base(Snapshot.Empty) { }

    protected override (Snapshot, int) Index(FeedMessage message)
    {
        var alerts = message.Entity.Where(e => !e.IsDeleted && e.Alert is not null).Select(e => e.Alert).ToList();
        return (new Snapshot(message.Header.Timestamp, alerts), alerts.Count);
    }

    /// <summary>The snapshot with the informed_entity trips named without trip_id (route_id, direction_id, start_time,
    /// start_date) looked up in the active timetable (<see cref="TripDescriptors"/>): the alerts copied with the found
    /// trip's id in the selector, so it reaches the stops that trip calls at; the others listed in
    /// <see cref="Snapshot.Unmatched"/>. Unchanged before the first GTFS import.</summary>
    public static async Task<Snapshot> ResolveAsync(IStorageConnections connections, Snapshot held, CancellationToken ct)
    {
        static IEnumerable<EntitySelector> Named(IEnumerable<Alert> alerts) => alerts.SelectMany(a => a.InformedEntity).Where(e => e.Trip is { HasTripId: false });
        var descriptors = Named(held.Alerts).Select(e => e.Trip).ToList();
        if (descriptors.Count == 0) return held;
        if (await TripDescriptors.FindAsync(connections, descriptors, ct) is not { } found) return held;
        var alerts = held.Alerts.Select(a => a.Clone()).ToList();
        foreach (var (selector, (tripId, _)) in Named(alerts).Zip(found))
        {
            if (tripId is not null) selector.Trip.TripId = tripId;
        }
        return held with { Alerts = alerts, Unmatched = found.Where(f => f.TripId is null).Select(f => f.Reason!).ToList() };
    }
}
