using System;
using Edge.Firmware.Time;

namespace Edge.Firmware.Tests.Time;

/// <summary>PosixTimeZone: Greece's change nights, rule forms and edge cases, round trips, allocation.</summary>
public class PosixTimeZoneTests
{
    private const string Greece = "EET-2EEST,M3.5.0/3,M10.5.0/4";

    [Fact]
    public void Greek_rule_reads_names_and_offsets_with_the_POSIX_sign()
    {
        PosixTimeZone zone = PosixTimeZone.Parse(Greece);
        Assert.Equal(Greece, zone.Rule);
        Assert.Equal(Greece, zone.ToString());
        Assert.Equal("EET", zone.StandardName);
        Assert.Equal("EEST", zone.DaylightName);
        Assert.Equal(2 * 3600, zone.StandardOffset);  // EET-2 is two hours *east* of UTC
        Assert.Equal(3 * 3600, zone.DaylightOffset);  // default: one hour ahead of standard time
        Assert.True(zone.HasDaylightSaving);
    }

    [Fact]
    public void Greek_spring_forward_night_skips_three_oclock_and_reads_it_an_hour_later()
    {
        PosixTimeZone zone = PosixTimeZone.Parse(Greece);
        TimeZoneInfo athens = IanaZone.Find("Europe/Athens");
        // 2024-03-31, last Sunday of March: 03:00 EET becomes 04:00 EEST (01:00 UTC).
        long skipped = IanaZone.Seconds(2024, 3, 31, 3, 30);
        Assert.True(athens.IsInvalidTime(IanaZone.WallClock(skipped)));

        long utc = zone.ToUtc(skipped);
        Assert.Equal(IanaZone.Seconds(2024, 3, 31, 1, 30), utc);           // read with EET (+2)
        Assert.Equal(IanaZone.Seconds(2024, 3, 31, 4, 30), zone.ToLocal(utc)); // which the clock shows as 04:30
        Assert.Equal("EEST", zone.AbbreviationAt(utc));

        // Either side of the change instant.
        long change = IanaZone.Seconds(2024, 3, 31, 1, 0);
        Assert.Equal(change, zone.NextTransitionAfter(change - 3600));
        Assert.Equal(IanaZone.Seconds(2024, 3, 31, 2, 59, 59), zone.ToLocal(change - 1));
        Assert.Equal(IanaZone.Seconds(2024, 3, 31, 4, 0), zone.ToLocal(change));
        Assert.Equal("EET", zone.AbbreviationAt(change - 1));
        Assert.Equal("EEST", zone.AbbreviationAt(change));
        // The wall clock just before and at the end of the gap are ordinary.
        Assert.Equal(change - 1, zone.ToUtc(IanaZone.Seconds(2024, 3, 31, 2, 59, 59)));
        Assert.Equal(change, zone.ToUtc(IanaZone.Seconds(2024, 3, 31, 4, 0)));
        Assert.Equal(change, zone.ToUtc(IanaZone.Seconds(2024, 3, 31, 3, 0)));
    }

    [Fact]
    public void Greek_fall_back_night_repeats_three_oclock_and_takes_the_first()
    {
        PosixTimeZone zone = PosixTimeZone.Parse(Greece);
        TimeZoneInfo athens = IanaZone.Find("Europe/Athens");
        // 2024-10-27, last Sunday of October: 04:00 EEST becomes 03:00 EET (01:00 UTC).
        long repeated = IanaZone.Seconds(2024, 10, 27, 3, 30);
        Assert.True(athens.IsAmbiguousTime(IanaZone.WallClock(repeated)));

        long first = IanaZone.Seconds(2024, 10, 27, 0, 30);
        long second = IanaZone.Seconds(2024, 10, 27, 1, 30);
        Assert.Equal(first, zone.ToUtc(repeated));
        Assert.Equal(repeated, zone.ToLocal(first));
        Assert.Equal(repeated, zone.ToLocal(second));
        Assert.Equal("EEST", zone.AbbreviationAt(first));
        Assert.Equal("EET", zone.AbbreviationAt(second));
        Assert.True(zone.IsDaylightAt(first));
        Assert.False(zone.IsDaylightAt(second));

        long change = IanaZone.Seconds(2024, 10, 27, 1, 0);
        Assert.Equal(change, zone.NextTransitionAfter(first));
        Assert.Equal(IanaZone.Seconds(2024, 10, 27, 3, 59, 59), zone.ToLocal(change - 1));
        Assert.Equal(IanaZone.Seconds(2024, 10, 27, 3, 0), zone.ToLocal(change));
        // 04:00 happens once, after the repeat.
        Assert.Equal(IanaZone.Seconds(2024, 10, 27, 2, 0), zone.ToUtc(IanaZone.Seconds(2024, 10, 27, 4, 0)));
    }

