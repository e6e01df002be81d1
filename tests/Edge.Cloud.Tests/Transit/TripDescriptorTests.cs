using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Edge.Cloud.Transit;
using Edge.Cloud.Transit.Realtime;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using TransitRealtime;

namespace Edge.Cloud.Tests.Transit;

/// <summary>
/// Trip updates that name their trip, as the GTFS-Realtime reference's TripDescriptor allows, by route_id,
/// direction_id, start_time and start_date without trip_id ("If trip_id is not specified, route_id, direction_id,
/// start_time and start_date must all be set"). Feeds are built with the spec's own .proto classes. Route 2 as in
/// RealtimeTests.cs (Saturday 2026-03-28, EET +02:00, the eve of the spring-forward Sunday), all trips direction 0,
/// plus W1430 the other way (Plataria 14:30, the port 14:50 = 12:50Z: the same start time as E14), E16B from KTEL at
/// 15:50 like E16 (the port at 16:05 = 14:05Z) and N2510, the night bus from the port at 25:10:00.
/// </summary>
public abstract partial class TransitSuite
{
    internal static readonly Dictionary<string, string> Route2Directions = new(Route2Feed)
    {
        ["trips.txt"] = "route_id,service_id,trip_id,trip_headsign,direction_id\n" +
            string.Concat(new[] { "E14", "E15", "E16", "E16B", "E17", "E18", "E19", "E20", "N2510" }.Select(t => $"R2,DAILY,{t},Πλαταριά,0\n")) +
            "R2,DAILY,W1430,ΚΤΕΛ,1\n",
        ["stop_times.txt"] = Route2Feed["stop_times.txt"] +
            "W1430,14:30:00,14:30:00,PLAT,1\nW1430,14:50:00,14:50:00,IGO_PORT,2\nW1430,15:00:00,15:00:00,KTEL,3\n" +
            "E16B,15:50:00,15:50:00,KTEL,1\nE16B,16:05:00,16:05:00,IGO_PORT,2\nE16B,16:25:00,16:25:00,PLAT,3\n" +
            "N2510,25:10:00,25:10:00,IGO_PORT,1\nN2510,25:30:00,25:30:00,PLAT,2\n",
    };

    /// <summary>A trip update naming its trip without trip_id (null fields are left unset).</summary>
    internal static FeedEntity ByDescriptor(string? route, uint? direction, string? startTime, string? startDate,
        TripDescriptor.Types.ScheduleRelationship relationship, params TripUpdate.Types.StopTimeUpdate[] stops)
    {
        var trip = new TripDescriptor { ScheduleRelationship = relationship };
        if (route is not null) trip.RouteId = route;
        if (direction is { } d) trip.DirectionId = d;
        if (startTime is not null) trip.StartTime = startTime;
        if (startDate is not null) trip.StartDate = startDate;
        var update = new TripUpdate { Trip = trip };
        update.StopTimeUpdate.Add(stops);
        return new FeedEntity { Id = $"{route}/{direction}/{startTime}/{startDate}", TripUpdate = update };
    }

    private static byte[] UpdatesFeed(DateTimeOffset timestamp, params FeedEntity[] entities)
    {
        var message = new FeedMessage { Header = new FeedHeader { GtfsRealtimeVersion = "2.0", Timestamp = (ulong)timestamp.ToUnixTimeSeconds() } };
        message.Entity.Add(entities);
        return message.ToByteArray();
    }

    /// <summary>Takes the feed as a poll does: accepted, then looked up against the active timetable.</summary>
    private async Task<IReadOnlyList<string>> TakeAsync(byte[] feed)
    {
        Assert.Equal(RealtimeRefusal.None, RealtimeFeed.Accept(feed, out _));
        return await UnknownTrips.CheckAsync(Connections, RealtimeFeed, NullLogger.Instance, default);
    }

