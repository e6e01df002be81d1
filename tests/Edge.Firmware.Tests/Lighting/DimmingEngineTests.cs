using System;
using System.IO;
using Edge.Firmware.Lighting;
using Edge.Firmware.Time;

namespace Edge.Firmware.Tests.Lighting;

public class DimmingEngineTests
{
    private const double Lat = 39.5035, Lon = 20.2655; // Igoumenitsa
    private const string Greece = "EET-2EEST,M3.5.0/3,M10.5.0/4";
    private static readonly PosixTimeZone Zone = PosixTimeZone.Parse(Greece);

    private static DimmingEngine Example() =>
        new(LightingScheduleParser.Parse(File.ReadAllBytes(Repo.File("docs/examples/igoumenitsa-residential.json"))), Lat, Lon, Zone);

    private static DimmingEngine Engine(string json, double lat = Lat, double lon = Lon, string zone = Greece) =>
        new(LightingScheduleParser.Parse(json), lat, lon, PosixTimeZone.Parse(zone));

    private static SunTimes Sun(int y, int m, int d, double lat = Lat, double lon = Lon)
    {
        var times = new SunTimes();
        SunClock.Compute(lat, lon, y, m, d, times);
        return times;
    }

    /// <summary>UTC instant of a Greek local wall-clock time.</summary>
    private static long Local(int y, int mo, int d, int h, int mi) => Zone.ToUtc(CivilTime.DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60);

    [Fact]
    public void Follows_the_residential_profile_through_a_winter_weeknight()
    {
        var engine = Example();
        long sunset = Sun(2026, 1, 14).SunsetUtc;   // a Wednesday
        long sunrise = Sun(2026, 1, 15).SunriseUtc;
        long vm = sunset + (sunrise - sunset) / 2;
        long one = Local(2026, 1, 15, 1, 0);
        Assert.True(vm < one, "in January virtual midnight comes before 01:00");

        Assert.Equal(0f, engine.LevelAt(sunset - 60, null));
        Assert.Equal(50f, engine.LevelAt(sunset + 60, null), 3);   // halfway through the 120 s fade
        Assert.Equal(100f, engine.LevelAt(sunset + 120, null));
        Assert.Equal(100f, engine.LevelAt(vm - 1, null));
        Assert.Equal(75f, engine.LevelAt(vm + 60, null), 3);
        Assert.Equal(50f, engine.LevelAt(vm + 120, null));
        Assert.Equal(50f, engine.LevelAt(one - 1, null));
        Assert.Equal(30f, engine.LevelAt(one + 120, null));
        Assert.Equal(30f, engine.LevelAt(sunrise - 30 * 60 - 1, null));
        Assert.Equal(100f, engine.LevelAt(sunrise - 30 * 60 + 120, null));
        Assert.Equal(100f, engine.LevelAt(sunrise - 1, null));
        Assert.Equal(0f, engine.LevelAt(sunrise, null));           // no fade on the last point
        Assert.Equal("residential", engine.ProfileAt(sunset + 3600).Id);
    }

    [Fact]
    public void Points_apply_in_time_order_when_virtual_midnight_falls_after_a_fixed_time()
    {
        var engine = Example();
        long sunset = Sun(2026, 6, 17).SunsetUtc;   // a Wednesday in June
        long sunrise = Sun(2026, 6, 18).SunriseUtc;
        long vm = sunset + (sunrise - sunset) / 2;
        long one = Local(2026, 6, 18, 1, 0);
        Assert.True(vm > one, "in June virtual midnight comes after 01:00 summer time");

        Assert.Equal(100f, engine.LevelAt(one - 1, null));
        Assert.Equal(30f, engine.LevelAt(one + 120, null));
        Assert.Equal(50f, engine.LevelAt(vm + 120, null));
    }