    [Theory]
    [InlineData(Greece)]
    [InlineData("AEST-10AEDT,M10.1.0,M4.1.0/3")]
    [InlineData("NZST-12NZDT,M9.5.0,M4.1.0/3")]
    [InlineData("IST-1GMT0,M10.5.0,M3.5.0/1")]
    [InlineData("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0")]
    [InlineData("<-02>2<-01>,M3.5.0/-1,M10.5.0/0")]
    [InlineData("EST5EDT")]
    [InlineData("<-03>3")]
    public void Round_trips_every_quarter_hour_except_where_the_policy_says_otherwise(string rule)
    {
        PosixTimeZone zone = PosixTimeZone.Parse(rule);
        int gap = Math.Abs(zone.DaylightOffset - zone.StandardOffset);
        long from = IanaZone.Seconds(2022, 1, 1);
        long until = IanaZone.Seconds(2027, 1, 1);
        int secondOccurrences = 0, skippedWallClocks = 0;
        for (long t = from; t < until; t += 900)
        {
            // UTC → local → UTC: identical, except the second occurrence of a repeated wall-clock time,
            // which resolves to the first: an instant exactly the difference of the offsets earlier.
            long local = zone.ToLocal(t);
            long back = zone.ToUtc(local);
            if (back != t)
            {
                Assert.Equal(t - gap, back);
                Assert.Equal(local, zone.ToLocal(back));
                secondOccurrences++;
            }
            // Local → UTC → local: identical, except a skipped wall-clock time, which reads gap later.
            long wallClock = t;
            long shown = zone.ToLocal(zone.ToUtc(wallClock));
            if (shown != wallClock)
            {
                Assert.Equal(wallClock + gap, shown);
                skippedWallClocks++;
            }
        }
        // Five years, one hour (or half hour) repeated and skipped a year, sampled every 15 minutes.
        int perYear = gap / 900;
        Assert.Equal(zone.HasDaylightSaving ? 5 * perYear : 0, secondOccurrences);
        Assert.Equal(zone.HasDaylightSaving ? 5 * perYear : 0, skippedWallClocks);
    }

    [Fact]
    public void Southern_hemisphere_DST_spans_the_new_year()
    {
        PosixTimeZone sydney = PosixTimeZone.Parse("AEST-10AEDT,M10.1.0,M4.1.0/3");
        for (int year = 2020; year <= 2035; year++)
        {
            Assert.True(sydney.IsDaylightAt(IanaZone.Seconds(year, 1, 1)));
            Assert.True(sydney.IsDaylightAt(IanaZone.Seconds(year, 12, 31, 23, 59, 59)));
            Assert.False(sydney.IsDaylightAt(IanaZone.Seconds(year, 7, 1)));
            Assert.Equal(11 * 3600, sydney.OffsetAt(IanaZone.Seconds(year, 1, 1)));
            Assert.Equal(10 * 3600, sydney.OffsetAt(IanaZone.Seconds(year, 7, 1)));
        }
    }

    [Fact]
    public void All_year_DST_never_changes()
    {
        // RFC 8536 §3.3.1: DST from January 1 00:00 standard time to December 31 25:00 DST, i.e. to
        // January 1 00:00 standard time again: DST all year, every year.
        PosixTimeZone zone = PosixTimeZone.Parse("EST5EDT,0/0,J365/25");
        for (long t = IanaZone.Seconds(2019, 12, 25); t < IanaZone.Seconds(2031, 1, 8); t += 1800)
        {
            Assert.True(zone.IsDaylightAt(t), IanaZone.Show(t));
            Assert.Equal(-4 * 3600, zone.OffsetAt(t));
            Assert.Equal("EDT", zone.AbbreviationAt(t));
            Assert.Equal(t, zone.ToUtc(zone.ToLocal(t)));
        }
        Assert.Equal(long.MaxValue, zone.NextTransitionAfter(IanaZone.Seconds(2024, 6, 1)));
    }

