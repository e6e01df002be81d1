using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Cloud.Desired;
using Edge.Cloud.Transit;
using Edge.Cloud.Transit.Realtime;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using TransitRealtime;
using Edge.Firmware.Tests;

namespace Edge.Cloud.Tests.Transit;

/// <summary>
/// GTFS-Realtime TripUpdates applied to a stop's display content, with feeds built in code from the spec's own
/// .proto. Route 2 runs KTEL station → Port (IGO_PORT, the linked stop) → Plataria every day; the times at the
/// port on Saturday 2026-03-28 (EET, +02:00) are 14:40 (E14, from KTEL 14:30), 15:00 (E15), 16:00 (E16, from KTEL
/// 15:50), 17:00 (E17), 18:00 (E18), 19:00 (E19, from KTEL 18:50), 20:00 (E20, from KTEL 19:50) — 12:40Z … 18:00Z.
/// </summary>
public abstract partial class TransitSuite
{
    internal static readonly Dictionary<string, string> Route2Feed = new()
    {
        ["agency.txt"] = "agency_id,agency_name,agency_url,agency_timezone\nKTEL,KTEL Thesprotias,https://ktel.example,Europe/Athens\n",
        ["stops.txt"] = "stop_id,stop_name,stop_lat,stop_lon\nKTEL,ΚΤΕΛ,39.5060,20.2640\nIGO_PORT,Λιμάνι Ηγουμενίτσας,39.5034,20.2656\nPLAT,Πλαταριά,39.4556,20.2747\n",
        ["routes.txt"] = "route_id,agency_id,route_short_name,route_type\nR2,KTEL,2,3\n",
        ["trips.txt"] = "route_id,service_id,trip_id,trip_headsign\n" + string.Concat(new[] { "E14", "E15", "E16", "E17", "E18", "E19", "E20" }.Select(t => $"R2,DAILY,{t},Πλαταριά\n")),
        ["stop_times.txt"] = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" +
            "E14,14:30:00,14:30:00,KTEL,1\nE14,14:40:00,14:40:00,IGO_PORT,2\nE14,15:00:00,15:00:00,PLAT,3\n" +
            "E15,15:00:00,15:00:00,IGO_PORT,1\nE15,15:20:00,15:20:00,PLAT,2\n" +
            "E16,15:50:00,15:50:00,KTEL,1\nE16,16:00:00,16:00:00,IGO_PORT,2\nE16,16:20:00,16:20:00,PLAT,3\n" +
            "E17,17:00:00,17:00:00,IGO_PORT,1\nE17,17:20:00,17:20:00,PLAT,2\n" +
            "E18,18:00:00,18:00:00,IGO_PORT,1\nE18,18:20:00,18:20:00,PLAT,2\n" +
            "E19,18:50:00,18:50:00,KTEL,1\nE19,19:00:00,19:00:00,IGO_PORT,2\nE19,19:20:00,19:20:00,PLAT,3\n" +
            "E20,19:50:00,19:50:00,KTEL,1\nE20,20:00:00,20:00:00,IGO_PORT,2\nE20,20:20:00,20:20:00,PLAT,3\n",
        ["calendar.txt"] = "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nDAILY,1,1,1,1,1,1,1,20260101,20261231\n",
    };

    internal static readonly DateTimeOffset SaturdayNoonUtc = DateTimeOffset.Parse("2026-03-28T12:00:00Z");

    private TripUpdates RealtimeFeed => Services.GetRequiredService<TripUpdates>();

    private async Task LinkRoute2Async()
    {
        Clock.Now = SaturdayNoonUtc;
        await ImportAsync(GtfsFiles.Zip(Route2Feed));
        await AddBusStopAsync("bs-port-1");
        await Links.PutAsync("installer", "bs-port-1", new StopLinksRequest(["IGO_PORT"]));
    }

