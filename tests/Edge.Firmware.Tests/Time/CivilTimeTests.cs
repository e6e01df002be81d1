using System;
using Edge.Firmware.Time;

namespace Edge.Firmware.Tests.Time;

/// <summary>CivilTime's integer calendar arithmetic against System.DateTime (the reference) and against itself.</summary>
public class CivilTimeTests
{
    private static readonly DateTime Epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Every_day_from_year_1_to_9999_matches_DateTime_both_ways()
    {
        // DateTime's whole range: 0001-01-01 … 9999-12-31 (proleptic Gregorian, as CivilTime).
        long firstDay = (long)(DateTime.MinValue - Epoch).TotalDays;
        DateTime date = DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc);
        long checkedDays = 0;
        for (long days = firstDay; ; days++)
        {
            long expectedDays = (date - Epoch).Ticks / TimeSpan.TicksPerDay;
            Assert.Equal(expectedDays, days);
            long fromCivil = CivilTime.DaysFromCivil(date.Year, date.Month, date.Day);
            if (fromCivil != days)
            {
                Assert.Fail($"DaysFromCivil({date:yyyy-MM-dd}) = {fromCivil}, DateTime says {days}");
            }
            CivilTime.CivilFromDays(days, out int year, out int month, out int day);
            if (year != date.Year || month != date.Month || day != date.Day)
            {
                Assert.Fail($"CivilFromDays({days}) = {year:D4}-{month:D2}-{day:D2}, DateTime says {date:yyyy-MM-dd}");
            }
            int weekday = CivilTime.DayOfWeek(days);
            if (weekday != (int)date.DayOfWeek)
            {
                Assert.Fail($"DayOfWeek({date:yyyy-MM-dd}) = {weekday}, DateTime says {(int)date.DayOfWeek}");
            }
            checkedDays++;
            if (date.Year == 9999 && date.Month == 12 && date.Day == 31)
            {
                break;
            }
            date = date.AddDays(1);
        }
        Assert.Equal(3652059, checkedDays);
    }

    [Fact]
    public void Leap_years_and_month_lengths_match_DateTime()
    {
        for (int year = 1; year <= 9999; year++)
        {
            Assert.Equal(DateTime.IsLeapYear(year), CivilTime.IsLeapYear(year));
            for (int month = 1; month <= 12; month++)
            {
                Assert.Equal(DateTime.DaysInMonth(year, month), CivilTime.DaysInMonth(year, month));
            }
        }
    }

    [Fact]
    public void Day_and_second_of_day_floor_correctly_for_instants_before_and_after_1970()
    {
        // Every 7,777 × 97 seconds (about 8.7 days; not a multiple of a day, so the time of day drifts
        // through the whole day) from year 1 to 9999, plus every second of the six days around the epoch.
        long min = DateTimeOffset.MinValue.ToUnixTimeSeconds();
        long max = DateTimeOffset.MaxValue.ToUnixTimeSeconds();
        for (long s = min; s <= max; s += 7777 * 97)
        {
            AssertDayAndSecond(s);
        }
        for (long s = -3 * CivilTime.SecondsPerDay; s <= 3 * CivilTime.SecondsPerDay; s++)
        {
            AssertDayAndSecond(s);
        }
    }

    private static void AssertDayAndSecond(long s)
    {
        DateTime utc = DateTimeOffset.FromUnixTimeSeconds(s).UtcDateTime;
        long expectedDay = (utc.Date - Epoch).Ticks / TimeSpan.TicksPerDay;
        int expectedSecond = (int)(utc.TimeOfDay.Ticks / TimeSpan.TicksPerSecond);
        if (CivilTime.DayOf(s) != expectedDay || CivilTime.SecondOfDay(s) != expectedSecond)
        {
            Assert.Fail($"{s}: DayOf = {CivilTime.DayOf(s)}, SecondOfDay = {CivilTime.SecondOfDay(s)}; DateTime says {expectedDay}, {expectedSecond}");
        }
    }

    [Fact]
    public void Round_trips_and_counts_consecutively_far_outside_DateTime_range()
    {
        // DateTime stops at year 1 and 9999; the algorithm works on 400-year eras, so check its own
        // consistency across many eras either side: consecutive day numbers are consecutive dates.
        CivilTime.CivilFromDays(-2_000_000, out int year, out int month, out int day);
        for (long days = -2_000_000; days <= 2_000_000; days++)
        {
            // Plain checks in the hot loop (Assert per iteration would dominate the run time).
            if (CivilTime.DaysFromCivil(year, month, day) != days)
            {
                Assert.Fail($"DaysFromCivil({year}-{month}-{day}) = {CivilTime.DaysFromCivil(year, month, day)}, expected {days}");
            }
            int weekday = CivilTime.DayOfWeek(days);
            if (weekday < 0 || weekday > 6 || weekday != (CivilTime.DayOfWeek(days - 1) + 1) % 7)
            {
                Assert.Fail($"DayOfWeek({days}) = {weekday} does not follow DayOfWeek({days - 1}) = {CivilTime.DayOfWeek(days - 1)}");
            }
            // Next date.
            if (day < CivilTime.DaysInMonth(year, month))
            {
                day++;
            }
            else if (month < 12)
            {
                month++;
                day = 1;
            }
            else
            {
                year++;
                month = 1;
                day = 1;
            }
            CivilTime.CivilFromDays(days + 1, out int y, out int m, out int d);
            if (y != year || m != month || d != day)
            {
                Assert.Fail($"CivilFromDays({days + 1}) = {y}-{m}-{d}, expected {year}-{month}-{day}");
            }
        }
    }
}