    [Fact]
    public void Zones_without_DST_have_one_offset_and_no_transitions()
    {
        PosixTimeZone utc = PosixTimeZone.Parse("UTC0");
        PosixTimeZone brazil = PosixTimeZone.Parse("<-03>3");
        PosixTimeZone iran = PosixTimeZone.Parse("<+0330>-3:30");
        PosixTimeZone odd = PosixTimeZone.Parse("ABC+1:02:03");
        Assert.False(utc.HasDaylightSaving);
        Assert.Equal("UTC", utc.StandardName);
        Assert.Equal("UTC", utc.DaylightName);
        Assert.Equal("-03", brazil.StandardName);
        Assert.Equal("+0330", iran.StandardName);
        Assert.Equal(-3 * 3600, brazil.StandardOffset);
        Assert.Equal(3 * 3600 + 30 * 60, iran.StandardOffset);
        Assert.Equal(-(3600 + 2 * 60 + 3), odd.StandardOffset);
        for (long t = IanaZone.Seconds(2020, 1, 1); t < IanaZone.Seconds(2030, 1, 1); t += 7 * 3600)
        {
            Assert.Equal(0, utc.OffsetAt(t));
            Assert.Equal(t - 3 * 3600, brazil.ToLocal(t));
            Assert.Equal(t, brazil.ToUtc(brazil.ToLocal(t)));
            Assert.Equal(t + 12600, iran.ToLocal(t));
            Assert.Equal("-03", brazil.AbbreviationAt(t));
        }
        Assert.Equal(long.MaxValue, utc.NextTransitionAfter(0));
    }