    internal static TripUpdate.Types.StopTimeUpdate Stop(uint sequence, int? delay = null, long? time = null,
        TripUpdate.Types.StopTimeUpdate.Types.ScheduleRelationship relationship = TripUpdate.Types.StopTimeUpdate.Types.ScheduleRelationship.Scheduled)
    {
        var update = new TripUpdate.Types.StopTimeUpdate { StopSequence = sequence, ScheduleRelationship = relationship };
        if (delay is not null || time is not null)
        {
            update.Departure = new TripUpdate.Types.StopTimeEvent();
            if (delay is { } d) update.Departure.Delay = d;
            if (time is { } t) update.Departure.Time = t;
        }
        return update;
    }

    private static FeedEntity Trip(string tripId, string startDate, TripDescriptor.Types.ScheduleRelationship relationship, params TripUpdate.Types.StopTimeUpdate[] stops)
    {
        var update = new TripUpdate { Trip = new TripDescriptor { TripId = tripId, StartDate = startDate, ScheduleRelationship = relationship } };
        update.StopTimeUpdate.Add(stops);
        return new FeedEntity { Id = tripId, TripUpdate = update };
    }

    /// <summary>The scenario feed: E14 5 min late at KTEL, E15 predicted at 13:07:30Z at the port, E16 skips the
    /// port, E17 cancelled, E18's update is for Friday's trip, E19 has NO_DATA at the port after a delay at KTEL,
    /// E20 leaves KTEL at 17:54Z by an absolute time only (4 min after its 19:50 EET).</summary>
    internal static byte[] ScenarioFeed(long timestamp)
    {
        const TripDescriptor.Types.ScheduleRelationship scheduled = TripDescriptor.Types.ScheduleRelationship.Scheduled;
        var message = new FeedMessage { Header = new FeedHeader { GtfsRealtimeVersion = "2.0", Timestamp = (ulong)timestamp } };
        message.Entity.Add(Trip("E14", "20260328", scheduled, Stop(1, delay: 300)));
        message.Entity.Add(Trip("E15", "20260328", scheduled, Stop(1, time: DateTimeOffset.Parse("2026-03-28T13:07:30Z").ToUnixTimeSeconds())));
        message.Entity.Add(Trip("E16", "20260328", scheduled, Stop(1, delay: 120), Stop(2, relationship: TripUpdate.Types.StopTimeUpdate.Types.ScheduleRelationship.Skipped)));
        message.Entity.Add(Trip("E17", "20260328", TripDescriptor.Types.ScheduleRelationship.Canceled));
        message.Entity.Add(Trip("E18", "20260327", scheduled, Stop(1, delay: 600)));
        message.Entity.Add(Trip("E19", "20260328", scheduled, Stop(1, delay: 60), Stop(2, relationship: TripUpdate.Types.StopTimeUpdate.Types.ScheduleRelationship.NoData)));
        message.Entity.Add(Trip("E20", "20260328", scheduled, Stop(1, time: DateTimeOffset.Parse("2026-03-28T17:54:00Z").ToUnixTimeSeconds())));
        return message.ToByteArray();
    }

    private async Task<List<(string At, bool Realtime, bool Cancelled)>> ContentAsync(int count)
    {
        var request = (await Services.GetRequiredService<TimetablePublisher>().BuildAsync("bs-port-1"))!;
        return request.Content["arrivals"]!.AsArray().Take(count).Select(a => (a!["at"]!.GetValue<string>(), a["realtime"]!.GetValue<bool>(),
            a.AsObject().TryGetPropertyValue("cancelled", out var c) && c!.GetValue<bool>())).ToList();
    }