    [Fact]
    public void Saturday_and_festival_nights_stay_at_80_percent_until_two()
    {
        var engine = Example();
        // Saturday 2026-01-17: 80 % from sunset, and the small hours of Sunday still belong to Saturday night.
        Assert.Equal("late-evening", engine.ProfileAt(Local(2026, 1, 17, 21, 0)).Id);
        Assert.Equal(80f, engine.LevelAt(Local(2026, 1, 17, 23, 30), null));
        Assert.Equal(80f, engine.LevelAt(Local(2026, 1, 18, 1, 59), null));
        Assert.Equal(30f, engine.LevelAt(Local(2026, 1, 18, 2, 5), null));
        // Sunday night is an ordinary night again.
        Assert.Equal("residential", engine.ProfileAt(Local(2026, 1, 18, 21, 0)).Id);
        Assert.Equal(30f, engine.LevelAt(Local(2026, 1, 19, 1, 30), null));
        // The August festival, a Wednesday.
        Assert.Equal(80f, engine.LevelAt(Local(2026, 8, 12, 23, 30), null));
        Assert.Equal(80f, engine.LevelAt(Local(2026, 8, 13, 1, 30), null));
        Assert.Equal(30f, engine.LevelAt(Local(2026, 8, 24, 1, 30), null)); // a Monday after the festival
    }

    private const string ThreeThirty = """
        { "schema": 1, "profiles": [ { "id": "p", "points": [
            { "at": "sunset", "level": 100 },
            { "at": "time", "time": "02:00", "level": 70 },
            { "at": "time", "time": "03:30", "level": 40 },
            { "at": "sunrise", "level": 0 } ] } ] }
        """;