    [Fact]
    public void Explicit_daylight_offsets_and_negative_DST_are_read_as_written()
    {
        PosixTimeZone dublin = PosixTimeZone.Parse("IST-1GMT0,M10.5.0,M3.5.0/1");
        Assert.Equal(3600, dublin.StandardOffset);
        Assert.Equal(0, dublin.DaylightOffset);
        Assert.Equal(0, dublin.OffsetAt(IanaZone.Seconds(2024, 1, 15)));     // "daylight" GMT in winter
        Assert.Equal(3600, dublin.OffsetAt(IanaZone.Seconds(2024, 7, 15)));  // standard IST in summer

        PosixTimeZone lordHowe = PosixTimeZone.Parse("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
        Assert.Equal(1800, lordHowe.DaylightOffset - lordHowe.StandardOffset);
        PosixTimeZone plus = PosixTimeZone.Parse("AAA+3BBB+2,M3.5.0,M10.5.0");
        Assert.Equal(-3 * 3600, plus.StandardOffset);
        Assert.Equal(-2 * 3600, plus.DaylightOffset);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(59)]
    [InlineData(60)]
    [InlineData(61)]
    [InlineData(200)]
    [InlineData(365)]
    public void Julian_day_never_counts_February_29(int n)
    {
        // Jn is the n-th day of a 365-day year: take that month and day from a common year.
        DateTime common = new DateTime(2021, 1, 1).AddDays(n - 1);
        PosixTimeZone zone = PosixTimeZone.Parse("AAA0BBB,J" + n + "/0,J" + n + "/12");
        for (int year = 2020; year <= 2032; year++)
        {
            long expected = IanaZone.Seconds(year, common.Month, common.Day);
            Assert.Equal(expected, zone.NextTransitionAfter(expected - 1));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(58)]
    [InlineData(59)]
    [InlineData(60)]
    [InlineData(300)]
    [InlineData(364)]
    [InlineData(365)]
    public void Zero_based_day_counts_February_29(int n)
    {
        PosixTimeZone zone = PosixTimeZone.Parse("AAA0BBB," + n + "/0," + n + "/12");
        for (int year = 2020; year <= 2032; year++)
        {
            // Day n counted from January 1 (day 365 of a common year is January 1 of the next).
            DateTime date = new DateTime(year, 1, 1).AddDays(n);
            long expected = IanaZone.Seconds(date.Year, date.Month, date.Day);
            Assert.Equal(expected, zone.NextTransitionAfter(expected - 1));
        }
    }

    [Theory]
    [InlineData("M3.5.0/-1", 3, 5, DayOfWeek.Sunday, -1)]
    [InlineData("M10.5.0/25", 10, 5, DayOfWeek.Sunday, 25)]
    [InlineData("M9.1.6/24", 9, 1, DayOfWeek.Saturday, 24)]
    [InlineData("M4.4.6/167", 4, 4, DayOfWeek.Saturday, 167)]
    [InlineData("M6.1.1/-167", 6, 1, DayOfWeek.Monday, -167)]
    [InlineData("M2.5.4/0", 2, 5, DayOfWeek.Thursday, 0)]
    [InlineData("M5.3.3", 5, 3, DayOfWeek.Wednesday, 2)]
    public void Month_week_day_rules_with_extended_times(string date, int month, int week, DayOfWeek weekday, int hours)
    {
        // DST starts at the given date and time (UTC zone, so local standard time is UTC) and ends
        // at Christmas — far enough from every start date.
        PosixTimeZone zone = PosixTimeZone.Parse("AAA0BBB," + date + ",M12.4.0");
        for (int year = 2020; year <= 2032; year++)
        {
            DateTime day = NthWeekday(year, month, week, weekday);
            long expected = IanaZone.Seconds(day.Year, day.Month, day.Day) + hours * 3600L;
            Assert.Equal(expected, zone.NextTransitionAfter(expected - 8 * 86400));
            Assert.False(zone.IsDaylightAt(expected - 1));
            Assert.True(zone.IsDaylightAt(expected));
        }
    }

    /// <summary>The week-th given weekday of a month, week 5 meaning the last, by walking the calendar.</summary>
    private static DateTime NthWeekday(int year, int month, int week, DayOfWeek weekday)
    {
        DateTime found = default;
        int count = 0;
        for (DateTime d = new DateTime(year, month, 1); d.Month == month; d = d.AddDays(1))
        {
            if (d.DayOfWeek == weekday && count < week)
            {
                found = d;
                count++;
            }
        }
        return found;
    }

    [Fact]
    public void Default_rules_for_DST_without_rules_are_the_US_ones()
    {
        PosixTimeZone implicitRules = PosixTimeZone.Parse("EST5EDT");
        PosixTimeZone explicitRules = PosixTimeZone.Parse("EST5EDT,M3.2.0/2,M11.1.0/2:00:00");
        for (long t = IanaZone.Seconds(2000, 1, 1); t < IanaZone.Seconds(2040, 1, 1); t += 1800)
        {
            Assert.Equal(explicitRules.OffsetAt(t), implicitRules.OffsetAt(t));
        }
    }

    [Fact]
    public void TryParse_returns_the_zone_or_the_message_Parse_throws()
    {
        Assert.True(PosixTimeZone.TryParse(Greece, out PosixTimeZone? zone, out string error));
        Assert.NotNull(zone);
        Assert.Equal("", error);
        Assert.Equal(7200, zone!.StandardOffset);

        Assert.False(PosixTimeZone.TryParse("EET-2EEST,M3.5", out zone, out error));
        Assert.Null(zone);
        FormatException thrown = Assert.Throws<FormatException>(() => PosixTimeZone.Parse("EET-2EEST,M3.5"));
        Assert.Equal(thrown.Message, error);

        Assert.False(PosixTimeZone.TryParse(null!, out zone, out error));
        Assert.Contains("missing", error);
        Assert.Throws<ArgumentNullException>(() => PosixTimeZone.Parse(null!));
    }

    [Fact]
    public void Conversions_allocate_nothing()
    {
        PosixTimeZone greece = PosixTimeZone.Parse(Greece);
        PosixTimeZone sydney = PosixTimeZone.Parse("AEST-10AEDT,M10.1.0,M4.1.0/3");
        long t = IanaZone.Seconds(2024, 12, 30);
        long sink = 0;
        // Warm up (JIT, first cache fill) outside the measurement.
        sink += greece.ToUtc(greece.ToLocal(t)) + sydney.OffsetAt(t) + greece.NextTransitionAfter(t);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            // 10,000 steps of 7 hours: about 8 years, so the per-year cache refills many times.
            long now = t + i * 7L * 3600;
            sink += greece.OffsetAt(now);
            sink += greece.ToLocal(now);
            sink += greece.ToUtc(now);
            sink += greece.IsDaylightAt(now) ? 1 : 0;
            sink += greece.AbbreviationAt(now).Length;
            sink += sydney.ToUtc(sydney.ToLocal(now));
            sink += sydney.NextTransitionAfter(now);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.NotEqual(0, sink);
    }
}
