using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Inventory;
using Edge.Cloud.Lighting;
using Edge.Cloud.Storage;
using Edge.Cloud.Web.Localization;
using CsvHelper;
using Edge.Firmware.Lighting;
using Edge.Firmware.Time;

namespace Edge.Cloud.Web.Technicians;

/// <summary>What a lamp's energy counter says about one month: the Wh it counted between its first and last reading
/// of the month, or why that cannot be trusted.
/// <see cref="Watts"/>: the rated power the lamp was judged with (its own from the inventory, else the report's default).</summary>
public sealed record LampEnergy(string Node, string? Group, string? Zone, long? From, long? To, double? MeasuredWh,
    double BaselineWh, double? PredictedWh, string? Problem, double Watts)
{
    /// <summary>Measured and trusted: it counts in the totals.</summary>
    public bool Counted => Problem is null && MeasuredWh is not null;
}

/// <summary>One line of the report: a group, a zone or the whole town. The baseline and the prediction are over the
/// same lamps and the same hours as the measurement (each lamp from its first to its last reading of the month), so
/// the three compare like with like.</summary>
public sealed record EnergyLine(string Kind, string Name, int Lamps, int Measured, double MeasuredKWh, double BaselineKWh,
    double? PredictedKWh)
{
    /// <summary>Share of the all-night full-power energy saved, in percent (null without a baseline).</summary>
    public double? SavedPercent => BaselineKWh > 0 ? 100 * (1 - MeasuredKWh / BaselineKWh) : null;
}

/// <summary>The report of a month. <see cref="DefaultWatts"/>: the rated power assumed for the
/// <see cref="LampsAtDefault"/> street lights whose inventory records none.</summary>
public sealed record EnergyReport(int Year, int Month, double DefaultWatts, int LampsAtDefault, long From, long To,
    IReadOnlyList<EnergyLine> Lines, IReadOnlyList<LampEnergy> Problems);

/// <summary>
/// The energy report: what the street lights' own counters (<c>energyWh</c>, docs/protocol.md: energy since
/// installation, never decreasing) measured per group, zone and month, against all-night full power (rated power
/// from sunset to sunrise at the town's position, the sun clock the nodes run) and against what the lamp's
/// lighting profile predicts (the node's own dimming engine, as the profile page's preview). A counter that went
/// backwards, a lamp that counted more than its rated power for the hours, or one with fewer than two readings is
/// listed and left out of the totals.
/// </summary>
public sealed class EnergyReports(InventoryService inventory, ProfileService profiles, ProfileBoards boards, EnergyDays energyDays)
{
    /// <summary>The integrals step once a minute, like the profile preview's: a fade shorter than that moves a night by
    /// well under 1 Wh.</summary>
    private const int Step = 60;

    /// <summary>A counter counts whole Wh: allow one for rounding at each end before calling it implausible.</summary>
    private const double CounterSlackWh = 2;

