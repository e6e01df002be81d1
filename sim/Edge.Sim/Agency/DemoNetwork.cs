using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using CsvHelper;
using NodaTime;

namespace Edge.Sim.Agency;

/// <summary>A stop of the demo agency: its GTFS name is Greek (the agency's language); English comes from
/// translations.txt when <see cref="NameEn"/> is set.</summary>
public sealed record AgencyStop(string Id, string NameEl, string? NameEn, double Lat, double Lon);

/// <summary>A route: <see cref="ShortName"/> is what the signs show.</summary>
public sealed record AgencyRoute(string Id, string ShortName, string LongName, string HeadsignEl, string HeadsignEn, string ReturnEl, string ReturnEn);

/// <summary>One trip of a service day: stop ids with their service-day times (seconds from "noon minus 12 h",
/// so a bus after midnight has times past 24:00:00).</summary>
public sealed record AgencyTrip(string Id, AgencyRoute Route, string ServiceId, int Direction, IReadOnlyList<(string Stop, int Time)> Stops)
{
    public string Headsign => Direction == 0 ? Route.HeadsignEl : Route.ReturnEl;
    public int Start => Stops[0].Time;
    public int End => Stops[^1].Time;
}

/// <summary>
/// The demo's transit agency, KTEL Thesprotias, around Igoumenitsa: route 1 KTEL coach station – town centre –
/// port – Ladochori – Plataria and back every hour; route 2 KTEL – centre – Graikochori and back every 90 min
/// (Monday to Saturday); route Λ1, the ferry link KTEL – centre – port, timed to the ships, with a 24:40 run for
/// the night ferries to Italy (a trip after midnight). Stop names are Greek in stops.txt with English in
/// translations.txt; Plataria has no translation (its sign's English name comes from the inventory). The calendar
/// runs from a week before <see cref="From"/> for a year.
/// </summary>
public sealed class DemoNetwork
{
    public const string Timezone = "Europe/Athens";
    public const string Daily = "DAILY", MondayToSaturday = "MON-SAT";

    public static readonly AgencyStop Ktel = new("KTEL", "ΚΤΕΛ Θεσπρωτίας", "KTEL coach station", 39.5061, 20.2660);
    public static readonly AgencyStop Centre = new("IGO_CENTRE", "Ηγουμενίτσα Κέντρο", "Igoumenitsa centre", 39.5046, 20.2638);
    public static readonly AgencyStop Port = new("IGO_PORT", "Λιμάνι Ηγουμενίτσας", "Igoumenitsa port", 39.4995, 20.2592);
    public static readonly AgencyStop Ladochori = new("LADOCHORI", "Λαδοχώρι", "Ladochori", 39.4921, 20.2741);
    public static readonly AgencyStop Plataria = new("PLATARIA", "Πλαταριά", null, 39.4546, 20.2719);
    public static readonly AgencyStop Graikochori = new("GRAIKOCHORI", "Γραικοχώρι", "Graikochori", 39.5220, 20.2860);

    public static readonly AgencyRoute Route1 = new("R1", "1", "KTEL – Port – Ladochori – Plataria", "Πλαταριά", "Plataria", "ΚΤΕΛ Ηγουμενίτσας", "Igoumenitsa KTEL");
    public static readonly AgencyRoute Route2 = new("R2", "2", "KTEL – Graikochori", "Γραικοχώρι", "Graikochori", "ΚΤΕΛ Ηγουμενίτσας", "Igoumenitsa KTEL");
    public static readonly AgencyRoute FerryLink = new("F1", "Λ1", "Ferry link KTEL – Port", "Λιμάνι – Πλοία", "Port – Ferries", "ΚΤΕΛ Ηγουμενίτσας", "Igoumenitsa KTEL");

    public static readonly IReadOnlyList<AgencyStop> Stops = [Ktel, Centre, Port, Ladochori, Plataria, Graikochori];
    public static readonly IReadOnlyList<AgencyRoute> Routes = [Route1, Route2, FerryLink];

    public DemoNetwork(LocalDate from)
    {
        From = from;
        var trips = new List<AgencyTrip>();
        // Route 1: out at :10 from 06:10 to 21:10, back from Plataria at :40.
        for (var h = 6; h <= 21; h++)
        {
            trips.Add(Trip(Route1, Daily, 0, h * 60 + 10, (Ktel, 0), (Centre, 4), (Port, 9), (Ladochori, 16), (Plataria, 28)));
            trips.Add(Trip(Route1, Daily, 1, h * 60 + 40, (Plataria, 0), (Ladochori, 12), (Port, 19), (Centre, 24), (Ktel, 28)));
        }
        // Route 2: every 90 min from 06:30, back 20 min later.
        for (var m = 6 * 60 + 30; m <= 21 * 60 + 30; m += 90)
        {
            trips.Add(Trip(Route2, MondayToSaturday, 0, m, (Ktel, 0), (Centre, 4), (Graikochori, 14)));
            trips.Add(Trip(Route2, MondayToSaturday, 1, m + 20, (Graikochori, 0), (Centre, 10), (Ktel, 14)));
        }
        // The ferry link: to the morning, midday and evening ships, and at 24:40 for the night ferries.
        foreach (var m in new[] { 5 * 60 + 20, 11 * 60 + 20, 16 * 60 + 50, 23 * 60 + 15, 24 * 60 + 40 })
            trips.Add(Trip(FerryLink, Daily, 0, m, (Ktel, 0), (Centre, 4), (Port, 12)));
        Trips = trips;
    }

