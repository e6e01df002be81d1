using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Edge.Firmware.Runtime;
using Edge.Firmware.Transit;
using Edge.Sim.Agency;
using NodaTime;

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
