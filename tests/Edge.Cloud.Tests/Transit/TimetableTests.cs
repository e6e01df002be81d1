using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Edge.Cloud.Desired;
using Edge.Cloud.Transit;
using Edge.Firmware.Transit;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Tests.Transit;

/// <summary>
/// Timetables published to a bus stop for a feed in Europe/Athens, on the two days a year the clocks change,
/// with trips after midnight. The expected instants are worked out by hand from the GTFS rule (a service day's
/// times count from "noon minus 12 h" local time) and the EU rule (clocks change at 01:00 UTC on the last
/// Sundays of March and October: 2026-03-29 and 2026-10-25). The firmware's own parser reads the document.
/// </summary>
public abstract partial class TransitSuite
{
    /// <summary>Route 1 Port → Plataria: D08 every day 08:00, D2510 every day 25:10 (01:10 the next calendar day),
    /// N2430 on Saturdays only at 24:30 (Saturday night's last bus, 00:30 on Sunday).</summary>
    private static readonly Dictionary<string, string> AthensFeed = new()
    {
        ["agency.txt"] = "agency_id,agency_name,agency_url,agency_timezone\nKTEL,KTEL Thesprotias,https://ktel.example,Europe/Athens\n",
        ["stops.txt"] = "stop_id,stop_name,stop_lat,stop_lon\nIGO_PORT,Λιμάνι Ηγουμενίτσας,39.5034,20.2656\nPLAT,Πλαταριά,39.4556,20.2747\n",
        ["routes.txt"] = "route_id,agency_id,route_short_name,route_long_name,route_type\nR1,KTEL,1,Λιμάνι - Πλαταριά,3\n",
        ["trips.txt"] = "route_id,service_id,trip_id,trip_headsign\nR1,DAILY,D08,Πλαταριά\nR1,DAILY,D2510,Πλαταριά\nR1,SAT,N2430,Πλαταριά\n",
        ["stop_times.txt"] = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" +
            "D08,08:00:00,08:00:00,IGO_PORT,1\nD08,08:20:00,08:20:00,PLAT,2\n" +
            "D2510,25:10:00,25:10:00,IGO_PORT,1\nD2510,25:30:00,25:30:00,PLAT,2\n" +
            "N2430,24:30:00,24:30:00,IGO_PORT,1\nN2430,24:50:00,24:50:00,PLAT,2\n",
        ["calendar.txt"] = "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n" +
            "DAILY,1,1,1,1,1,1,1,20260101,20261231\nSAT,0,0,0,0,0,1,0,20260101,20261231\n",
        ["translations.txt"] = "table_name,field_name,language,translation,record_id,field_value\n" +
            "stops,stop_name,en,Igoumenitsa Port,IGO_PORT,\ntrips,trip_headsign,en,Plataria,,Πλαταριά\n",
    };

    private async Task<JsonElement> PublishAsync(string utcNow)
    {
        Clock.Now = DateTimeOffset.Parse(utcNow);
        Assert.Equal(1, (await ImportAsync(GtfsFiles.Zip(AthensFeed))).Feed);
        await AddBusStopAsync("bs-port-1");
        await Links.PutAsync("installer", "bs-port-1", new StopLinksRequest(["IGO_PORT"]));
        Assert.Equal(["bs-port-1"], await Services.GetRequiredService<TimetablePublisher>().PublishAsync());
        return (await Services.GetRequiredService<DisplayService>().GetAsync("bs-port-1")).Document;
    }

    private static (string Date, string Offset, string[] Times)[] Days(JsonElement timetable) => timetable.GetProperty("days").EnumerateArray()
        .Select(d => (d.GetProperty("date").GetString()!, d.GetProperty("utcOffset").GetString()!,
            d.GetProperty("departures").EnumerateArray().Select(x => x.GetProperty("time").GetString()!).ToArray())).ToArray();

    /// <summary>The departure instants as the node computes them from the document.</summary>
    private static string[] NodeInstants(JsonElement timetable) => new TimetableParser().Parse(Encoding.UTF8.GetBytes(timetable.GetRawText())).Departures
        .Select(a => DateTimeOffset.FromUnixTimeSeconds(a.At).ToString("yyyy-MM-dd HH:mm'Z'")).ToArray();

