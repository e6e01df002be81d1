using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Transit.Gtfs;

namespace Edge.Cloud.Transit;

/// <summary>A scheduled departure on a service day: <see cref="Time"/> in seconds from the day's "noon minus
/// 12 h" (may pass 24 h for trips after midnight); <see cref="RunStart"/>: for a frequency-based trip, the start
/// time of this run (GTFS-Realtime tells runs apart by it).</summary>
public sealed record ScheduledDeparture(int Time, string TripId, string StopId, string RouteId, string Route, string? RouteLongName, string? Headsign, int StopSequence, int? RunStart = null);

/// <summary>
/// The timetable of stops on one service day from the active feed: trips whose service runs that day
/// (calendar.txt weekdays within its dates, plus calendar_dates.txt additions, minus its removals), at the
/// given stops, where passengers can board (not a trip's last stop, not <c>pickup_type</c> 1).
/// </summary>
public static class ScheduledDepartures
{
    public static async Task<IReadOnlyList<ScheduledDeparture>> ForDayAsync(Tx tx, long feed, IReadOnlyCollection<string> stopIds, DateOnly serviceDay)
    {
        if (stopIds.Count == 0) return Array.Empty<ScheduledDeparture>();
        var services = await ServicesOnAsync(tx, feed, serviceDay);
        var (names, stopParameters) = Tx.InList("@s", stopIds);
        (string, object?)[] parameters = [("@f", feed), .. stopParameters];
        var rows = await tx.QueryAsync(
            $"""
            SELECT st.departure, st.trip_id, st.stop_id, r.route_id, r.short_name, r.long_name, COALESCE(st.headsign, t.headsign), t.service_id, st.stop_sequence
            FROM transit_stop_times st
            JOIN transit_trips t ON t.feed = st.feed AND t.trip_id = st.trip_id
            JOIN transit_routes r ON r.feed = t.feed AND r.route_id = t.route_id
            WHERE st.feed = @f AND st.stop_id IN ({names}) AND st.is_last = 0 AND st.pickup_type <> 1 AND st.departure IS NOT NULL
            """,
            r => (Departure: new ScheduledDeparture(Convert.ToInt32(r.GetValue(0)), r.GetString(1), r.GetString(2), r.GetString(3),
                r.Str(4) ?? r.GetString(3), r.Str(5), r.Str(6), Convert.ToInt32(r.GetValue(8))), Service: r.GetString(7)),
            parameters);
        var running = rows.Where(r => services.Contains(r.Service)).Select(r => r.Departure).ToList();
        return (await ExpandFrequenciesAsync(tx, feed, running))
            .OrderBy(d => d.Time).ThenBy(d => d.Route, StringComparer.Ordinal).ThenBy(d => d.TripId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// A trip in frequencies.txt runs every headway_secs from start_time up to (not including) end_time; its
    /// stop_times only give the time between stops, counted from its first departure. Each run becomes a departure.
    /// </summary>
    private static async Task<IEnumerable<ScheduledDeparture>> ExpandFrequenciesAsync(Tx tx, long feed, List<ScheduledDeparture> departures)
    {
        var trips = departures.Select(d => d.TripId).Distinct().ToList();
        if (trips.Count == 0) return departures;
        var (names, tripParameters) = Tx.InList("@t", trips);
        (string, object?)[] parameters = [("@f", feed), .. tripParameters];
        var windows = (await tx.QueryAsync($"SELECT trip_id, start_time, end_time, headway_secs FROM transit_frequencies WHERE feed = @f AND trip_id IN ({names})",
            r => (Trip: r.GetString(0), Start: Convert.ToInt32(r.GetValue(1)), End: Convert.ToInt32(r.GetValue(2)), Headway: Convert.ToInt32(r.GetValue(3))),
            parameters)).ToLookup(w => w.Trip, StringComparer.Ordinal);
        if (windows.Count == 0) return departures;
        var firsts = (await tx.QueryAsync($"SELECT trip_id, MIN(departure) FROM transit_stop_times WHERE feed = @f AND trip_id IN ({names}) GROUP BY trip_id",
            r => (Trip: r.GetString(0), First: Convert.ToInt32(r.GetValue(1))), parameters)).ToDictionary(x => x.Trip, x => x.First, StringComparer.Ordinal);
        var result = new List<ScheduledDeparture>();
        foreach (var departure in departures)
        {
            if (!windows.Contains(departure.TripId))
            {
                result.Add(departure);
                continue;
            }
            var offset = departure.Time - firsts[departure.TripId];
            foreach (var window in windows[departure.TripId])
            {
                for (var start = window.Start; start < window.End; start += window.Headway) result.Add(departure with { Time = start + offset, RunStart = start });
            }
        }
        return result;
    }

    /// <summary>The service_ids that run on <paramref name="day"/> (GTFS calendar.txt and calendar_dates.txt).</summary>
    public static async Task<HashSet<string>> ServicesOnAsync(Tx tx, long feed, DateOnly day)
    {
        var key = GtfsStore.DateKey(day);
        var weekdayBit = 1 << (((int)day.DayOfWeek + 6) % 7); // bit 0 = Monday
        var calendars = await tx.QueryAsync(
            "SELECT service_id, days FROM transit_calendar WHERE feed = @f AND start_date <= @d AND end_date >= @d",
            r => (Id: r.GetString(0), Days: Convert.ToInt32(r.GetValue(1))), ("@f", feed), ("@d", key));
        var services = new HashSet<string>(calendars.Where(c => (c.Days & weekdayBit) != 0).Select(c => c.Id), StringComparer.Ordinal);
        foreach (var (service, type) in await tx.QueryAsync(
                     "SELECT service_id, exception_type FROM transit_calendar_dates WHERE feed = @f AND date = @d",
                     r => (r.GetString(0), Convert.ToInt32(r.GetValue(1))), ("@f", feed), ("@d", key)))
        {
            if (type == 1) services.Add(service);
            else services.Remove(service);
        }
        return services;
    }
}
