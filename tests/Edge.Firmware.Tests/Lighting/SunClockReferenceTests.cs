using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Edge.Firmware.Lighting;
using Xunit.Abstractions;

namespace Edge.Firmware.Tests.Lighting;

/// <summary>
/// SunClock against PyEphem (VSOP87) reference data: the issue's accuracy targets per latitude band,
/// and the kind of day. The measured maxima are printed to the test output and quoted in docs/sun-clock.md.
/// </summary>
public class SunClockReferenceTests
{
    // Below this grazing margin the existence of an event hinges on less than the solar theory's
    // accuracy (its declination is good to a few arcseconds, not to zero), so such days are reported,
    // not asserted. Meeus gives ~0.01° (36″) for the low-precision theory; we measure much better.
    private const double GrazingArcseconds = 20.0;

    private readonly ITestOutputHelper output;

    public SunClockReferenceTests(ITestOutputHelper output)
    {
        this.output = output;
    }

    /// <summary>A latitude band and the largest and mean |error| allowed against the zenith-90.8333° reference.</summary>
    private sealed record Band(string Name, double MinAbsLatitude, double MaxAbsLatitude, long MaxSeconds, double MeanSeconds);

    // The issue's targets are ±1 min up to 60° and ±3 min up to 70°; the code does much better, and the limits are
    // the measured maxima and means documented in docs/sun-clock.md §Accuracy (5 s / 1.0 s, 127 s / 3.9 s,
    // 139 s / 7.5 s) plus a small margin, so a regression shows long before it reaches the targets: ten times the
    // error fails in every band. Beyond 70° (Longyearbyen, 78.2°) the kind of day is the requirement; the timing
    // is held to what is documented all the same.
    private static readonly Band[] Bands =
    {
        new("|lat| <= 60", 0, 60, 7, 1.5),
        new("60 < |lat| <= 70", 60.0000001, 70, 135, 5),
        new("|lat| > 70", 70.0000001, 90, 150, 9),
    };

    [Fact]
    public void Sunrise_and_sunset_agree_with_the_reference_within_the_tolerance_of_each_latitude_band()
    {
        var rows = SunReferenceRow.Load();
        Assert.True(rows.Count > 4000, "the reference data set is unexpectedly small: " + rows.Count);
        var times = new SunTimes();
        var failures = new List<string>();

        foreach (var band in Bands)
        {
            var official = new ErrorStats();
            var limb = new ErrorStats();
            foreach (var row in rows.Where(r => Math.Abs(r.Latitude) >= band.MinAbsLatitude && Math.Abs(r.Latitude) <= band.MaxAbsLatitude))
            {
                SunClock.Compute(row.Latitude, row.Longitude, row.Year, row.Month, row.Day, times);
                foreach (var (what, has, actual, expected, limbExpected) in new[]
                {
                    ("sunrise", times.HasSunrise, times.SunriseUtc, row.SunriseUtc, row.LimbSunriseUtc),
                    ("sunset", times.HasSunset, times.SunsetUtc, row.SunsetUtc, row.LimbSunsetUtc),
                })
                {
                    if (!has)
                    {
                        continue; // whether the event exists is the other test's business
                    }
                    if (expected is long e)
                    {
                        long error = official.Add(actual - e, what + " of " + row.Line + ", computed " + Iso(actual));
                        if (error > band.MaxSeconds)
                        {
                            failures.Add($"{band.Name}: {what} off by {error} s (> {band.MaxSeconds} s): {row.Line}, computed {Iso(actual)}");
                        }
                    }
                    if (limbExpected is long l)
                    {
                        limb.Add(actual - l, what + " of " + row.Line + ", computed " + Iso(actual));
                    }
                }
            }
            if (official.Mean > band.MeanSeconds)
            {
                failures.Add($"{band.Name}: mean |error| {official.Mean:0.00} s (> {band.MeanSeconds} s)");
            }
            output.WriteLine($"{band.Name} (max {band.MaxSeconds} s, mean {band.MeanSeconds} s):");
            output.WriteLine($"  vs zenith 90.8333° (asserted): {official}");
            output.WriteLine($"  vs USNO upper limb at -0:34 (info): {limb}");
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
    }

    [Fact]
    public void Kind_of_day_and_which_events_exist_agree_with_the_reference_except_on_grazing_days()
    {
        var rows = SunReferenceRow.Load();
        var times = new SunTimes();
        var mismatches = new List<string>();
        int polarNights = 0, midnightSuns = 0, oneEventDays = 0, grazing = 0;
        foreach (var row in rows)
        {
            SunClock.Compute(row.Latitude, row.Longitude, row.Year, row.Month, row.Day, times);
            polarNights += row.Kind == SunDayKind.PolarNight ? 1 : 0;
            midnightSuns += row.Kind == SunDayKind.MidnightSun ? 1 : 0;
            oneEventDays += row.Kind == SunDayKind.Normal && (row.SunriseUtc is null || row.SunsetUtc is null) ? 1 : 0;
            bool agrees = times.Kind == row.Kind && times.HasSunrise == row.SunriseUtc.HasValue && times.HasSunset == row.SunsetUtc.HasValue;
            string computed = $"computed {times.Kind}, sunrise {(times.HasSunrise ? Iso(times.SunriseUtc) : "none")}, sunset {(times.HasSunset ? Iso(times.SunsetUtc) : "none")}";
            if (row.MarginArcseconds < GrazingArcseconds)
            {
                grazing++;
                output.WriteLine($"grazing day ({(agrees ? "agrees" : "differs")}): {row.Line}: {computed}");
            }
            else if (!agrees)
            {
                mismatches.Add($"{row.Line}: {computed}");
            }
        }
        output.WriteLine($"{rows.Count} days: {polarNights} polar nights, {midnightSuns} midnight-sun days, " +
            $"{oneEventDays} one-event transition days, {grazing} grazing days (< {GrazingArcseconds}″, reported only); {mismatches.Count} mismatches");
        Assert.True(polarNights > 50 && midnightSuns > 50 && oneEventDays > 10, "the reference lacks polar days");
        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }

    private static string Iso(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Largest absolute error, mean absolute error and the worst case.</summary>
    private sealed class ErrorStats
    {
        private long count;
        private long sum;
        private long worst = -1;
        private string worstCase = "";

        public double Mean => count == 0 ? 0 : (double)sum / count;

        public long Add(long signedError, string description)
        {
            long error = Math.Abs(signedError);
            count++;
            sum += error;
            if (error > worst)
            {
                worst = error;
                worstCase = description;
            }
            return error;
        }

        public override string ToString() => count == 0
            ? "no events"
            : $"{count} events, max |error| {worst} s, mean {(double)sum / count:0.0} s; worst: {worstCase}";
    }
}