    /// <summary>Every arrival the sign is built from (yesterday's, today's and tomorrow's service days), by instant.</summary>
    private async Task<List<(string At, string Trip, bool Realtime, bool Cancelled)>> ArrivalsAsync(string node)
    {
        var arrivals = (await Services.GetRequiredService<TimetablePublisher>().ArrivalsAsync(node))!.Arrivals;
        return arrivals.Select(a => (a.At.ToString("uuuu-MM-dd'T'HH:mm:ss'Z'", null), a.Scheduled!.TripId, a.Realtime, a.Cancelled))
            .OrderBy(a => a.Item1, StringComparer.Ordinal).ThenBy(a => a.TripId, StringComparer.Ordinal).ToList();
    }

    private async Task LinkRoute2DirectionsAsync()
    {
        Clock.Now = SaturdayNoonUtc;
        Assert.NotNull((await ImportAsync(GtfsFiles.Zip(Route2Directions))).Feed);
        await AddBusStopAsync("bs-port-1");
        await Links.PutAsync("installer", "bs-port-1", new StopLinksRequest(["IGO_PORT"]));
    }

    [Fact]
    public async Task An_update_naming_its_trip_by_route_direction_and_start_time_moves_its_departures_and_cancels()
    {
        await LinkRoute2DirectionsAsync();
        const TripDescriptor.Types.ScheduleRelationship scheduled = TripDescriptor.Types.ScheduleRelationship.Scheduled;
        var unknown = await TakeAsync(UpdatesFeed(SaturdayNoonUtc.AddSeconds(-10),
            ByDescriptor("R2", 0, "14:30:00", "20260328", scheduled, Stop(1, delay: 300)),                  // E14, not W1430 (direction 1)
            ByDescriptor("R2", 0, "17:00:00", "20260328", TripDescriptor.Types.ScheduleRelationship.Canceled), // E17
            ByDescriptor("R2", 0, "19:50:00", "20260328", scheduled, Stop(2, time: DateTimeOffset.Parse("2026-03-28T18:03:00Z").ToUnixTimeSeconds()))));
        Assert.Empty(unknown);
        Assert.Equal([
                ("2026-03-28T12:45:00Z", true, false),  // E14: 300 s late at KTEL (stop 1), carried to the port (stop 2)
                ("2026-03-28T12:50:00Z", false, false), // W1430: same route and start time, direction 1: untouched
                ("2026-03-28T13:00:00Z", false, false), // E15
                ("2026-03-28T14:00:00Z", false, false), // E16
                ("2026-03-28T14:05:00Z", false, false), // E16B
                ("2026-03-28T15:00:00Z", false, true),  // E17: CANCELED, at its scheduled time, struck through
                ("2026-03-28T16:00:00Z", false, false), // E18
                ("2026-03-28T17:00:00Z", false, false), // E19
                ("2026-03-28T18:03:00Z", true, false),  // E20: the absolute time given for the port (stop 2)
            ], await ContentAsync(9));

        // The stale-feed fallback is the same: 200 s later (MaxAgeSeconds 120) nothing of it is shown.
        Clock.Advance(200);
        Assert.All(await ContentAsync(9), a => Assert.Equal((false, false), (a.Realtime, a.Cancelled)));
    }

    [Fact]
    public async Task An_after_midnight_start_time_names_the_trip_of_the_previous_service_day_across_the_clock_change()
    {
        await LinkRoute2DirectionsAsync();
        var unknown = await TakeAsync(UpdatesFeed(SaturdayNoonUtc.AddSeconds(-10),
            // Saturday's service: 25:10:00 is Sunday 01:10 EET (before the 01:00Z change) = 23:10Z; 3 min late.
            ByDescriptor("R2", 0, "25:10:00", "20260328", TripDescriptor.Types.ScheduleRelationship.Scheduled, Stop(1, delay: 180)),
            // Sunday's service: 25:10:00 is Monday 01:10 EEST (+03:00 from the noon offset) = 22:10Z.
            ByDescriptor("R2", 0, "25:10:00", "20260329", TripDescriptor.Types.ScheduleRelationship.Canceled),
            // 01:10:00 of Sunday's service is no trip: the bus at 01:10 on Sunday is Saturday's 25:10.
            ByDescriptor("R2", 0, "01:10:00", "20260329", TripDescriptor.Types.ScheduleRelationship.Canceled)));
        Assert.Equal(["route_id R2, direction_id 0, start_time 01:10:00, start_date 20260329: no trip of the route in that direction starts then on that service day; not applied"],
            unknown);
        Assert.Equal([
                ("2026-03-27T23:10:00Z", false, false), // Friday's service: no update for it
                ("2026-03-28T23:13:00Z", true, false),
                ("2026-03-29T22:10:00Z", false, true),
            ], (await ArrivalsAsync("bs-port-1")).Where(a => a.Trip == "N2510").Select(a => (a.At, a.Realtime, a.Cancelled)));
    }

