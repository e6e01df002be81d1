using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Firmware.Transit;
using NodaTime;

namespace Edge.Cloud.Transit;

/// <summary>A departure of a day for a sign: route label, bilingual headsign, service-day time.</summary>
public sealed record SignDeparture(string Route, JsonObject Headsign, int Time);

/// <summary>A departure with the instant the sign counts down to; <see cref="Scheduled"/> is the GTFS departure it
/// comes from (trip and stop ids, for open data).</summary>
public sealed record SignArrival(SignDeparture Departure, Instant At, bool Realtime, bool Cancelled)
{
    public ScheduledDeparture? Scheduled { get; init; }
}

/// <summary>One service day of a stop's timetable.</summary>
public sealed record SignDay(LocalDate Date, IReadOnlyList<SignDeparture> Departures);

/// <summary>
/// Writes the timetable document of docs/display-content.md and the scheduled display content for a stop.
/// <para>GTFS measures a service day's times from "noon minus 12 h" local time, which is midnight except on the
/// two days a year the clocks change. The firmware turns a day's times into instants as
/// <c>date 00:00 at utcOffset + time</c>; giving each day <b>the offset in force at local noon</b> makes that
/// exactly "noon minus 12 h", so every departure — after midnight too — lands on the right instant on DST days
/// (tests: Europe/Athens, last Sundays of March and October).</para>
/// </summary>
public static class TimetableBuilder
{
    /// <summary>The offset a service day's times are counted with (see the class summary).</summary>
    public static Offset DayOffset(DateTimeZone zone, LocalDate date) => zone.AtLeniently(date.At(new LocalTime(12, 0))).Offset;

    /// <summary>The instant of a service-day time.</summary>
    public static Instant At(DateTimeZone zone, LocalDate date, int seconds) =>
        date.AtMidnight().InZoneLeniently(DateTimeZone.ForOffset(DayOffset(zone, date))).ToInstant().Plus(Duration.FromSeconds(seconds));

    private static readonly NodaTime.Text.OffsetPattern OffsetFormat = NodaTime.Text.OffsetPattern.CreateWithInvariantCulture("+HH:mm");

    public static string FormatOffset(Offset offset) => OffsetFormat.Format(offset);

    /// <summary>The timetable document: days in order, at most <see cref="Timetable.MaxDepartures"/> departures in all
    /// (today's first) and at most <paramref name="maxBytes"/> of JSON, times after 47:59 (beyond what the firmware
    /// reads) left out.</summary>
    public static JsonObject Timetable(long version, JsonObject stop, DateTimeZone zone, IReadOnlyList<SignDay> days, int maxBytes = int.MaxValue)
    {
        var left = Firmware.Transit.Timetable.MaxDepartures;
        var array = new JsonArray();
        foreach (var day in days.Take(Firmware.Transit.Timetable.MaxDays))
        {
            var departures = new JsonArray();
            foreach (var d in day.Departures.Where(d => d.Time < 48 * 3600).Take(left))
            {
                departures.Add(new JsonObject { ["route"] = d.Route, ["headsign"] = d.Headsign.DeepClone(), ["time"] = $"{d.Time / 3600:00}:{d.Time / 60 % 60:00}" });
            }
            left -= departures.Count;
            array.Add(new JsonObject
            {
                ["date"] = day.Date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture),
                ["utcOffset"] = FormatOffset(DayOffset(zone, day.Date)),
                ["departures"] = departures,
            });
        }
        var document = new JsonObject { ["schema"] = 1, ["version"] = version, ["stop"] = stop.DeepClone(), ["days"] = array };
        // The display envelope has a size limit (protocol.md §11.2): the latest departures go first, tomorrow's before today's.
        while (Encoding.UTF8.GetByteCount(document.ToJsonString()) > maxBytes
               && array.Select(d => d!["departures"]!.AsArray()).LastOrDefault(d => d.Count > 0) is { } last)
        {
            last.RemoveAt(last.Count - 1);
        }
        return document;
    }

    /// <summary>Display content listing the next (at most 16) departures at or after <paramref name="now"/>:
    /// <c>realtime: true</c> only for a live prediction, cancelled trips flagged; with the stop's notices and banner
    /// (from service alerts); valid until <paramref name="validUntil"/>.</summary>
    public static JsonObject Content(JsonObject stop, DateTimeZone zone, IEnumerable<SignArrival> arrivals, Instant now, Instant validUntil,
        Realtime.StopNotices? notices = null)
    {
        notices ??= Realtime.StopNotices.None;
        var array = new JsonArray();
        foreach (var a in arrivals.Where(a => a.At >= now).OrderBy(a => a.At).Take(DisplayContent.MaxArrivals))
        {
            var item = new JsonObject { ["route"] = a.Departure.Route, ["headsign"] = a.Departure.Headsign.DeepClone(), ["at"] = Iso(a.At), ["realtime"] = a.Realtime };
            if (a.Cancelled) item["cancelled"] = true;
            array.Add(item);
        }
        return new JsonObject
        {
            ["schema"] = 1,
            ["generatedAt"] = Iso(now),
            ["validUntil"] = Iso(validUntil),
            ["utcOffset"] = FormatOffset(zone.GetUtcOffset(now)),
            ["stop"] = stop.DeepClone(),
            ["arrivals"] = array,
            ["notices"] = new JsonArray(notices.Notices.Select(n => (JsonNode)n.DeepClone()).ToArray()),
            ["banner"] = notices.Banner?.DeepClone(),
        };
    }

    private static string Iso(Instant instant) => instant.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
