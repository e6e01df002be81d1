using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Edge.Cloud.Transit;
using Edge.Cloud.Transit.Realtime;
using Edge.Firmware.Runtime;
using Edge.Firmware.Transit;
using Edge.Sim.Agency;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using TransitRealtime;

namespace Edge.EndToEnd.Tests;

/// <summary>
/// Demo agency → cloud → gateway → virtual stop node: the departures a stop's sign renders come from the agency's
/// GTFS feed and GTFS-Realtime trip updates through the cloud's import, realtime and publishing, the gateway's
/// downlink and the node's parser. Each row is checked against the agency's own timetable and the fate it gives each
/// bus (late by so much, cancelled, or an added ferry bus) — not against anything the cloud computed.
/// </summary>
[Collection(SiteCollection.Name)]
public sealed class TransitEndToEndTests
{
    private readonly SiteFixture _site;

    public TransitEndToEndTests(SiteFixture site) => _site = site;

    private sealed record Expected(string Route, string HeadsignEl, long At, bool Realtime, bool Cancelled);

    [Theory]
    [InlineData("bs-port", "IGO_PORT", "Λιμάνι Ηγουμενίτσας", "Igoumenitsa port")]
    [InlineData("bs-ktel", "KTEL", "ΚΤΕΛ Θεσπρωτίας", "KTEL coach station")]
    public async Task A_stop_sign_renders_the_agencys_departures_live_where_predicted_and_cancelled_trips_struck(string stopNode, string gtfsStop, string nameEl, string nameEn)
    {
        var node = _site.Site.Nodes[stopNode];
        var display = ((BusStopNode)node.App).Display;
        var rows = await SiteFixture.WaitForAsync(stopNode + " to show departures from the feed", () =>
        {
            var shown = Enumerable.Range(0, display.RowCount).Select(display.RowAt).ToList();
            return Task.FromResult((shown.Count > 0 && display.Notice is not null && node.Panel!.Refreshes > 0, shown,
                shown.Count + " rows, notice " + display.Notice?.English + ", " + node.Panel!.Refreshes + " frames"));
        });
        Assert.True(File.Exists(node.Panel!.LatestPath));

        var expected = Expectations(_site.Site.Agency.Network, gtfsStop);
        foreach (var row in rows)
        {
            var seen = new Expected(row.Route, row.Headsign.Greek, row.At, row.Realtime, row.Cancelled);
            Assert.True(expected.Contains(seen), "the sign shows " + seen + ", which the agency's feed does not give for " + gtfsStop);
        }
        // The agency's alert on the ferry link (route F1 calls at both stops) is the sign's notice, in both languages.
        var ferry = DemoRealtime.Alerts(SystemClock.Instance.GetCurrentInstant()).Entity.Single(e => e.Id == "ferry-wait").Alert.HeaderText.Translation;
        Assert.Equal(ferry.Single(t => t.Language == "el").Text, display.Notice!.Greek);
        Assert.Equal(ferry.Single(t => t.Language == "en").Text, display.Notice.English);
        Assert.Null(display.Banner); // the Plataria market's DETOUR reaches only Plataria
        Assert.Equal(nameEl, display.StopName!.Greek);
        Assert.Equal(nameEn, display.StopName.English); // from the feed's translations.txt
    }