    [Fact]
    public async Task Trip_updates_give_live_times_carry_delays_skip_stops_and_cancel_trips()
    {
        await LinkRoute2Async();
        Assert.Equal(RealtimeRefusal.None, RealtimeFeed.Accept(ScenarioFeed(SaturdayNoonUtc.ToUnixTimeSeconds() - 10), out _));
        Assert.Equal([
                ("2026-03-28T12:45:00Z", true, false),  // E14: KTEL's 300 s delay carried to the port (12:40Z + 5 min)
                ("2026-03-28T13:07:30Z", true, false),  // E15: the predicted time at the port
                                                         // E16: SKIPPED at the port, not listed
                ("2026-03-28T15:00:00Z", false, true),  // E17: CANCELED, at its scheduled time, struck through
                ("2026-03-28T16:00:00Z", false, false), // E18: the update is for Friday's E18: scheduled
                ("2026-03-28T17:00:00Z", false, false), // E19: NO_DATA at the port: scheduled, never shown as live
                ("2026-03-28T18:04:00Z", true, false),  // E20: 4 min late at KTEL (absolute time vs its schedule) carried on
            ], await ContentAsync(6));
    }

    [Fact]
    public void A_run_of_a_frequency_based_trip_is_matched_by_its_start_time()
    {
        var zone = NodaTime.DateTimeZoneProviders.Tzdb["Europe/Athens"];
        var day = new NodaTime.LocalDate(2026, 3, 28);
        // Runs of one trip at 10:00 and 10:30 (EET), each leaving this stop 5 min after its start.
        var runs = new[] { 10 * 3600, 10 * 3600 + 1800 }
            .Select(start => new ScheduledDeparture(start + 300, "CITY", "IGO_PORT", "R3", "3", null, null, 2, start)).ToList();
        var message = new FeedMessage { Header = new FeedHeader { GtfsRealtimeVersion = "2.0", Timestamp = (ulong)SaturdayNoonUtc.ToUnixTimeSeconds() } };
        var update = Trip("CITY", "20260328", TripDescriptor.Types.ScheduleRelationship.Scheduled, Stop(1, delay: 120));
        update.TripUpdate.Trip.StartTime = "10:30:00";
        message.Entity.Add(update);
        var feed = new TripUpdates();
        Assert.Equal(RealtimeRefusal.None, feed.Accept(message.ToByteArray(), out _));
        var live = RealtimeDepartures.Apply(runs, zone, day, feed.Current, NodaTime.Instant.FromDateTimeOffset(SaturdayNoonUtc), NodaTime.Duration.FromMinutes(2),
            _ => new Dictionary<int, int>());
        Assert.Equal([("2026-03-28T08:05:00Z", false), ("2026-03-28T08:37:00Z", true)], // 10:05 EET scheduled; 10:35 EET + 2 min live
            live.Select(l => (l.At.ToString("uuuu-MM-dd'T'HH:mm:ss'Z'", null), l.Realtime)));
    }

    [Fact]
    public async Task A_stale_feed_falls_back_to_scheduled_and_an_older_or_unreadable_one_is_ignored()
    {
        await LinkRoute2Async();
        var scheduled = new List<(string, bool, bool)>
        {
            ("2026-03-28T12:40:00Z", false, false), ("2026-03-28T13:00:00Z", false, false), ("2026-03-28T14:00:00Z", false, false),
        };
        // Older than Transit:Realtime:MaxAgeSeconds (120 s): nothing of it is shown.
        Assert.Equal(RealtimeRefusal.None, RealtimeFeed.Accept(ScenarioFeed(SaturdayNoonUtc.ToUnixTimeSeconds() - 200), out _));
        Assert.Equal(scheduled, await ContentAsync(3));

        Assert.Equal(RealtimeRefusal.None, RealtimeFeed.Accept(ScenarioFeed(SaturdayNoonUtc.ToUnixTimeSeconds() - 10), out _));
        var live = await ContentAsync(3);
        Assert.Equal(("2026-03-28T12:45:00Z", true, false), live[0]);

        // An older feed (its header timestamp before the one held), an HTML page, protobuf garbage, a message
        // without header: refused, and the feed held keeps serving.
        var older = new FeedMessage { Header = new FeedHeader { GtfsRealtimeVersion = "2.0", Timestamp = (ulong)SaturdayNoonUtc.ToUnixTimeSeconds() - 60 } };
        Assert.Equal(RealtimeRefusal.Older, RealtimeFeed.Accept(older.ToByteArray(), out var problem));
        Assert.Contains("older", problem);
        Assert.Equal(RealtimeRefusal.Unreadable, RealtimeFeed.Accept("<html><body>502 Bad Gateway</body></html>"u8.ToArray(), out _));
        Assert.Equal(RealtimeRefusal.Unreadable, RealtimeFeed.Accept([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], out _));
        Assert.Equal(RealtimeRefusal.Unreadable, RealtimeFeed.Accept(new FeedMessage().ToByteArray(), out _));
        Assert.Equal(live, await ContentAsync(3));

        // Time passes without a new feed: after 120 s the same feed is stale and the stop is scheduled again.
        Clock.Advance(200);
        Assert.All(await ContentAsync(3), a => Assert.False(a.Realtime));
    }