    /// <summary>The day the feed was made for (its calendar starts a week before).</summary>
    public LocalDate From { get; }

    public IReadOnlyList<AgencyTrip> Trips { get; }

    public static DateTimeZone Zone => DateTimeZoneProviders.Tzdb[Timezone];

    /// <summary>Whether <paramref name="service"/> runs on <paramref name="day"/> (as calendar.txt says).</summary>
    public bool Runs(string service, LocalDate day) =>
        day >= From.PlusDays(-7) && day <= From.PlusDays(365) && (service == Daily || day.DayOfWeek != IsoDayOfWeek.Sunday);

    /// <summary>The instant of a service-day time: GTFS counts from "noon minus 12 h" local time.</summary>
    public static Instant At(LocalDate day, int seconds) =>
        day.At(new LocalTime(12, 0)).InZoneLeniently(Zone).ToInstant() - Duration.FromHours(12) + Duration.FromSeconds(seconds);

    /// <summary>A service-day time as GTFS writes it, H:MM:SS with hours past 24 after midnight.</summary>
    public static string Time(int seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}");

    private static AgencyTrip Trip(AgencyRoute route, string service, int direction, int startMinute, params (AgencyStop Stop, int Minutes)[] stops) =>
        new($"{route.Id}-{direction}-{startMinute / 60:00}{startMinute % 60:00}", route, service, direction,
            stops.Select(s => (s.Stop.Id, (startMinute + s.Minutes) * 60)).ToList());

    /// <summary>The feed as GTFS text files (CsvHelper writes the CSV: quoting as RFC 4180).</summary>
    public Dictionary<string, string> Files()
    {
        static string Date(LocalDate d) => d.ToString("uuuuMMdd", CultureInfo.InvariantCulture);
        var translations = new List<object?[]>();
        foreach (var stop in Stops.Where(s => s.NameEn is not null))
            translations.Add(["stops", "stop_name", "en", stop.NameEn, stop.Id, null]);
        foreach (var route in Routes)
        {
            translations.Add(["trips", "trip_headsign", "en", route.HeadsignEn, null, route.HeadsignEl]);
            translations.Add(["trips", "trip_headsign", "en", route.ReturnEn, null, route.ReturnEl]);
        }
        return new Dictionary<string, string>
        {
            ["agency.txt"] = Csv(["agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"],
                [["KTEL", "ΚΤΕΛ Θεσπρωτίας (demo)", "https://ktel-thesprotias.example/", Timezone, "el"]]),
            ["stops.txt"] = Csv(["stop_id", "stop_name", "stop_lat", "stop_lon"], Stops.Select(s => new object?[] { s.Id, s.NameEl, s.Lat, s.Lon })),
            ["routes.txt"] = Csv(["route_id", "agency_id", "route_short_name", "route_long_name", "route_type"],
                Routes.Select(r => new object?[] { r.Id, "KTEL", r.ShortName, r.LongName, 3 })),
            ["trips.txt"] = Csv(["route_id", "service_id", "trip_id", "trip_headsign", "direction_id"],
                Trips.Select(t => new object?[] { t.Route.Id, t.ServiceId, t.Id, t.Headsign, t.Direction })),
            ["stop_times.txt"] = Csv(["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"],
                Trips.SelectMany(t => t.Stops.Select((s, i) => new object?[] { t.Id, Time(s.Time), Time(s.Time), s.Stop, i + 1 }))),
            ["calendar.txt"] = Csv(["service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "start_date", "end_date"],
                [[Daily, 1, 1, 1, 1, 1, 1, 1, Date(From.PlusDays(-7)), Date(From.PlusDays(365))],
                 [MondayToSaturday, 1, 1, 1, 1, 1, 1, 0, Date(From.PlusDays(-7)), Date(From.PlusDays(365))]]),
            ["translations.txt"] = Csv(["table_name", "field_name", "language", "translation", "record_id", "field_value"], translations),
            ["feed_info.txt"] = Csv(["feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_version"],
                [["Edge demo", "https://ktel-thesprotias.example/", "el", Date(From)]]),
        };
    }

    /// <summary>The feed zip. Entries carry a fixed timestamp, so the same feed is the same bytes (and ETag) after a restart.</summary>
    public byte[] Zip()
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in Files())
            {
                var entry = archive.CreateEntry(name);
                entry.LastWriteTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
                using var writer = new StreamWriter(entry.Open(), new UTF8Encoding(false));
                writer.Write(text);
            }
        }
        return buffer.ToArray();
    }

    private static string Csv(string[] header, IEnumerable<object?[]> rows)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, CsvWriterOptions.Default, true))
        {
            csv.WriteRecord(header);
            foreach (var row in rows)
                csv.WriteRecord(row.Select(v => v switch
                {
                    null => "",
                    double d => d.ToString("0.0000", CultureInfo.InvariantCulture),
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    _ => v.ToString() ?? "",
                }).ToArray());
        }
        return text.ToString();
    }
}
