using System;
using Edge.Firmware.Lighting;

namespace Edge.Firmware.Tests.Lighting;

public class SunClockTests
{
    private const double Longyearbyen = 78.2232;
    private const double LongyearbyenLon = 15.6267;

    private static SunTimes Compute(double lat, double lon, int year, int month, int day)
    {
        var times = new SunTimes();
        SunClock.Compute(lat, lon, year, month, day, times);
        return times;
    }

    [Theory]
    [InlineData(Longyearbyen, LongyearbyenLon, 2026, 12, 21)]
    [InlineData(Longyearbyen, LongyearbyenLon, 2027, 1, 5)]
    [InlineData(-Longyearbyen, -166.0, 2026, 6, 21)]
    [InlineData(-Longyearbyen, 166.0, 2027, 7, 1)]
    public void Polar_night_has_no_sunrise_or_sunset_and_a_zero_length_day_at_solar_noon(double lat, double lon, int y, int m, int d)
    {
        var times = Compute(lat, lon, y, m, d);

        Assert.Equal(SunDayKind.PolarNight, times.Kind);
        Assert.False(times.HasSunrise);
        Assert.False(times.HasSunset);
        Assert.Equal(times.SolarNoonUtc, times.SunriseUtc);
        Assert.Equal(times.SolarNoonUtc, times.SunsetUtc);
    }

    [Theory]
    [InlineData(Longyearbyen, LongyearbyenLon, 2026, 6, 21)]
    [InlineData(Longyearbyen, LongyearbyenLon, 2027, 5, 10)]
    [InlineData(-Longyearbyen, -166.0, 2026, 12, 21)]
    [InlineData(-Longyearbyen, 166.0, 2027, 1, 3)]
    public void Midnight_sun_has_no_sunrise_or_sunset_and_light_from_solar_midnight_to_solar_midnight(double lat, double lon, int y, int m, int d)
    {
        var times = Compute(lat, lon, y, m, d);

        Assert.Equal(SunDayKind.MidnightSun, times.Kind);
        Assert.False(times.HasSunrise);
        Assert.False(times.HasSunset);
        Assert.Equal(times.SolarMidnightStartUtc, times.SunriseUtc);
        Assert.Equal(times.SolarMidnightEndUtc, times.SunsetUtc);
    }

    [Fact]
    public void The_solar_day_is_centred_on_the_dates_local_solar_noon_even_at_the_date_line()
    {
        // Local solar noon of 2026-03-20 is near 00:00 UTC of that date at 180°E and near 24:00 UTC at 180°W.
        var east = Compute(0, 180, 2026, 3, 20);
        var west = Compute(0, -180, 2026, 3, 20);
        long midnight = new DateTimeOffset(2026, 3, 20, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

        Assert.InRange(east.SolarNoonUtc - midnight, -20 * 60, 20 * 60);
        Assert.InRange(west.SolarNoonUtc - midnight, 24 * 3600 - 20 * 60, 24 * 3600 + 20 * 60);
        foreach (var t in new[] { east, west })
        {
            Assert.InRange(t.SolarNoonUtc - t.SolarMidnightStartUtc, 12 * 3600 - 60, 12 * 3600 + 60);
            Assert.InRange(t.SolarMidnightEndUtc - t.SolarNoonUtc, 12 * 3600 - 60, 12 * 3600 + 60);
            Assert.True(t.SolarMidnightStartUtc < t.SunriseUtc && t.SunriseUtc < t.SolarNoonUtc);
            Assert.True(t.SolarNoonUtc < t.SunsetUtc && t.SunsetUtc < t.SolarMidnightEndUtc);
        }
    }

    [Fact]
    public void Every_reference_day_keeps_the_documented_order_and_stand_ins()
    {
        var times = new SunTimes();
        foreach (var row in SunReferenceRow.Load())
        {
            SunClock.Compute(row.Latitude, row.Longitude, row.Year, row.Month, row.Day, times);
            Assert.True(times.SolarMidnightStartUtc <= times.SunriseUtc, row.Line);
            Assert.True(times.SunriseUtc <= times.SolarNoonUtc, row.Line);
            Assert.True(times.SolarNoonUtc <= times.SunsetUtc, row.Line);
            Assert.True(times.SunsetUtc <= times.SolarMidnightEndUtc, row.Line);
            if (times.Kind == SunDayKind.Normal)
            {
                Assert.True(times.HasSunrise || times.HasSunset, row.Line);
                if (!times.HasSunrise)
                {
                    Assert.Equal(times.SolarMidnightStartUtc, times.SunriseUtc);
                }
                if (!times.HasSunset)
                {
                    Assert.Equal(times.SolarMidnightEndUtc, times.SunsetUtc);
                }
            }
        }
    }

    [Theory]
    [InlineData(90.0001, 0, "latitude")]
    [InlineData(-90.5, 0, "latitude")]
    [InlineData(double.NaN, 0, "latitude")]
    [InlineData(0, 180.0001, "longitude")]
    [InlineData(0, -181, "longitude")]
    [InlineData(0, double.NaN, "longitude")]
    [InlineData(0, double.PositiveInfinity, "longitude")]
    public void Latitude_and_longitude_out_of_range_are_rejected_with_the_argument_named(double lat, double lon, string name)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SunClock.Compute(lat, lon, 2026, 6, 21, new SunTimes()));
        Assert.Equal(name, e.ParamName);
        Assert.Contains(name + " ", e.Message);
    }

    [Theory]
    [InlineData(2026, 2, 29)]
    [InlineData(2026, 13, 1)]
    [InlineData(2026, 4, 31)]
    [InlineData(2026, 1, 0)]
    [InlineData(1900, 6, 1)]
    [InlineData(2100, 6, 1)]
    public void Impossible_dates_and_years_outside_the_series_are_rejected(int y, int m, int d)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SunClock.Compute(39.5, 20.27, y, m, d, new SunTimes()));
    }

    [Fact]
    public void The_extreme_valid_arguments_are_accepted()
    {
        foreach (var lat in new[] { -90.0, 90.0 })
        {
            foreach (var lon in new[] { -180.0, 180.0 })
            {
                var times = Compute(lat, lon, 2028, 2, 29);
                Assert.True(times.SolarMidnightStartUtc < times.SolarNoonUtc && times.SolarNoonUtc < times.SolarMidnightEndUtc);
            }
        }
    }

    [Fact]
    public void A_missing_result_object_is_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => SunClock.Compute(39.5, 20.27, 2026, 6, 21, null!));
    }

    [Fact]
    public void Computing_allocates_nothing()
    {
        var times = new SunTimes();
        SunClock.Compute(39.5035, 20.2655, 2026, 1, 1, times); // JIT and statics first
        SunClock.Compute(Longyearbyen, LongyearbyenLon, 2026, 6, 21, times);
        SunClock.Compute(Longyearbyen, LongyearbyenLon, 2026, 12, 21, times);

        long before = GC.GetAllocatedBytesForCurrentThread();
        long checksum = 0;
        for (int i = 0; i < 5000; i++)
        {
            double lat = -78.0 + (i % 157);
            double lon = -180.0 + (i * 7) % 361;
            SunClock.Compute(lat, lon, 2024 + i % 7, 1 + i % 12, 1 + i % 28, times);
            checksum += times.SunriseUtc + times.SunsetUtc;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.NotEqual(0, checksum);
        Assert.Equal(0, allocated);
    }
}
