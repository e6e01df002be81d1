using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using NodaTime;
using TransitRealtime;

namespace Edge.Cloud.Transit.Realtime;

/// <summary>
/// Trips the timetable does not have (TripUpdate with schedule_relationship ADDED, or NEW in later versions of the
/// spec) that call at a sign's stops: each listed at the absolute time its StopTimeUpdate gives there, live — not
/// at its last stop (an arrival: nobody boards), not at a SKIPPED stop, not without a time (an added trip has no
/// schedule to carry a delay from). Route label: the route's short name in the feed (else its route_id); headsign:
/// trip_properties.trip_headsign (translated like the feed's headsigns), else the name of its last stop.
/// </summary>
public static class AddedDepartures
{
    public static async Task<List<SignArrival>> ForStopsAsync(Tx tx, long feed, TransitNames names, TripUpdates.Snapshot realtime,
        IReadOnlyCollection<string> stopIds, Instant now, Duration maxAge)
    {
        var result = new List<SignArrival>();
        if (!RealtimeDepartures.Fresh(realtime, now, maxAge)) return result;
        foreach (var update in realtime.Added)
        {
            var calls = update.StopTimeUpdate;
            for (var i = 0; i < calls.Count - 1; i++)
            {
                var call = calls[i];
                if (!call.HasStopId || !stopIds.Contains(call.StopId) || call.ScheduleRelationship == TripUpdate.Types.StopTimeUpdate.Types.ScheduleRelationship.Skipped) continue;
                if ((call.Departure ?? call.Arrival) is not { HasTime: true } at) continue;
                var route = (await tx.QueryAsync("SELECT short_name, long_name FROM transit_routes WHERE feed = @f AND route_id = @r",
                    r => (Short: r.Str(0), Long: r.Str(1)), ("@f", feed), ("@r", update.Trip.RouteId))).FirstOrDefault();
                var label = route.Short ?? (update.Trip.HasRouteId ? update.Trip.RouteId : "+");
                result.Add(new SignArrival(new SignDeparture(TransitNames.Fit(label, Firmware.Transit.DisplayContentParser.MaxRouteLength),
                    await HeadsignAsync(tx, feed, names, update, route.Long ?? label), 0), Instant.FromUnixTimeSeconds(at.Time), true, false));
            }
        }
        return result;
    }

    private static async Task<System.Text.Json.Nodes.JsonObject> HeadsignAsync(Tx tx, long feed, TransitNames names, TripUpdate update, string fallback)
    {
        if (update.TripProperties is { HasTripHeadsign: true } properties && properties.TripHeadsign.Length > 0)
            return names.Bilingual("trips", "trip_headsign", update.Trip.TripId, properties.TripHeadsign);
        var last = update.StopTimeUpdate[^1];
        var name = last.HasStopId
            ? (await tx.QueryAsync("SELECT name FROM transit_stops WHERE feed = @f AND stop_id = @s", r => r.Str(0), ("@f", feed), ("@s", last.StopId))).FirstOrDefault()
            : null;
        return name is not null ? names.Bilingual("stops", "stop_name", last.StopId, name) : names.Bilingual("routes", "route_long_name", update.Trip.RouteId, fallback);
    }
}