    /// <summary>
    /// The agency names route 1's buses without trip_id (route_id, direction_id, start_time, start_date): after a poll
    /// the cloud holds each of their updates under the trip its timetable has for them, and lists none as unknown or
    /// ambiguous. (Between about 23:00 and 05:00 no route 1 bus is in the feed; then only the second check applies.)
    /// </summary>
    [Fact]
    public async Task The_agencys_updates_without_trip_id_are_matched_to_the_trips_of_the_timetable()
    {
        var network = _site.Site.Agency.Network;
        var tripUpdates = _site.Site.Cloud.Services.GetRequiredService<TripUpdates>();
        await SiteFixture.WaitForAsync("the cloud to hold route 1's updates under their trip ids", () =>
        {
            var route1 = DemoRealtime.Buses(network, SystemClock.Instance.GetCurrentInstant()).Where(b => b.Trip.Route == DemoNetwork.Route1).ToList();
            var held = tripUpdates.Current.ByTrip;
            var missing = route1.Where(b => !(held.TryGetValue(b.Trip.Id, out var updates) && updates.Any(u => u.Trip.StartDate == b.StartDate
                && u.Trip.RouteId == DemoNetwork.Route1.Id && u.Trip.StartTime == DemoNetwork.Time(b.Trip.Start)))).Select(b => b.Trip.Id + "/" + b.StartDate).ToList();
            return Task.FromResult((missing.Count == 0, route1.Count, "not matched: " + string.Join(", ", missing)));
        });
        Assert.Empty(tripUpdates.UnknownTrips);
    }

    /// <summary>
    /// Whatever the hour (the agency's own buses may all be asleep at night), the next two buses leaving the port are
    /// made late and cancelled by a trip-updates feed built here, taken by the cloud as any poll's: the sign must show
    /// the first live at its new time and the second struck through at its scheduled time. The agency's own feed is put
    /// back afterwards for the other tests.
    /// </summary>
    [Fact]
    public async Task A_late_bus_shows_live_at_its_new_time_and_a_cancelled_one_struck_through_on_the_sign()
    {
        var site = _site.Site;
        var network = site.Agency.Network;
        var now = SystemClock.Instance.GetCurrentInstant();
        var today = now.InZone(DemoNetwork.Zone).Date;
        // At least three minutes ahead, so neither leaves while the test runs.
        var next = new[] { today.PlusDays(-1), today, today.PlusDays(1) }
            .SelectMany(day => network.Trips.Where(t => network.Runs(t.ServiceId, day))
                .SelectMany(t => t.Stops.Take(t.Stops.Count - 1).Select((s, i) => (Trip: t, Day: day, s.Stop, Sequence: i + 1, At: DemoNetwork.At(day, s.Time)))))
            .Where(c => c.Stop == "IGO_PORT" && c.At > now + Duration.FromMinutes(3))
            .OrderBy(c => c.At).Take(2).ToList();
        Assert.Equal(2, next.Count);
        var (late, cancelled) = (next[0], next[1]);
        const int delay = 240;

        var feed = new FeedMessage { Header = new FeedHeader { GtfsRealtimeVersion = "2.0", Timestamp = (ulong)now.ToUnixTimeSeconds() + 60 } };
        var lateUpdate = new TripUpdate { Trip = Descriptor(late.Trip, late.Day, TripDescriptor.Types.ScheduleRelationship.Scheduled) };
        lateUpdate.StopTimeUpdate.Add(new TripUpdate.Types.StopTimeUpdate
        {
            StopSequence = (uint)late.Sequence, StopId = late.Stop, Departure = new TripUpdate.Types.StopTimeEvent { Delay = delay },
        });
        feed.Entity.Add(new FeedEntity { Id = "late", TripUpdate = lateUpdate });
        feed.Entity.Add(new FeedEntity { Id = "cancelled", TripUpdate = new TripUpdate { Trip = Descriptor(cancelled.Trip, cancelled.Day, TripDescriptor.Types.ScheduleRelationship.Canceled) } });

        var tripUpdates = site.Cloud.Services.GetRequiredService<TripUpdates>();
        var publisher = site.Cloud.Services.GetRequiredService<TimetablePublisher>();
        var node = site.Nodes["bs-port"];
        var display = ((BusStopNode)node.App).Display;
        var framesBefore = node.Panel!.Refreshes;
        Assert.Equal(RealtimeRefusal.None, tripUpdates.Accept(feed.ToByteArray(), out var problem));
        try
        {
            await publisher.PublishRealtimeAsync();
            var lateAt = late.At.ToUnixTimeSeconds() + delay;
            await SiteFixture.WaitForAsync("the port's sign to show the late bus live and the cancelled one struck through", () =>
            {
                var rows = Enumerable.Range(0, display.RowCount).Select(display.RowAt).ToList();
                var done = rows.Any(r => r.At == lateAt && r.Realtime && !r.Cancelled && r.Route == late.Trip.Route.ShortName)
                    && rows.Any(r => r.At == cancelled.At.ToUnixTimeSeconds() && r.Cancelled && !r.Realtime && r.Route == cancelled.Trip.Route.ShortName)
                    && node.Panel.Refreshes > framesBefore;
                return Task.FromResult((done, rows, string.Join("; ", rows.Select(r => $"{r.Route} {r.At} live={r.Realtime} cancelled={r.Cancelled}"))));
            });
            // Nothing shows the late bus at its scheduled time any more.
            Assert.DoesNotContain(Enumerable.Range(0, display.RowCount).Select(display.RowAt), r => r.At == late.At.ToUnixTimeSeconds() && r.Route == late.Trip.Route.ShortName);
        }
        finally
        {
            var agency = DemoRealtime.TripUpdates(network, SystemClock.Instance.GetCurrentInstant());
            agency.Header.Timestamp = feed.Header.Timestamp + 1;
            tripUpdates.Accept(agency.ToByteArray(), out _);
            await publisher.PublishRealtimeAsync();
        }
    }