    [Fact]
    public async Task A_realtime_round_publishes_the_content_of_stops_whose_arrivals_changed()
    {
        await LinkRoute2Async();
        var publisher = Services.GetRequiredService<TimetablePublisher>();
        var displays = Services.GetRequiredService<DisplayService>();
        Assert.Equal(["bs-port-1"], await publisher.PublishAsync());
        Assert.Empty(await publisher.PublishRealtimeAsync()); // nothing changed
        RealtimeFeed.Accept(ScenarioFeed(SaturdayNoonUtc.ToUnixTimeSeconds() - 10), out _);
        Assert.Equal(["bs-port-1"], await publisher.PublishRealtimeAsync());
        var display = await displays.GetAsync("bs-port-1");
        Assert.Equal(2, display.Version);
        Assert.False(display.Document.TryGetProperty("timetable", out _)); // the node keeps the one it stored
        Assert.True(display.Document.GetProperty("content").GetProperty("arrivals")[0].GetProperty("realtime").GetBoolean());
        Assert.Empty(await publisher.PublishRealtimeAsync());
    }

    [Fact]
    public async Task Updates_for_trips_the_timetable_does_not_have_are_ignored_and_named_in_the_feed_status()
    {
        await LinkRoute2Async();
        var message = FeedMessage.Parser.ParseFrom(ScenarioFeed(SaturdayNoonUtc.ToUnixTimeSeconds() - 10));
        // Trip ids regenerated by the agency's realtime system but not yet in its published timetable.
        message.Entity.Add(Trip("X2-1440", "20260328", TripDescriptor.Types.ScheduleRelationship.Scheduled, Stop(1, delay: 900)));
        message.Entity.Add(Trip("X2-1500", "20260328", TripDescriptor.Types.ScheduleRelationship.Canceled));
        Assert.Equal(RealtimeRefusal.None, RealtimeFeed.Accept(message.ToByteArray(), out _));

        var unknown = await UnknownTrips.CheckAsync(Connections, RealtimeFeed,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, default);
        Assert.Equal(["X2-1440", "X2-1500"], unknown);
        Assert.Equal(unknown, RealtimeFeed.UnknownTrips);
        // The known trips' updates still apply; the unknown ones change nothing (E15 is not cancelled by X2-1500).
        var content = await ContentAsync(2);
        Assert.Equal(("2026-03-28T12:45:00Z", true, false), content[0]);
        Assert.Equal(("2026-03-28T13:07:30Z", true, false), content[1]);
    }

    [Fact]
    public void The_realtime_proto_is_the_reference_copy_byte_for_byte()
    {
        var reference = File.ReadAllBytes(Repo.File("tests/reference/gtfs/gtfs-realtime.proto"));
        Assert.Equal(reference, File.ReadAllBytes(Repo.File("cloud/Edge.Cloud/Transit/Realtime/gtfs-realtime.proto")));
    }
}