    [Fact]
    public void A_switch_point_in_the_spring_forward_gap_takes_effect_once_at_the_gap_end_offset()
    {
        // 2026-03-29: Greek clocks go from 03:00 EET to 04:00 EEST; 03:30 does not exist that night.
        var engine = Engine(ThreeThirty);
        long expected = new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        long two = new DateTimeOffset(2026, 3, 29, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(); // 02:00 EET
        Assert.Equal(100f, engine.LevelAt(two - 1, null));
        Assert.Equal(70f, engine.LevelAt(two, null));
        Assert.Equal(70f, engine.LevelAt(expected - 1, null));
        Assert.Equal(40f, engine.LevelAt(expected, null));
        Assert.Equal(40f, engine.LevelAt(expected + 3600, null));
    }

    [Fact]
    public void A_switch_point_in_the_repeated_autumn_hour_takes_effect_once_at_its_first_occurrence()
    {
        // 2026-10-25: Greek clocks go from 04:00 EEST back to 03:00 EET; 03:30 happens twice.
        var engine = Engine(ThreeThirty);
        long first = new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        long second = first + 3600;
        Assert.Equal(70f, engine.LevelAt(first - 1, null));
        Assert.Equal(40f, engine.LevelAt(first, null));
        Assert.Equal(40f, engine.LevelAt(second, null));
        Assert.Equal(40f, engine.LevelAt(second + 1800, null));
        // 02:00 EEST that night is 23:00 UTC the evening before.
        long two = new DateTimeOffset(2026, 10, 24, 23, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        Assert.Equal(100f, engine.LevelAt(two - 1, null));
        Assert.Equal(70f, engine.LevelAt(two, null));
    }

    [Fact]
    public void Every_level_change_over_the_change_nights_happens_exactly_where_a_point_says()
    {
        foreach (var (y, m, d) in new[] { (2026, 3, 28), (2026, 10, 24) })
        {
            var engine = Engine(ThreeThirty);
            engine.NightBounds(DimmingEngine.Night(y, m, d), out long start, out long end);
            int changes = 0;
            float previous = engine.LevelAt(start, null);
            for (long t = start + 1; t < end; t++)
            {
                float level = engine.LevelAt(t, null);
                if (level != previous) changes++;
                previous = level;
            }
            Assert.Equal(4, changes); // sunset, 02:00, 03:30 (once), sunrise
        }
    }

    [Fact]
    public void The_newest_override_wins_and_expiry_hands_back_to_the_calendar()
    {
        var engine = Example();
        var overrides = new OverrideSet();
        long t0 = Local(2026, 1, 15, 2, 0); // scheduled 30 %
        Assert.Equal(30f, engine.LevelAt(t0, overrides));

        overrides.Add("festival", 100, t0, t0 + 7200, issuedUtc: t0 - 600, "fireworks");
        overrides.Add("accident", 20, t0 + 1800, t0 + 3600, issuedUtc: t0 + 1700, "road closed");
        Assert.Equal(100f, engine.LevelAt(t0, overrides));
        Assert.Equal(20f, engine.LevelAt(t0 + 1800, overrides));     // newer issued wins
        Assert.Equal(20f, engine.LevelAt(t0 + 3599, overrides));
        Assert.Equal(100f, engine.LevelAt(t0 + 3600, overrides));    // its expiry: the older one again
        Assert.Equal(100f, engine.LevelAt(t0 + 7199, overrides));
        Assert.Equal(30f, engine.LevelAt(t0 + 7200, overrides));     // all expired: calendar
        Assert.Equal(30f, engine.ScheduledLevelAt(t0 + 1800));
    }

    [Fact]
    public void Override_that_starts_later_is_not_in_force_before_its_start()
    {
        var engine = Example();
        var overrides = new OverrideSet();
        long t0 = Local(2026, 1, 15, 2, 0);
        overrides.Add("later", 100, t0 + 600, t0 + 1200, issuedUtc: t0, "maintenance");
        Assert.Equal(30f, engine.LevelAt(t0 + 599, overrides));
        Assert.Equal(100f, engine.LevelAt(t0 + 600, overrides));
    }

    [Fact]
    public void Min_level_raises_dim_levels_but_never_turns_an_off_lamp_on()
    {
        var engine = Engine("""
            { "schema": 1, "profiles": [ { "id": "p", "minLevel": 15, "points": [
                { "at": "sunset", "level": 5 }, { "at": "sunrise", "level": 0 } ] } ] }
            """);
        long sunset = Sun(2026, 1, 14).SunsetUtc;
        Assert.Equal(15f, engine.LevelAt(sunset + 10, null));
        Assert.Equal(0f, engine.LevelAt(sunset - 10, null));
        var overrides = new OverrideSet();
        overrides.Add("o", 3, sunset, sunset + 100, sunset, "");
        Assert.Equal(15f, engine.LevelAt(sunset + 10, overrides));
        overrides.Add("off", 0, sunset, sunset + 100, sunset + 1, "");
        Assert.Equal(0f, engine.LevelAt(sunset + 10, overrides));
    }

    [Fact]
    public void Polar_night_keeps_the_profile_running_through_the_dark_day()
    {
        // Longyearbyen, Svalbard: no sunrise from late October to mid February.
        var engine = Engine(File.ReadAllText(Repo.File("docs/examples/igoumenitsa-residential.json")), 78.2232, 15.6267, "CET-1CEST,M3.5.0,M10.5.0/3");
        Assert.Equal(SunDayKind.PolarNight, Sun(2026, 12, 15, 78.2232, 15.6267).Kind);
        engine.NightBounds(DimmingEngine.Night(2026, 12, 15), out long start, out long end);
        for (long t = start; t < end; t += 60) Assert.True(engine.LevelAt(t, null) > 0, $"lamp off at {t} in polar night");
    }

    [Fact]
    public void Under_the_midnight_sun_the_lamp_stays_off()
    {
        var engine = Engine(File.ReadAllText(Repo.File("docs/examples/igoumenitsa-residential.json")), 78.2232, 15.6267, "CET-1CEST,M3.5.0,M10.5.0/3");
        Assert.Equal(SunDayKind.MidnightSun, Sun(2026, 6, 15, 78.2232, 15.6267).Kind);
        engine.NightBounds(DimmingEngine.Night(2026, 6, 15), out long start, out long end);
        for (long t = start; t < end; t += 60) Assert.Equal(0f, engine.LevelAt(t, null));
    }

    [Fact]
    public void Level_is_a_pure_function_of_its_inputs_whatever_order_it_is_asked_in()
    {
        var shared = Example();
        var random = new Random(7);
        long from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        for (int i = 0; i < 400; i++)
        {
            long t = from + (long)(random.NextDouble() * 366 * 86400);
            Assert.Equal(Example().LevelAt(t, null), shared.LevelAt(t, null));
        }
    }

    [Fact]
    public void Steady_state_ticks_allocate_nothing_even_across_nights()
    {
        var engine = Example();
        var overrides = new OverrideSet();
        long t0 = Local(2026, 3, 27, 12, 0);
        overrides.Add("o", 100, t0 + 3600, t0 + 7200, t0, "test");
        for (long t = t0; t < t0 + 60; t++) engine.LevelAt(t, overrides); // warm-up (JIT, static tables)

        long before = GC.GetAllocatedBytesForCurrentThread();
        float sum = 0;
        for (long t = t0; t < t0 + 4 * 86400; t += 5) sum += engine.OutputAt(t, overrides);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(sum > 0);
    }
}