    [Fact]
    public async Task A_run_of_a_frequency_based_trip_of_the_sample_feed_is_named_by_route_direction_and_start_time()
    {
        // Tuesday 2007-06-05 08:00 PDT (America/Los_Angeles, -07:00). frequencies.txt: CITY1 (route CITY, direction 0)
        // and CITY2 (direction 1) every 600 s 8:00:00-9:59:59; at NANAA CITY1 (stop 2) leaves 7 min after its start,
        // CITY2 (stop 4) 21 min after. STBA has no direction_id in trips.txt.
        Clock.Now = DateTimeOffset.Parse("2007-06-05T15:00:00Z");
        await ImportSampleAsync();
        await AddBusStopAsync("bs-nanaa");
        await Links.PutAsync("installer", "bs-nanaa", new StopLinksRequest(["NANAA"]));
        var unknown = await TakeAsync(UpdatesFeed(Clock.GetUtcNow().AddSeconds(-10),
            ByDescriptor("CITY", 0, "08:10:00", "20070605", TripDescriptor.Types.ScheduleRelationship.Scheduled, Stop(1, delay: 120)),
            ByDescriptor("CITY", 1, "08:20:00", "20070605", TripDescriptor.Types.ScheduleRelationship.Canceled),
            ByDescriptor("CITY", 0, "08:05:00", "20070605", TripDescriptor.Types.ScheduleRelationship.Canceled),   // between two runs
            ByDescriptor("STBA", 0, "08:00:00", "20070605", TripDescriptor.Types.ScheduleRelationship.Canceled)));  // no trip has direction 0
        Assert.Equal([
                "route_id CITY, direction_id 0, start_time 08:05:00, start_date 20070605: no run of a frequency-based trip starts then (start_time must be its window's start plus a multiple of headway_secs); not applied",
                "route_id STBA, direction_id 0, start_time 08:00:00, start_date 20070605: no trip of the route in that direction starts then on that service day; not applied",
            ], unknown);
        Assert.Equal([
                ("2007-06-05T15:07:00Z", "CITY1", false, false), // run 8:00 (the 8:05 descriptor cancels nothing)
                ("2007-06-05T15:19:00Z", "CITY1", true, false),  // run 8:10: 8:17 PDT + 2 min carried from its first stop
                ("2007-06-05T15:21:00Z", "CITY2", false, false), // run 8:00
                ("2007-06-05T15:27:00Z", "CITY1", false, false), // run 8:20 (the cancelled 8:20 is CITY2's)
                ("2007-06-05T15:31:00Z", "CITY2", false, false), // run 8:10
                ("2007-06-05T15:37:00Z", "CITY1", false, false),
                ("2007-06-05T15:41:00Z", "CITY2", false, true),  // run 8:20: CANCELED
            ], (await ArrivalsAsync("bs-nanaa")).Where(a => string.CompareOrdinal(a.At, "2007-06-05T15:00") >= 0 && string.CompareOrdinal(a.At, "2007-06-05T15:45") < 0));
    }

