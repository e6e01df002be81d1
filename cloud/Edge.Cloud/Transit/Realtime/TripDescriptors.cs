using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Edge.Cloud.Transit.Gtfs;
using TransitRealtime;

namespace Edge.Cloud.Transit.Realtime;

/// <summary>
/// Finds the trip a GTFS-Realtime TripDescriptor names without trip_id, by the reference's alternative form (route_id, direction_id, start_time and start_date must then all be set): the one trip of the active
/// timetable on that route, in that direction, whose service runs on start_date (the service day) and which starts at
/// start_time — its first departure, or for a trip in frequencies.txt one of its runs (the window's start_time plus a
/// multiple of headway_secs, before its end_time: the rule exact_times=1 sets, and the runs the timetable lists).
/// Times count from the service day's "noon minus 12 h", as in GTFS, so <c>25:10:00</c> with the previous day's
/// start_date is that service day's trip after midnight, and the match needs no time zone: the days the clocks change
/// are no different. A descriptor that is incomplete, matches no trip or matches several is not guessed: it is kept,
/// with the reason, for the feed status. Used for trip updates (<see cref="TripUpdates.ResolveAsync"/>) and service
/// alerts' informed_entity trips (<see cref="ServiceAlerts.ResolveAsync"/>).
/// </summary>
public static class TripDescriptors
{
    /// <summary>A trip of the timetable as a descriptor sees it; <see cref="Runs"/>: its frequencies.txt windows.</summary>
    private sealed record Candidate(string TripId, int? Direction, string Service, int FirstDeparture, List<(int Start, int End, int Headway)> Runs)
    {
        public bool StartsAt(int start) => Runs.Count == 0
            ? FirstDeparture == start
            : Runs.Any(w => start >= w.Start && start < w.End && (start - w.Start) % w.Headway == 0);

        public bool InWindow(int start) => Runs.Any(w => start >= w.Start && start < w.End);
    }

    /// <summary>Each of <paramref name="descriptors"/> (none with a trip_id) looked up in the active timetable, in
    /// order: its trip's id, or null and the reason (with the descriptor's fields, for the feed status). Null before
    /// the first GTFS import: there is no timetable to look in yet, the descriptors wait for the next poll.</summary>
    public static async Task<IReadOnlyList<(string? TripId, string? Reason)>?> FindAsync(IStorageConnections connections,
        IReadOnlyList<TripDescriptor> descriptors, CancellationToken ct)
    {
        if (descriptors.Count == 0) return Array.Empty<(string?, string?)>();
        await using var tx = await Tx.ReadAsync(connections, ct);
        if (await GtfsStore.ActiveAsync(tx) is not { } active) return null;

        var parsed = descriptors.Select(d => (Trip: d, Problem: Incomplete(d, out var start, out var date), Start: start, Date: date)).ToList();
        var candidates = await CandidatesAsync(tx, active.Feed, parsed.Where(p => p.Problem is null).Select(p => p.Trip.RouteId).Distinct().ToList());
        var services = new Dictionary<DateOnly, HashSet<string>>();
        var result = new List<(string?, string?)>();
        foreach (var (trip, problem, start, date) in parsed)
        {
            if (problem is not null)
            {
                result.Add((null, $"{Describe(trip)}: {problem}"));
                continue;
            }
            if (!services.TryGetValue(date, out var running)) services[date] = running = await ScheduledDepartures.ServicesOnAsync(tx, active.Feed, date);
            var (tripId, reason) = Match(candidates[trip.RouteId], trip, start, running);
            result.Add(tripId is null ? (null, $"{Describe(trip)}: {reason}") : (tripId, null));
        }
        return result;
    }

    /// <summary>The one trip of <paramref name="route"/> in the descriptor's direction, running that service day
    /// (<paramref name="running"/>: its service_ids), that starts at <paramref name="start"/>; else why none.</summary>
    private static (string? TripId, string? Reason) Match(List<Candidate> route, TripDescriptor trip, int start, HashSet<string> running)
    {
        var onDay = route.Where(c => c.Direction == (int)trip.DirectionId && running.Contains(c.Service)).ToList();
        var matches = onDay.Where(c => c.StartsAt(start)).Select(c => c.TripId).Order(StringComparer.Ordinal).ToList();
        return matches.Count switch
        {
            1 => (matches[0], null),
            > 1 => (null, $"ambiguous, {matches.Count} trips match ({string.Join(", ", matches)}); not applied"),
            _ when onDay.Any(c => c.InWindow(start)) =>
                (null, "no run of a frequency-based trip starts then (start_time must be its window's start plus a multiple of headway_secs); not applied"),
            _ => (null, "no trip of the route in that direction starts then on that service day; not applied"),
        };
    }