    [Fact]
    public async Task Spring_forward_day_and_trips_after_midnight_land_on_the_right_instants()
    {
        var envelope = await PublishAsync("2026-03-28T12:00:00Z"); // Saturday, 14:00 EET
        var timetable = envelope.GetProperty("timetable");
        // Saturday counts from 00:00 EET (+02:00); Sunday 29th from "noon minus 12 h" = 12:00 EEST − 12 h, i.e. +03:00.
        Assert.Equal([("2026-03-28", "+02:00", ["08:00", "24:30", "25:10"]), ("2026-03-29", "+03:00", ["08:00", "25:10"])],
            Days(timetable).Select(d => (d.Date, d.Offset, d.Times)).ToArray(), new DayComparer());
        Assert.Equal([
                "2026-03-28 06:00Z", // 08:00 EET
                "2026-03-28 22:30Z", // Saturday's 24:30 = Sunday 00:30 EET, before the 01:00Z change
                "2026-03-28 23:10Z", // 25:10 = Sunday 01:10 EET
                "2026-03-29 05:00Z", // Sunday 08:00 EEST (a midnight offset of +02:00 would give 06:00Z, 09:00 EEST)
                "2026-03-29 22:10Z", // Sunday's 25:10 = Monday 01:10 EEST
            ], NodeInstants(timetable));
        Assert.Equal("Igoumenitsa Port", timetable.GetProperty("stop").GetProperty("name").GetProperty("en").GetString());
        Assert.Equal("Λιμάνι Ηγουμενίτσας", timetable.GetProperty("stop").GetProperty("name").GetProperty("el").GetString());

        // The display content lists what is still to come, scheduled (never shown as live), with the same instants.
        var content = envelope.GetProperty("content");
        Assert.Equal("+02:00", content.GetProperty("utcOffset").GetString());
        var arrivals = content.GetProperty("arrivals").EnumerateArray().ToList();
        Assert.Equal(["2026-03-28T22:30:00Z", "2026-03-28T23:10:00Z", "2026-03-29T05:00:00Z", "2026-03-29T22:10:00Z"], arrivals.Select(a => a.GetProperty("at").GetString()));
        Assert.All(arrivals, a => Assert.False(a.GetProperty("realtime").GetBoolean()));
        Assert.Equal(("1", "Πλαταριά", "Plataria"), (arrivals[0].GetProperty("route").GetString(),
            arrivals[0].GetProperty("headsign").GetProperty("el").GetString(), arrivals[0].GetProperty("headsign").GetProperty("en").GetString()));
    }

    [Fact]
    public async Task Fall_back_day_counts_from_noon_minus_twelve_hours_too()
    {
        var timetable = (await PublishAsync("2026-10-24T12:00:00Z")).GetProperty("timetable"); // Saturday, 15:00 EEST
        Assert.Equal([("2026-10-24", "+03:00", ["08:00", "24:30", "25:10"]), ("2026-10-25", "+02:00", ["08:00", "25:10"])],
            Days(timetable).Select(d => (d.Date, d.Offset, d.Times)).ToArray(), new DayComparer());
        Assert.Equal([
                "2026-10-24 05:00Z", // 08:00 EEST
                "2026-10-24 21:30Z", // 24:30 = Sunday 00:30 EEST
                "2026-10-24 22:10Z", // 25:10 = Sunday 01:10 EEST, before the 01:00Z change
                "2026-10-25 06:00Z", // Sunday 08:00 EET (a midnight offset of +03:00 would give 05:00Z, 07:00 EET)
                "2026-10-25 23:10Z", // Sunday's 25:10 = Monday 01:10 EET
            ], NodeInstants(timetable));
    }