    [Fact]
    public async Task Ambiguous_incomplete_and_unmatched_descriptors_are_listed_with_the_reason_and_not_applied()
    {
        await LinkRoute2DirectionsAsync();
        const TripDescriptor.Types.ScheduleRelationship scheduled = TripDescriptor.Types.ScheduleRelationship.Scheduled;
        var unknown = await TakeAsync(UpdatesFeed(SaturdayNoonUtc.AddSeconds(-10),
            ByDescriptor("R2", 0, "15:50:00", "20260328", scheduled, Stop(1, delay: 600)),  // E16 and E16B both leave KTEL at 15:50
            ByDescriptor("R2", null, "14:30:00", "20260328", TripDescriptor.Types.ScheduleRelationship.Canceled), // E14 or W1430?
            ByDescriptor("R2", 0, "15:05:00", "20260328", TripDescriptor.Types.ScheduleRelationship.Canceled),   // no trip then
            ByDescriptor("R9", 0, "15:00:00", "20260328", TripDescriptor.Types.ScheduleRelationship.Canceled),   // no such route
            ByDescriptor("R2", 0, "15:00", "20260328", TripDescriptor.Types.ScheduleRelationship.Canceled),      // not a GTFS time
            Trip("X2-1500", "20260328", TripDescriptor.Types.ScheduleRelationship.Canceled)));
        Assert.Equal([
                "X2-1500",
                "route_id R2, direction_id 0, start_time 15:50:00, start_date 20260328: ambiguous, 2 trips match (E16, E16B); not applied",
                "route_id R2, start_time 14:30:00, start_date 20260328: without trip_id, route_id, direction_id, start_time and start_date must all be set (missing direction_id); not applied",
                "route_id R2, direction_id 0, start_time 15:05:00, start_date 20260328: no trip of the route in that direction starts then on that service day; not applied",
                "route_id R9, direction_id 0, start_time 15:00:00, start_date 20260328: no trip of the route in that direction starts then on that service day; not applied",
                "route_id R2, direction_id 0, start_time 15:00, start_date 20260328: start_time \"15:00\" is not a GTFS time H:MM:SS; not applied",
            ], unknown);
        Assert.Equal(unknown, RealtimeFeed.UnknownTrips);
        Assert.All(await ContentAsync(9), a => Assert.Equal((false, false), (a.Realtime, a.Cancelled)));
    }

    [Fact]
    public async Task An_alert_on_a_trip_named_by_route_direction_and_start_time_reaches_the_stops_of_that_trip_only_when_it_is_found()
    {
        await LinkRoute2DirectionsAsync();
        static EntitySelector Named(string start, uint direction, string? route = null)
        {
            var selector = new EntitySelector { Trip = new TripDescriptor { RouteId = "R2", DirectionId = direction, StartTime = start, StartDate = "20260328" } };
            if (route is not null) selector.RouteId = route;
            return selector;
        }
        var message = Message(SaturdayNoonUtc.ToUnixTimeSeconds() - 5);
        message.Entity.Add(AlertEntity("w1430", Alert.Types.Effect.OtherEffect, "W1430 is a minibus", Named("14:30:00", 1)));   // W1430 calls at the port
        message.Entity.Add(AlertEntity("e16", Alert.Types.Effect.OtherEffect, "E16 or E16B?", Named("15:50:00", 0)));             // ambiguous
        message.Entity.Add(AlertEntity("none", Alert.Types.Effect.OtherEffect, "No such bus", Named("15:05:00", 0, route: "R2"))); // route R2 and no trip
        var alerts = Services.GetRequiredService<ServiceAlerts>();
        // As the poller takes it: looked up in the timetable, then held.
        var (refusal, _) = await alerts.AcceptAsync(message.ToByteArray(), snapshot => ServiceAlerts.ResolveAsync(Connections, snapshot, default));
        Assert.Equal(RealtimeRefusal.None, refusal);

        // Only the found trip's alert: the others are not guessed (route R2 calls at the port, but its selector names a
        // trip that is not there, so it does not reach the route's stops either).
        Assert.Equal(["W1430 is a minibus"], (await PortContentAsync())["notices"]!.AsArray().Select(n => n!["en"]!.GetValue<string>()));
        Assert.Equal([
                "route_id R2, direction_id 0, start_time 15:50:00, start_date 20260328: ambiguous, 2 trips match (E16, E16B); not applied",
                "route_id R2, direction_id 0, start_time 15:05:00, start_date 20260328: no trip of the route in that direction starts then on that service day; not applied",
            ], alerts.Current.Unmatched);
    }
}