    /// <summary>Why a descriptor without trip_id cannot be looked up, or null when it can (with its start_time in
    /// service-day seconds and its start_date).</summary>
    private static string? Incomplete(TripDescriptor trip, out int start, out DateOnly date)
    {
        (start, date) = (0, default);
        var missing = new List<string>();
        if (!trip.HasRouteId || trip.RouteId.Length == 0) missing.Add("route_id");
        if (!trip.HasDirectionId) missing.Add("direction_id");
        if (!trip.HasStartTime) missing.Add("start_time");
        if (!trip.HasStartDate) missing.Add("start_date");
        if (missing.Count > 0) return $"without trip_id, route_id, direction_id, start_time and start_date must all be set (missing {string.Join(", ", missing)}); not applied";
        if (!GtfsTime.TryParseTime(trip.StartTime, out start)) return $"start_time \"{trip.StartTime}\" is not a GTFS time H:MM:SS; not applied";
        if (!GtfsTime.TryParseDate(trip.StartDate, out date)) return $"start_date \"{trip.StartDate}\" is not a date YYYYMMDD; not applied";
        return null;
    }

    /// <summary>How the feed status names a descriptor: the fields it gives.</summary>
    private static string Describe(TripDescriptor trip)
    {
        var fields = new List<string>();
        if (trip.HasRouteId) fields.Add($"route_id {trip.RouteId}");
        if (trip.HasDirectionId) fields.Add(string.Create(CultureInfo.InvariantCulture, $"direction_id {trip.DirectionId}"));
        if (trip.HasStartTime) fields.Add($"start_time {trip.StartTime}");
        if (trip.HasStartDate) fields.Add($"start_date {trip.StartDate}");
        return fields.Count == 0 ? "trip without trip_id" : string.Join(", ", fields);
    }

    /// <summary>The trips of <paramref name="routes"/> with their direction, service, first departure and frequency
    /// windows (every route listed has an entry, empty when the timetable has no such route).</summary>
    private static async Task<Dictionary<string, List<Candidate>>> CandidatesAsync(Tx tx, long feed, IReadOnlyList<string> routes)
    {
        var result = routes.ToDictionary(r => r, _ => new List<Candidate>(), StringComparer.Ordinal);
        foreach (var chunk in routes.Chunk(500))
        {
            var (names, routeParameters) = Tx.InList("@r", chunk);
            (string, object?)[] parameters = [("@f", feed), .. routeParameters];
            // The first departure is the smallest: a valid trip's times never go back (GtfsReader refuses it).
            var trips = await tx.QueryAsync(
                $"""
                SELECT t.trip_id, t.route_id, t.direction_id, t.service_id, MIN(st.departure)
                FROM transit_trips t JOIN transit_stop_times st ON st.feed = t.feed AND st.trip_id = t.trip_id
                WHERE t.feed = @f AND t.route_id IN ({names})
                GROUP BY t.trip_id, t.route_id, t.direction_id, t.service_id
                """,
                r => (Route: r.GetString(1), Trip: new Candidate(r.GetString(0), r.IsDBNull(2) ? null : Convert.ToInt32(r.GetValue(2)), r.GetString(3),
                    r.IsDBNull(4) ? -1 : Convert.ToInt32(r.GetValue(4)), new List<(int, int, int)>())),
                parameters);
            var byId = trips.ToDictionary(t => t.Trip.TripId, t => t.Trip, StringComparer.Ordinal);
            foreach (var (route, trip) in trips) result[route].Add(trip);
            foreach (var (trip, start, end, headway) in await tx.QueryAsync(
                         $"""
                         SELECT f.trip_id, f.start_time, f.end_time, f.headway_secs
                         FROM transit_frequencies f JOIN transit_trips t ON t.feed = f.feed AND t.trip_id = f.trip_id
                         WHERE f.feed = @f AND t.route_id IN ({names})
                         """,
                         r => (r.GetString(0), Convert.ToInt32(r.GetValue(1)), Convert.ToInt32(r.GetValue(2)), Convert.ToInt32(r.GetValue(3))), parameters))
            {
                if (byId.TryGetValue(trip, out var candidate)) candidate.Runs.Add((start, end, headway));
            }
        }
        return result;
    }
}