    private static TripDescriptor Descriptor(AgencyTrip trip, LocalDate day, TripDescriptor.Types.ScheduleRelationship relationship) => new()
    {
        TripId = trip.Id, RouteId = trip.Route.Id, StartDate = day.ToString("uuuuMMdd", System.Globalization.CultureInfo.InvariantCulture),
        ScheduleRelationship = relationship,
    };

    /// <summary>Every departure the agency runs at <paramref name="stop"/> from yesterday's service day to tomorrow's, as
    /// the sign must show it: scheduled; live at the scheduled time plus the bus's delay; cancelled at the scheduled
    /// time; the added ferry buses live at their times.</summary>
    private static HashSet<Expected> Expectations(DemoNetwork network, string stop)
    {
        var result = new HashSet<Expected>();
        var today = SystemClock.Instance.GetCurrentInstant().InZone(DemoNetwork.Zone).Date;
        foreach (var day in new[] { today.PlusDays(-1), today, today.PlusDays(1) })
        {
            foreach (var trip in network.Trips.Where(t => network.Runs(t.ServiceId, day)))
            {
                var call = trip.Stops.Take(trip.Stops.Count - 1).Select((s, i) => (s.Stop, s.Time, Sequence: i + 1)).Where(s => s.Stop == stop).ToList();
                if (call.Count == 0) continue;
                var scheduled = DemoNetwork.At(day, call[0].Time).ToUnixTimeSeconds();
                var fate = DemoRealtime.Fate(trip, day);
                result.Add(new Expected(trip.Route.ShortName, trip.Headsign, scheduled, false, false));
                if (fate.Cancelled) result.Add(new Expected(trip.Route.ShortName, trip.Headsign, scheduled, false, true));
                else if (fate.SkippedSequence != call[0].Sequence) result.Add(new Expected(trip.Route.ShortName, trip.Headsign, scheduled + fate.DelaySeconds, true, false));
            }
        }
        foreach (var start in DemoRealtime.ExtraFerryStarts)
        {
            var port = DemoRealtime.ExtraFerryCalls.Select((c, i) => (c, i)).Where(x => x.c.Stop == stop && x.i < DemoRealtime.ExtraFerryCalls.Count - 1);
            foreach (var (c, _) in port)
                result.Add(new Expected(DemoNetwork.FerryLink.ShortName, DemoNetwork.FerryLink.HeadsignEl, DemoNetwork.At(today, start + c.Minutes * 60).ToUnixTimeSeconds(), true, false));
        }
        return result;
    }
}
