using System;
using System.Collections.Generic;
using System.Linq;
using NodaTime;
using TransitRealtime;

namespace Edge.Cloud.Transit.Realtime;

/// <summary>A departure as the sign shows it: the predicted instant when <see cref="Realtime"/>, else the
/// scheduled one; <see cref="Cancelled"/> trips stay listed (struck through).</summary>
public sealed record LiveDeparture(ScheduledDeparture Scheduled, Instant At, bool Realtime, bool Cancelled);

/// <summary>
/// Applies a TripUpdates feed to a stop's scheduled departures of one service day, by the GTFS-Realtime rules:
/// <list type="bullet">
/// <item>a trip matches by trip_id and, when given, start_date (the service day); a run of a frequency-based trip
/// also by start_time (an update without it applies to no run);</item>
/// <item>a CANCELED trip is listed as cancelled at its scheduled time;</item>
/// <item>the StopTimeUpdate for this stop, or else the nearest one before it in the trip, gives the prediction:
/// its absolute time at this stop, or its delay (a delay carries to later stops until the next update);</item>
/// <item>a SKIPPED stop is left out; NO_DATA (at the stop or carried from before) means scheduled;</item>
/// <item>a feed older than the staleness limit, or no update for the trip: scheduled, marked scheduled.</item>
/// </list>
/// ADDED trips: <see cref="AddedDepartures"/>. An update that names its trip by route_id, direction_id, start_time
/// and start_date instead of trip_id applies once <see cref="TripDescriptors"/> has found its one trip in the timetable.
/// </summary>
public static class RealtimeDepartures
{
    // scheduleOf: a trip's scheduled times by stop_sequence (service-day seconds); it turns an absolute predicted
    // time at an earlier stop into the delay that carries to this one.
    public static IReadOnlyList<LiveDeparture> Apply(IEnumerable<ScheduledDeparture> departures, DateTimeZone zone, LocalDate serviceDay,
        TripUpdates.Snapshot feed, Instant now, Duration maxAge, Func<string, IReadOnlyDictionary<int, int>> scheduleOf)
    {
        var fresh = Fresh(feed, now, maxAge);
        var startDate = serviceDay.ToString("uuuuMMdd", System.Globalization.CultureInfo.InvariantCulture);
        var result = new List<LiveDeparture>();
        foreach (var departure in departures)
        {
            var scheduled = TimetableBuilder.At(zone, serviceDay, departure.Time);
            var update = fresh && feed.ByTrip.TryGetValue(departure.TripId, out var updates)
                ? updates.FirstOrDefault(u => (!u.Trip.HasStartDate || u.Trip.StartDate == startDate) && SameRun(u.Trip, departure))
                : null;
            if (update is null)
            {
                result.Add(new LiveDeparture(departure, scheduled, false, false));
                continue;
            }
            if (update.Trip.ScheduleRelationship == TripDescriptor.Types.ScheduleRelationship.Canceled)
            {
                result.Add(new LiveDeparture(departure, scheduled, false, true));
                continue;
            }
            var at = Predict(update, departure, scheduled, sequence => scheduleOf(departure.TripId).TryGetValue(sequence, out var t)
                ? TimetableBuilder.At(zone, serviceDay, t) : null, out var skipped);
            if (skipped) continue;
            result.Add(at is { } predicted ? new LiveDeparture(departure, predicted, true, false) : new LiveDeparture(departure, scheduled, false, false));
        }
        return result.OrderBy(d => d.At).ToList();
    }

    /// <summary>Whether the feed is recent enough to show (by its header timestamp).</summary>
    public static bool Fresh(TripUpdates.Snapshot feed, Instant now, Duration maxAge) =>
        feed.Timestamp > 0 && now - Instant.FromUnixTimeSeconds((long)feed.Timestamp) <= maxAge;

    /// <summary>A frequency-based trip's runs share a trip_id: an update is for the run whose start_time it names.</summary>
    private static bool SameRun(TripDescriptor trip, ScheduledDeparture departure) =>
        departure.RunStart is not { } run || (trip.HasStartTime && Gtfs.GtfsTime.TryParseTime(trip.StartTime, out var start) && start == run);

    /// <summary>The predicted departure at the departure's stop, or null for "no prediction".</summary>
    private static Instant? Predict(TripUpdate update, ScheduledDeparture departure, Instant scheduled, Func<int, Instant?> scheduledAt, out bool skipped)
    {
        skipped = false;
        // The update for this stop, else the last one before it (by stop_sequence, or this stop's id).
        TripUpdate.Types.StopTimeUpdate? governing = null;
        foreach (var u in update.StopTimeUpdate)
        {
            var atThisStop = u.HasStopSequence ? u.StopSequence == departure.StopSequence : u.HasStopId && u.StopId == departure.StopId;
            var before = u.HasStopSequence && u.StopSequence < departure.StopSequence;
            if (atThisStop)
            {
                governing = u;
                break;
            }
            if (before && u.ScheduleRelationship != TripUpdate.Types.StopTimeUpdate.Types.ScheduleRelationship.Skipped) governing = u;
        }
        if (governing is null) return update.HasDelay ? scheduled.Plus(Duration.FromSeconds(update.Delay)) : null;
        var here = governing.HasStopSequence ? governing.StopSequence == departure.StopSequence : governing.StopId == departure.StopId;
        switch (governing.ScheduleRelationship)
        {
            case TripUpdate.Types.StopTimeUpdate.Types.ScheduleRelationship.Skipped:
                skipped = true;
                return null;
            case TripUpdate.Types.StopTimeUpdate.Types.ScheduleRelationship.NoData:
                return null;
        }
        var ev = governing.Departure ?? governing.Arrival;
        if (ev is null) return null;
        if (here && ev.HasTime) return Instant.FromUnixTimeSeconds(ev.Time);
        if (ev.HasDelay) return scheduled.Plus(Duration.FromSeconds(ev.Delay));
        // Only an absolute time at an earlier stop: its delay against that stop's schedule carries on.
        if (ev.HasTime && governing.HasStopSequence && scheduledAt((int)governing.StopSequence) is { } earlier)
        {
            return scheduled.Plus(Instant.FromUnixTimeSeconds(ev.Time) - earlier);
        }
        return null;
    }
}
