using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;

namespace Edge.Sim.Demo;

/// <summary>The documents the demo seeds: gauge and bus-stop settings, stop content and timetables, the profile.</summary>
public static class DemoDocuments
{
    /// <summary>Mounting height of every demo gauge: the virtual sensor and its config must agree.</summary>
    public const int GaugeMountMm = 3000;

    /// <summary>
    /// A stream gauge (docs/water-gauge.md) tuned for a demo: the example's thresholds (watch 500, warning 800,
    /// alarm 1100 mm) with short dwells and a calm sampling interval of one minute, so a storm shows within minutes.
    /// </summary>
    public static string GaugeConfig() => $$"""
        {
          "mode": "stream", "mountingHeightMm": {{GaugeMountMm}}, "datumOffsetMm": 0,
          "sensor": { "minRangeMm": 300, "maxRangeMm": 5000, "noEchoMm": 5000, "burstSize": 5, "stuckWindowS": 1800, "absentAfterSamples": 3 },
          "spike": { "maxRateMmPerMin": 600, "confirmSamples": 1 },
          "thresholds": {
            "watch": { "level": 500, "hysteresisMm": 50, "dwellS": 300 },
            "warning": { "level": 800, "hysteresisMm": 50, "dwellS": 300 },
            "alarm": { "level": 1100, "hysteresisMm": 50, "dwellS": 300 }
          },
          "rateOfRise": { "riseMm": 200, "windowS": 600, "clearMm": 100 },
          "sampling": { "calmIntervalS": 60, "fastIntervalS": 15, "risingMm": 30 },
          "battery": { "capacityMah": 19000, "emptyMv": 3000, "fullMv": 3600, "activeCurrentMa": 40, "activeMsPerSample": 3000, "sleepCurrentUa": 60 }
        }
        """;

    /// <summary>Bus-stop panel settings (protocol.md §9.7).</summary>
    public const string BusStopConfig = """{"panel":"epd-7in5","rotation":0,"staleAfterS":300,"fullRefreshS":3600}""";

    /// <summary>The lighting profile document of docs/examples (embedded at build).</summary>
    public static byte[] Profile()
    {
        using Stream stream = typeof(DemoDocuments).Assembly.GetManifestResourceStream("igoumenitsa-residential.json")
            ?? throw new InvalidOperationException("embedded igoumenitsa-residential.json is missing");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// Live content for a stop (docs/display-content.md): the next departures of its routes from a fixed headway
    /// — a stand-in for the GTFS-Realtime feed the cloud will have — with a bilingual notice.
    /// </summary>
    public static JsonObject StopContent(NodePlan stop, DateTimeOffset now)
    {
        var offset = GreekOffset(now);
        var arrivals = Departures(stop, now, now.AddMinutes(75))
            .Take(8)
            .Select((d, i) => (JsonNode)new JsonObject
            {
                ["route"] = d.Route.Route,
                ["headsign"] = Bilingual(d.Route.HeadsignEl, d.Route.HeadsignEn),
                ["at"] = Instant(d.At),
                // The first two are "tracked" buses; later ones are timetable times (shown with *).
                ["realtime"] = i < 2,
            })
            .ToArray();
        return new JsonObject
        {
            ["schema"] = 1,
            ["version"] = 0,
            ["generatedAt"] = Instant(now),
            ["validUntil"] = Instant(now.AddHours(2)),
            ["utcOffset"] = OffsetText(offset),
            ["stop"] = new JsonObject { ["id"] = stop.Id, ["name"] = Bilingual(stop.StopNameEl!, stop.StopNameEn!) },
            ["arrivals"] = new JsonArray(arrivals),
            // The demo notice everywhere; a stop's own notices (the ferry gate at the port) only at that stop.
            ["notices"] = new JsonArray(new[] { Bilingual("Δοκιμαστική λειτουργία: εικονικά δρομολόγια.", "Demo site: simulated departures.") }
                .Concat((stop.Notices ?? Array.Empty<NoticePlan>()).Select(n => Bilingual(n.El, n.En)))
                .Select(n => (JsonNode)n).ToArray()),
            ["banner"] = null,
        };
    }

    /// <summary>The stop's timetable for today and tomorrow (the offline fallback).</summary>
    public static JsonObject StopTimetable(NodePlan stop, DateTimeOffset now)
    {
        var days = new JsonArray();
        var offset = GreekOffset(now);
        var localToday = now.ToOffset(offset).Date;
        for (int d = 0; d < 2; d++)
        {
            var date = localToday.AddDays(d);
            var departures = new JsonArray();
            foreach (var route in stop.Routes ?? Array.Empty<RoutePlan>())
            {
                for (int minute = 6 * 60 + route.OffsetMinutes; minute < 22 * 60; minute += route.HeadwayMinutes)
                {
                    departures.Add(new JsonObject
                    {
                        ["route"] = route.Route,
                        ["headsign"] = Bilingual(route.HeadsignEl, route.HeadsignEn),
                        ["time"] = (minute / 60).ToString("00", CultureInfo.InvariantCulture) + ":" + (minute % 60).ToString("00", CultureInfo.InvariantCulture),
                    });
                }
            }
            days.Add(new JsonObject
            {
                ["date"] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["utcOffset"] = OffsetText(offset),
                ["departures"] = departures,
            });
        }
        return new JsonObject
        {
            ["schema"] = 1,
            ["version"] = int.Parse(now.ToOffset(offset).ToString("yyyyMMdd", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            ["stop"] = new JsonObject { ["id"] = stop.Id, ["name"] = Bilingual(stop.StopNameEl!, stop.StopNameEn!) },
            ["days"] = days,
        };
    }

    private static IEnumerable<(RoutePlan Route, DateTimeOffset At)> Departures(NodePlan stop, DateTimeOffset from, DateTimeOffset to)
    {
        var list = new List<(RoutePlan, DateTimeOffset)>();
        var hour = new DateTimeOffset(from.Year, from.Month, from.Day, from.Hour, 0, 0, TimeSpan.Zero);
        foreach (var route in stop.Routes ?? Array.Empty<RoutePlan>())
        {
            for (var at = hour.AddHours(-4).AddMinutes(route.OffsetMinutes); at < to; at = at.AddMinutes(route.HeadwayMinutes))
                if (at >= from.AddMinutes(1) && InService(at)) list.Add((route, at));
        }
        return list.OrderBy(d => d.Item2);
    }

    /// <summary>Buses run 06:00-22:00 local time, as the timetable says.</summary>
    private static bool InService(DateTimeOffset at)
    {
        int hour = at.ToOffset(GreekOffset(at)).Hour;
        return hour >= 6 && hour < 22;
    }

    /// <summary>Greece: EET (+02:00), EEST (+03:00) from the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC.</summary>
    public static TimeSpan GreekOffset(DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        DateTime LastSunday(int month)
        {
            var d = new DateTime(utc.Year, month, DateTime.DaysInMonth(utc.Year, month), 1, 0, 0, DateTimeKind.Utc);
            while (d.DayOfWeek != DayOfWeek.Sunday) d = d.AddDays(-1);
            return d;
        }
        return utc >= LastSunday(3) && utc < LastSunday(10) ? TimeSpan.FromHours(3) : TimeSpan.FromHours(2);
    }

    private static string OffsetText(TimeSpan offset) => "+" + offset.Hours.ToString("00", CultureInfo.InvariantCulture) + ":00";

    private static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Bilingual(string el, string en) => new() { ["el"] = el, ["en"] = en };
}
