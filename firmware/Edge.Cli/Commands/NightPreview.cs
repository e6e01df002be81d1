using System;
using System.Collections.Generic;
using Edge.Firmware.Lighting;
using Edge.Firmware.Time;

namespace Edge.Cli.Commands;

/// <summary>One night of a schedule at one place, computed with the node's own engine, plus its energy.</summary>
public sealed record NightPreview(
    DateOnly Date,
    string Profile,
    string? Sunset,
    string? VirtualMidnight,
    string? Sunrise,
    string? SunNote,
    IReadOnlyList<NightPreview.Row> Timeline,
    double NightWh,
    double NightFullWh,
    double YearKWh,
    double YearFullKWh)
{
    public sealed record Row(string Local, string Utc, float Level, float OutputPercent, string Point);

    // The energy integral samples the engine once a minute; a fade shorter than that shifts the result by well under 1 Wh.
    private const int Step = 60;

    public static NightPreview Compute(LightingSchedule schedule, double lat, double lon, PosixTimeZone zone, DateOnly date, double watts)
    {
        var engine = new DimmingEngine(schedule, lat, lon, zone);
        long night = DimmingEngine.Night(date.Year, date.Month, date.Day);
        var instants = new long[LightingSchedule.MaxPointsPerProfile];
        var levels = new float[LightingSchedule.MaxPointsPerProfile];
        int profileIndex = engine.ResolveNight(night, instants, levels, out int count);
        var profile = schedule.Profiles[profileIndex];

        var rows = new List<Row>();
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        Array.Sort(order, (a, b) => instants[a] != instants[b] ? instants[a].CompareTo(instants[b]) : a.CompareTo(b));
        foreach (int i in order)
        {
            long at = instants[i];
            // What the engine commands once the point has fully taken effect (after its fade).
            long settled = at + profile.Points[i].FadeSeconds;
            float level = engine.ScheduledLevelAt(settled);
            float output = engine.OutputAt(settled, null) * 100;
            rows.Add(new Row(Local(zone, at), Utc(at), level, output, Describe(profile.Points[i])));
        }

        var evening = new SunTimes();
        var morning = new SunTimes();
        SunClock.Compute(lat, lon, date.Year, date.Month, date.Day, evening);
        var next = date.AddDays(1);
        SunClock.Compute(lat, lon, next.Year, next.Month, next.Day, morning);
        string? note = null;
        if (evening.Kind == SunDayKind.PolarNight || morning.Kind == SunDayKind.PolarNight)
            note = "Polar night: sunset and sunrise are taken at solar noon, so the profile runs through the dark day.";
        else if (!evening.HasSunset || !morning.HasSunrise)
            note = "Midnight sun: the sun does not go down tonight, so the lamp stays off.";
        string? sunset = evening.HasSunset ? Local(zone, evening.SunsetUtc) : null;
        string? sunrise = morning.HasSunrise ? Local(zone, morning.SunriseUtc) : null;
        string? vm = sunset is not null && sunrise is not null
            ? Local(zone, evening.SunsetUtc + (morning.SunriseUtc - evening.SunsetUtc) / 2) : null;

        var (nightWh, nightFullWh) = Energy(engine, lat, lon, night, watts, evening, morning);
        double yearWh = 0, yearFullWh = 0;
        for (int n = 0; n < 365; n++)
        {
            var (used, full) = Energy(engine, lat, lon, night + n, watts, evening, morning);
            yearWh += used;
            yearFullWh += full;
        }
        return new NightPreview(date, profile.Id, sunset, vm, sunrise, note, rows, nightWh, nightFullWh, yearWh / 1000, yearFullWh / 1000);
    }

    /// <summary>Energy used from this night's noon to the next, and at full power from sunset to sunrise.</summary>
    private static (double Used, double Full) Energy(DimmingEngine engine, double lat, double lon, long night, double watts,
        SunTimes evening, SunTimes morning)
    {
        engine.NightBounds(night, out long start, out long end);
        double used = 0;
        for (long t = start; t < end; t += Step) used += engine.OutputAt(t, null) * watts * Step;

        CivilTime.CivilFromDays(night, out int y, out int m, out int d);
        SunClock.Compute(lat, lon, y, m, d, evening);
        CivilTime.CivilFromDays(night + 1, out y, out m, out d);
        SunClock.Compute(lat, lon, y, m, d, morning);
        // The sun clock's stand-ins make this the dark time on every kind of day: a whole day in polar
        // night, nothing under the midnight sun.
        double darkSeconds = Math.Max(0, morning.SunriseUtc - evening.SunsetUtc);
        return (used / 3600, watts * darkSeconds / 3600);
    }

    private static string Describe(SwitchPoint p)
    {
        string anchor = p.Trigger switch
        {
            SwitchTrigger.FixedTime => $"at {p.TimeOfDay / 3600:00}:{p.TimeOfDay / 60 % 60:00}",
            SwitchTrigger.Sunset => "sunset",
            SwitchTrigger.Sunrise => "sunrise",
            _ => "virtual midnight",
        };
        if (p.Trigger != SwitchTrigger.FixedTime && p.Offset != 0) anchor += $" {(p.Offset > 0 ? "+" : "-")}{Math.Abs(p.Offset) / 60} min";
        return $"{anchor} → {p.Level:0.#} %" + (p.FadeSeconds > 0 ? $" (fade {p.FadeSeconds} s)" : "");
    }

    public static string Utc(long utc) => DateTimeOffset.FromUnixTimeSeconds(utc).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    public static string Local(PosixTimeZone zone, long utc)
    {
        int offset = zone.OffsetAt(utc);
        var local = DateTimeOffset.FromUnixTimeSeconds(utc).ToOffset(TimeSpan.FromSeconds(offset));
        return local.ToString("yyyy-MM-dd HH:mm:ss zzz");
    }
}