    [Fact]
    public async Task A_new_feed_republishes_through_the_desired_state_path()
    {
        await PublishAsync("2026-03-28T12:00:00Z");
        var displays = Services.GetRequiredService<DisplayService>();
        Assert.Equal(1, (await displays.GetAsync("bs-port-1")).Version);
        var later = new Dictionary<string, string>(AthensFeed) { ["stop_times.txt"] = AthensFeed["stop_times.txt"].Replace("D08,08:00:00,08:00:00", "D08,08:05:00,08:05:00") };
        Assert.Equal(2, (await ImportAsync(GtfsFiles.Zip(later))).Feed);
        await Services.GetRequiredService<TimetablePublisher>().PublishAsync();
        var display = await displays.GetAsync("bs-port-1");
        Assert.Equal(2, display.Version);
        Assert.Equal("08:05", display.Document.GetProperty("timetable").GetProperty("days")[0].GetProperty("departures")[0].GetProperty("time").GetString());
        await using var tx = await Edge.Cloud.Domain.Tx.ReadAsync(Connections);
        Assert.Equal(2, await tx.LongAsync("SELECT COUNT(*) FROM desired_changes WHERE kind = @k AND item = @n", ("@k", DesiredChangeLog.Display), ("@n", "bs-port-1")));
    }

    [Fact]
    public async Task Unlinking_a_stop_clears_the_departures_it_showed()
    {
        await PublishAsync("2026-03-28T12:00:00Z");
        await Links.PutAsync("installer", "bs-port-1", new StopLinksRequest([]));
        var publisher = Services.GetRequiredService<TimetablePublisher>();
        Assert.Empty(await publisher.PublishAsync()); // the daily round covers linked stops only
        Assert.Equal(["bs-port-1"], await publisher.PublishAsync("bs-port-1")); // what the link change asks for
        var display = await Services.GetRequiredService<DisplayService>().GetAsync("bs-port-1");
        Assert.Equal(2, display.Version);
        Assert.Equal(0, display.Document.GetProperty("content").GetProperty("arrivals").GetArrayLength());
        Assert.All(display.Document.GetProperty("timetable").GetProperty("days").EnumerateArray(), d => Assert.Equal(0, d.GetProperty("departures").GetArrayLength()));
    }

    [Fact]
    public async Task A_busy_stop_timetable_is_cut_to_fit_the_display_envelope_latest_departures_first()
    {
        // 240 departures a day (every 6 min from 00:00): 480 in two days, more than 16 KiB of timetable.
        var busy = new Dictionary<string, string>(AthensFeed)
        {
            ["trips.txt"] = "route_id,service_id,trip_id,trip_headsign\n" + string.Concat(Enumerable.Range(0, 240).Select(i => $"R1,DAILY,B{i},Πλαταριά\n")),
            ["stop_times.txt"] = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + string.Concat(Enumerable.Range(0, 240).Select(i =>
                $"B{i},{i / 10:00}:{i % 10 * 6:00}:00,{i / 10:00}:{i % 10 * 6:00}:00,IGO_PORT,1\nB{i},{i / 10:00}:{i % 10 * 6 + 3:00}:00,{i / 10:00}:{i % 10 * 6 + 3:00}:00,PLAT,2\n")),
        };
        Clock.Now = DateTimeOffset.Parse("2026-03-28T12:00:00Z");
        await ImportAsync(GtfsFiles.Zip(busy));
        await AddBusStopAsync("bs-port-1");
        await Links.PutAsync("installer", "bs-port-1", new StopLinksRequest(["IGO_PORT"]));
        Assert.Equal(["bs-port-1"], await Services.GetRequiredService<TimetablePublisher>().PublishAsync());
        var display = await Services.GetRequiredService<DisplayService>().GetAsync("bs-port-1");
        Assert.True(Encoding.UTF8.GetByteCount(display.Document.GetRawText()) <= 16384);
        var days = Days(display.Document.GetProperty("timetable"));
        Assert.Equal(["00:00", "00:06", "00:12"], days[0].Times.Take(3)); // today starts complete
        Assert.True(days[0].Times.Length + days[1].Times.Length is > 100 and < 480);
        if (days[1].Times.Length > 0) Assert.Equal(240, days[0].Times.Length); // tomorrow is cut before today
    }

    private sealed class DayComparer : IEqualityComparer<(string, string, string[])>
    {
        public bool Equals((string, string, string[]) x, (string, string, string[]) y) => x.Item1 == y.Item1 && x.Item2 == y.Item2 && x.Item3.SequenceEqual(y.Item3);

        public int GetHashCode((string, string, string[]) obj) => obj.Item1.GetHashCode();
    }
}