    /// <summary>The report of a month; <paramref name="defaultWatts"/> is the rated power of a street light whose inventory records none.</summary>
    public async Task<EnergyReport> BuildAsync(int year, int month, double defaultWatts, PosixTimeZone zone, CancellationToken ct = default)
    {
        var from = LocalMidnight(zone, new DateOnly(year, month, 1));
        var to = LocalMidnight(zone, new DateOnly(year, month, 1).AddMonths(1));
        var lights = (await inventory.ListNodesAsync(null, null, null, null, "streetlight", ct)).OrderBy(n => n.Id, StringComparer.Ordinal).ToList();
        var readings = await energyDays.StepsAsync(Days(zone, year, month), ct);
        var position = await boards.PositionAsync(ct);
        var dark = position is { } p ? Dark(p.Lat, p.Lon, zone, from, to) : null;
        var outputs = new Dictionary<string, double[]?>(StringComparer.Ordinal);
        var lamps = new List<LampEnergy>();
        foreach (var node in lights)
        {
            double[]? output = null;
            if (position is { } at && node.EffectiveProfile is { } profile)
            {
                if (!outputs.TryGetValue(profile, out output))
                    outputs[profile] = output = await OutputAsync(profile, at.Lat, at.Lon, zone, from, to, ct);
            }
            lamps.Add(Lamp(node, readings.GetValueOrDefault(node.Id), node.RatedWatts ?? defaultWatts, from, dark, output));
        }
        var lines = new List<EnergyLine>();
        lines.AddRange(lamps.GroupBy(l => l.Group ?? "—").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Line("group", g.Key, g.ToList())));
        lines.AddRange(lamps.GroupBy(l => l.Zone ?? "—").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Line("zone", g.Key, g.ToList())));
        lines.Add(Line("total", "", lamps));
        return new EnergyReport(year, month, defaultWatts, lights.Count(n => n.RatedWatts is null), from, to, lines, lamps.Where(l => !l.Counted).ToList());
    }

    private static EnergyLine Line(string kind, string name, IReadOnlyList<LampEnergy> lamps)
    {
        var counted = lamps.Where(l => l.Counted).ToList();
        var predicted = counted.All(l => l.PredictedWh is not null) ? counted.Sum(l => l.PredictedWh!.Value) / 1000 : (double?)null;
        return new EnergyLine(kind, name, lamps.Count, counted.Count, counted.Sum(l => l.MeasuredWh!.Value) / 1000,
            counted.Sum(l => l.BaselineWh) / 1000, predicted);
    }

    /// <summary>One lamp: the sum of its counter's steps between consecutive readings. A step down means the counter
    /// was reset or the node replaced: that lamp is not trusted this month.</summary>
    internal static LampEnergy Lamp(NodeInfo node, CounterSteps? steps, double ratedWatts, long monthStart, double[]? dark, double[]? output)
    {
        if (steps is null || steps.Readings < 2)
            return new LampEnergy(node.Id, node.Group, node.Zone, steps?.First, null, null, 0, null, "EnergyReport_NoReadings", ratedWatts);
        var (first, last) = (steps.First, steps.Last);
        var baseline = dark is null ? 0 : ratedWatts * Integral(dark, monthStart, first, last) / 3600;
        double? predicted = output is null ? null : ratedWatts * Integral(output, monthStart, first, last) / 3600;
        var problem = steps.Drops > 0 ? "EnergyReport_CounterBackwards"
            : steps.RiseWh > ratedWatts * (last - first) / 3600.0 + CounterSlackWh ? "EnergyReport_AboveRated"
            : null;
        return new LampEnergy(node.Id, node.Group, node.Zone, first, last, steps.RiseWh, baseline, predicted, problem, ratedWatts);
    }

    /// <summary>The seconds-weighted sum of a per-minute series (prefix sums) between two instants.</summary>
    private static double Integral(double[] prefix, long start, long a, long b)
    {
        static int Index(double[] prefix, long start, long t) => (int)Math.Clamp((t - start) / Step, 0, prefix.Length - 1);
        return prefix[Index(prefix, start, b)] - prefix[Index(prefix, start, a)];
    }

    /// <summary>Prefix sums of the dark seconds of each minute of the window (sunset to sunrise, night by night).</summary>
    internal static double[] Dark(double lat, double lon, PosixTimeZone zone, long from, long to)
    {
        var nights = new List<(long Set, long Rise)>();
        var evening = new SunTimes();
        var morning = new SunTimes();
        var first = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(from + zone.OffsetAt(from)).UtcDateTime).AddDays(-1);
        var lastDay = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(to + zone.OffsetAt(to)).UtcDateTime);
        for (var d = first; d <= lastDay; d = d.AddDays(1))
        {
            SunClock.Compute(lat, lon, d.Year, d.Month, d.Day, evening);
            var next = d.AddDays(1);
            SunClock.Compute(lat, lon, next.Year, next.Month, next.Day, morning);
            // The sun clock's stand-ins make this the dark time on every kind of day (as the profile preview counts it).
            if (morning.SunriseUtc > evening.SunsetUtc) nights.Add((evening.SunsetUtc, morning.SunriseUtc));
        }
        return Prefix(from, to, t => nights.Any(n => t >= n.Set && t < n.Rise) ? 1 : 0);
    }

    /// <summary>Prefix sums of the profile's driver output (0–1) each minute of the window, from the node's own engine.</summary>
    private async Task<double[]?> OutputAsync(string profile, double lat, double lon, PosixTimeZone zone, long from, long to, CancellationToken ct)
    {
        LightingSchedule schedule;
        try
        {
            schedule = LightingScheduleParser.Parse(System.Text.Encoding.UTF8.GetBytes((await profiles.GetAsync(profile, ct)).Document.GetRawText()));
        }
        catch (Exception e) when (e is DomainException or FormatException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
        var engine = new DimmingEngine(schedule, lat, lon, zone);
        return Prefix(from, to, t => engine.OutputAt(t, null));
    }

    private static double[] Prefix(long from, long to, Func<long, double> perSecond)
    {
        var minutes = (int)((to - from) / Step);
        var prefix = new double[minutes + 1];
        for (var i = 0; i < minutes; i++) prefix[i + 1] = prefix[i] + perSecond(from + (long)i * Step) * Step;
        return prefix;
    }

    /// <summary>Unix seconds of local midnight at the start of <paramref name="day"/> in the site's zone.</summary>
    internal static long LocalMidnight(PosixTimeZone zone, DateOnly day)
    {
        var local = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();
        return local - zone.OffsetAt(local - zone.OffsetAt(local));
    }

    /// <summary>The month a page or export asks for (<c>yyyy-MM</c>), or the site's current month.</summary>
    public static (int Year, int Month) MonthOf(string? text, SiteTime time) =>
        DateOnly.TryParseExact((text ?? "") + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? (day.Year, day.Month)
            : (time.Local(time.Now).Year, time.Local(time.Now).Month);

    /// <summary>The default lamp power asked for (1 W to 10 kW), or the configured one (for lamps without their own).</summary>
    public static double WattsOf(double? watts, Hosting.ConsoleOptions options) => watts is > 0 and <= 10000 ? watts.Value : options.LampWatts;

    /// <summary>The report's lines as CSV (invariant numbers, kWh, € and kg CO₂ to three decimals).</summary>
    public static string Csv(EnergyReport report, double pricePerKWh, double kgCo2PerKWh)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, null, leaveOpen: true))
        {
            csv.WriteRecord(new[] { "month", "kind", "name", "lamps", "measured_lamps", "measured_kwh", "predicted_kwh", "baseline_kwh",
                "saved_percent", "measured_eur", "baseline_eur", "measured_kg_co2", "baseline_kg_co2" });
            foreach (var line in report.Lines)
            {
                var figures = new[] { line.MeasuredKWh, line.PredictedKWh, line.BaselineKWh, line.SavedPercent, line.MeasuredKWh * pricePerKWh,
                    line.BaselineKWh * pricePerKWh, line.MeasuredKWh * kgCo2PerKWh, line.BaselineKWh * kgCo2PerKWh };
                csv.WriteRecord(new[] { $"{report.Year:0000}-{report.Month:00}", line.Kind, line.Name, line.Lamps.ToString(CultureInfo.InvariantCulture),
                        line.Measured.ToString(CultureInfo.InvariantCulture) }
                    .Concat(figures.Select(v => v?.ToString("0.###", CultureInfo.InvariantCulture) ?? "")).ToArray());
            }
        }
        return text.ToString();
    }

    /// <summary>The local midnights from the month's first day to the next month's first: the days each lamp's counter is
    /// summed over (<see cref="EnergyDays"/> keeps the sums of past days; 10,000 lamps' month of 5-minute readings is 86
    /// million rows, the page needs five figures per lamp).</summary>
    internal static List<long> Days(PosixTimeZone zone, int year, int month)
    {
        var first = new DateOnly(year, month, 1);
        var days = new List<long>();
        for (var day = first; day <= first.AddMonths(1); day = day.AddDays(1)) days.Add(LocalMidnight(zone, day));
        return days;
    }
}
