using System;
using System.Collections.Generic;
using TransitRealtime;

namespace Edge.Cloud.Transit.Realtime;

/// <summary>The latest accepted VehiclePositions feed, by trip_id (the feed status shows how many vehicles and
/// how old; the signs' predictions come from TripUpdates).</summary>
public sealed class VehiclePositions : RealtimeFeed<VehiclePositions.Snapshot>
{
    public sealed record Snapshot(ulong Timestamp, IReadOnlyDictionary<string, VehiclePosition> ByTrip)
    {
        public static readonly Snapshot Empty = new(0, new Dictionary<string, VehiclePosition>());
    }

    public VehiclePositions() : base(Snapshot.Empty) { }

    protected override (Snapshot, int) Index(FeedMessage message)
    {
        var byTrip = new Dictionary<string, VehiclePosition>(StringComparer.Ordinal);
        var count = 0;
        foreach (var entity in message.Entity)
        {
            if (entity.IsDeleted || entity.Vehicle is null) continue;
            count++;
            if (entity.Vehicle.Trip is { HasTripId: true } trip) byTrip[trip.TripId] = entity.Vehicle;
        }
        return (new Snapshot(message.Header.Timestamp, byTrip), count);
    }
}
