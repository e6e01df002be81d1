using System;
using System.Collections.Generic;
using Edge.Firmware.Lighting;

namespace Edge.Firmware.Tests.Lighting;

public class LampMonitorTests
{
    private const long Start = 1_750_000_000; // a June 2025 instant; only differences matter
    private const float Mains = 230f;

    /// <summary>A monitor, a recording sink and a fake clock advanced by hand.</summary>
    private sealed class Rig
    {
        public readonly RecordingSink Sink = new();
        public readonly LampMonitor Monitor;
        public long Now = Start;

        public Rig(LampMonitorSettings? settings = null)
        {
            Monitor = new LampMonitor(settings ?? new LampMonitorSettings(), Sink);
        }

        /// <summary>One reading at the current time.</summary>
        public void Read(float output, float watts, float volts = Mains)
        {
            Monitor.Update(Now, output, watts, volts);
        }

        /// <summary>Readings every <paramref name="step"/> seconds for <paramref name="seconds"/>, starting one step from now.</summary>
        public void Run(int seconds, float output, float watts, float volts = Mains, int step = 5)
        {
            for (int elapsed = step; elapsed <= seconds; elapsed += step)
            {
                Now += step;
                Read(output, watts, volts);
            }
        }
    }

    private sealed class RecordingSink : ILampFaultSink
    {
        public readonly List<(LampFault Fault, bool Active, long At)> Events = new();
        public void FaultChanged(LampFault fault, bool active, long atUtc) => Events.Add((fault, active, atUtc));
        public List<(LampFault Fault, bool Active, long At)> Of(LampFault fault) => Events.FindAll(e => e.Fault == fault);
    }

    // ---- lamp failure ----------------------------------------------------------------------------

    [Fact]
    public void Lamp_failure_is_raised_once_and_cleared_once()
    {
        var settings = new LampMonitorSettings();
        var rig = new Rig(settings);
        rig.Read(1f, 60f);
        rig.Run(600, 1f, 60f);                 // healthy
        long failedAt = rig.Now + 5;
        rig.Run(1800, 1f, 0.4f);               // lamp dies: driver standby only
        long repairedAt = rig.Now + 5;
        rig.Run(1800, 1f, 59f);                // repaired

        var events = rig.Sink.Of(LampFault.LampFailure);
        Assert.Equal(2, events.Count);
        Assert.Equal((LampFault.LampFailure, true, failedAt), events[0]);
        Assert.Equal((LampFault.LampFailure, false, repairedAt), events[1]);
        Assert.Equal(2, rig.Sink.Events.Count); // nothing else (no dimming failure for a dead lamp)
        Assert.Equal(LampFault.None, rig.Monitor.ActiveFaults);
    }

    [Fact]
    public void Lamp_failure_is_raised_only_after_its_confirmation_time()
    {
        var settings = new LampMonitorSettings();
        var rig = new Rig(settings);
        rig.Read(1f, 60f);
        rig.Run(600, 1f, 60f);
        long failedAt = rig.Now + 5;
        rig.Run(settings.LampFailureConfirmSeconds, 1f, 0f); // bad readings spanning confirm − 5 s
        Assert.Empty(rig.Sink.Events);
        rig.Run(5, 1f, 0f);                                  // now spanning exactly the confirmation time
        Assert.Single(rig.Sink.Events);
        Assert.Equal(failedAt + settings.LampFailureConfirmSeconds, rig.Now);
        Assert.True(rig.Monitor.IsActive(LampFault.LampFailure));
    }

    [Fact]
    public void A_single_odd_reading_neither_raises_nor_clears()
    {
        var rig = new Rig();
        rig.Read(1f, 60f);
        rig.Run(600, 1f, 60f);
        rig.Run(5, 1f, 0f);                    // one dark reading (meter glitch)
        rig.Run(600, 1f, 60f);
        rig.Run(5, 0f, 60f);                   // one reading commanded off but lit
        rig.Run(600, 1f, 60f);
        Assert.Empty(rig.Sink.Events);

        rig.Run(1800, 1f, 0f);                 // really dead
        Assert.Single(rig.Sink.Events);
        rig.Run(5, 1f, 60f);                   // one good reading does not clear it
        rig.Run(600, 1f, 0f);
        Assert.Single(rig.Sink.Events);
        Assert.True(rig.Monitor.IsActive(LampFault.LampFailure));
    }

    [Fact]
    public void A_dead_lamp_stays_failed_through_the_day_instead_of_clearing_every_morning()
    {
        var rig = new Rig();
        rig.Read(1f, 0f);
        rig.Run(3600, 1f, 0f);                 // night: dead
        rig.Run(12 * 3600, 0f, 0f);            // day: commanded off, proves nothing
        rig.Run(3600, 1f, 0f);                 // next night: still dead
        var events = rig.Sink.Of(LampFault.LampFailure);
        Assert.Single(events);
        Assert.True(events[0].Active);
        Assert.Single(rig.Sink.Events);
    }

    [Fact]
    public void The_lamp_gets_the_switch_grace_to_light_after_a_command()
    {
        var settings = new LampMonitorSettings { SwitchGraceSeconds = 300, LampFailureConfirmSeconds = 60 };
        var rig = new Rig(settings);
        rig.Read(0f, 0f);
        rig.Run(3600, 0f, 0f);
        rig.Run(240, 1f, 0f);                  // slow-igniting lamp: dark for 4 min after the command
        rig.Run(3600, 1f, 60f);
        Assert.Empty(rig.Sink.Events);
    }

    // ---- day burner ------------------------------------------------------------------------------

    [Fact]
    public void Day_burner_is_raised_once_and_cleared_only_when_seen_dark_while_commanded_off()
    {
        var rig = new Rig();
        rig.Read(1f, 60f);
        rig.Run(3600, 1f, 60f);                // night
        long stuckFrom = rig.Now + 60 + 5;     // judged once the switch grace has passed
        rig.Run(4 * 3600, 0f, 60f);            // morning: relay stuck, lamp burns
        rig.Run(8 * 3600, 1f, 60f);            // next night: commanded on, cannot tell
        rig.Run(3600, 0f, 60f);                // next morning: still stuck
        long fixedAt = rig.Now + 5;            // same command for hours: no new grace
        rig.Run(3600, 0f, 0f);                 // fixed

        var events = rig.Sink.Of(LampFault.DayBurner);
        Assert.Equal(2, events.Count);
        Assert.Equal((LampFault.DayBurner, true, stuckFrom), events[0]);
        Assert.Equal((LampFault.DayBurner, false, fixedAt), events[1]);
        Assert.Equal(2, rig.Sink.Events.Count);
    }

    // ---- supply loss -----------------------------------------------------------------------------

    [Fact]
    public void Supply_loss_is_raised_once_and_cleared_once_and_suppresses_lamp_failure()
    {
        var rig = new Rig();
        rig.Read(1f, 60f);
        rig.Run(3600, 1f, 60f);
        long lostAt = rig.Now + 5;
        rig.Run(2 * 3600, 1f, 0f, volts: 0f);  // outage: lamp dark, still commanded on
        long backAt = rig.Now + 5;
        rig.Run(3600, 1f, 60f);                // supply back, lamp fine

        Assert.Equal(
            new[] { (LampFault.SupplyLoss, true, lostAt), (LampFault.SupplyLoss, false, backAt) },
            rig.Sink.Events.ToArray());
        Assert.Equal(LampFault.None, rig.Monitor.ActiveFaults);
    }

    [Fact]
    public void A_brown_out_counts_as_supply_loss_and_a_short_dip_does_not()
    {
        var settings = new LampMonitorSettings { SupplyLossConfirmSeconds = 10 };
        var rig = new Rig(settings);
        rig.Read(1f, 60f);
        rig.Run(600, 1f, 60f);
        rig.Run(5, 1f, 0f, volts: 120f);       // one low reading: a dip shorter than the confirmation
        rig.Run(600, 1f, 60f);
        Assert.Empty(rig.Sink.Events);
        rig.Run(15, 1f, 0f, volts: 150f);      // brown-out long enough
        Assert.Equal(LampFault.SupplyLoss, rig.Monitor.ActiveFaults);
    }

    [Fact]
    public void A_lamp_that_is_dead_after_the_supply_returns_is_still_reported()
    {
        var rig = new Rig();
        rig.Read(1f, 60f);
        rig.Run(600, 1f, 60f);
        rig.Run(600, 1f, 0f, volts: 0f);
        rig.Run(1800, 1f, 0f);                 // supply back, lamp does not relight
        Assert.Equal(new[] { LampFault.SupplyLoss, LampFault.SupplyLoss, LampFault.LampFailure },
            rig.Sink.Events.ConvertAll(e => e.Fault).ToArray());
        Assert.Equal(LampFault.LampFailure, rig.Monitor.ActiveFaults);
    }

    [Fact]
    public void Supply_monitoring_can_be_switched_off_for_meters_without_voltage()
    {
        var rig = new Rig(new LampMonitorSettings { SupplyLossBelowVolts = 0f });
        rig.Read(1f, 60f, volts: float.NaN);
        rig.Run(600, 1f, 60f, volts: float.NaN);
        rig.Run(1800, 1f, 0f, volts: 0f);
        Assert.Equal(new[] { LampFault.LampFailure }, rig.Sink.Events.ConvertAll(e => e.Fault).ToArray());
        Assert.Equal(0, rig.Monitor.IgnoredReadings);
    }

    // ---- cycling ---------------------------------------------------------------------------------

    /// <summary>Commanded on throughout; the lamp goes out and relights by itself every <paramref name="halfPeriod"/> seconds.</summary>
    private static void Cycle(Rig rig, int transitions, int halfPeriod)
    {
        bool lit = rig.Monitor.IsLit;
        for (int i = 0; i < transitions; i++)
        {
            lit = !lit;
            rig.Run(halfPeriod, 1f, lit ? 60f : 0f);
        }
    }

    [Fact]
    public void Cycling_is_raised_once_at_the_fourth_transition_within_the_window_and_cleared_once_after_a_quiet_window()
    {
        // Lamp failure confirmation longer than the dark phases, so only cycling shows.
        var settings = new LampMonitorSettings { LampFailureConfirmSeconds = 900 };
        var rig = new Rig(settings);
        rig.Read(1f, 60f);
        rig.Run(600, 1f, 60f);
        long firstTransition = rig.Now + 5;
        Cycle(rig, 3, 300);
        Assert.Empty(rig.Sink.Events);
        long fourth = rig.Now + 5;
        Cycle(rig, 1, 300);
        Assert.Equal(new[] { (LampFault.Cycling, true, fourth) }, rig.Sink.Events.ToArray());
        Assert.True(fourth - firstTransition <= settings.CyclingWindowSeconds);

        Cycle(rig, 20, 300);                   // keeps cycling: no repeat
        Assert.Single(rig.Sink.Events);

        bool litNow = rig.Monitor.IsLit;
        long lastTransition = rig.Now - 295;   // the last Cycle call's first reading
        rig.Run(settings.CyclingWindowSeconds - 300, 1f, litNow ? 60f : 0f);
        Assert.Single(rig.Sink.Events);
        rig.Run(5, 1f, litNow ? 60f : 0f);
        Assert.Equal(2, rig.Sink.Events.Count);
        Assert.Equal((LampFault.Cycling, false, lastTransition + settings.CyclingWindowSeconds), rig.Sink.Events[1]);
        Assert.Equal(LampFault.None, rig.Monitor.ActiveFaults);
    }

    [Fact]
    public void Transitions_spread_wider_than_the_window_are_not_cycling()
    {
        var settings = new LampMonitorSettings { LampFailureConfirmSeconds = 900 };
        var rig = new Rig(settings);
        rig.Read(1f, 60f);
        rig.Run(600, 1f, 60f);
        Cycle(rig, 40, 605);                   // any four transitions span 3 × 605 s > 1800 s
        Assert.Empty(rig.Sink.Of(LampFault.Cycling));
        Assert.Equal(20, rig.Monitor.SwitchOnCount);
    }

    [Fact]
    public void Commanded_switching_is_not_cycling()
    {
        var rig = new Rig();
        rig.Read(0f, 0f);
        for (int i = 0; i < 20; i++)           // a technician toggling the lamp every 2 minutes
        {
            rig.Run(120, 1f, 60f);
            rig.Run(120, 0f, 0f);
        }
        Assert.Empty(rig.Sink.Events);
        Assert.Equal(20, rig.Monitor.SwitchOnCount);
    }

    [Fact]
    public void Cycling_is_not_cleared_by_a_day_commanded_off()
    {
        var settings = new LampMonitorSettings { LampFailureConfirmSeconds = 900 };
        var rig = new Rig(settings);
        rig.Read(1f, 60f);
        rig.Run(600, 1f, 60f);
        Cycle(rig, 6, 300);
        Assert.True(rig.Monitor.IsActive(LampFault.Cycling));
        if (rig.Monitor.IsLit) rig.Run(60, 1f, 0f);
        rig.Run(12 * 3600, 0f, 0f);            // day: off, quiet, proves nothing
        Assert.True(rig.Monitor.IsActive(LampFault.Cycling));
        rig.Run(3600, 1f, 60f);                // night: lit and steady for over a window
        Assert.False(rig.Monitor.IsActive(LampFault.Cycling));
        Assert.Equal(2, rig.Sink.Of(LampFault.Cycling).Count);
    }

    [Fact]
    public void Supply_flicker_is_not_cycling()
    {
        var rig = new Rig();
        rig.Read(1f, 60f);
        rig.Run(600, 1f, 60f);
        for (int i = 0; i < 10; i++)
        {
            rig.Run(5, 1f, 0f, volts: 0f);
            rig.Run(300, 1f, 60f);
        }
        Assert.Empty(rig.Sink.Of(LampFault.Cycling));
    }

    // ---- dimming failure -------------------------------------------------------------------------

    [Fact]
    public void Dimming_failure_is_raised_once_when_power_ignores_the_level_and_cleared_once()
    {
        var settings = new LampMonitorSettings();
        var rig = new Rig(settings);
        rig.Read(1f, 60f);
        rig.Run(3600, 1f, 60f);
        long from = rig.Now + 5 + settings.DimmingSettleSeconds; // judged once the new level settled
        rig.Run(3600, 0.5f, 60f);              // dimmed to 50 %, driver stays at full
        long fixedAt = rig.Now + 5;
        rig.Run(3600, 0.5f, 31f);              // follows again

        Assert.Equal(
            new[] { (LampFault.DimmingFailure, true, from), (LampFault.DimmingFailure, false, fixedAt) },
            rig.Sink.Events.ToArray());
    }

    [Fact]
    public void A_fade_is_not_a_dimming_failure()
    {
        var rig = new Rig();
        rig.Read(1f, 60f);
        rig.Run(600, 1f, 60f);
        // A 30-minute fade from 100 % to 40 %; the driver lags the command by a constant 12 W.
        for (int i = 1; i <= 360; i++)
        {
            float level = 1f - 0.6f * i / 360f;
            rig.Now += 5;
            rig.Read(level, 60f * level + 12f);
        }
        Assert.Empty(rig.Sink.Events);
    }

    [Fact]
    public void The_driver_floor_allowance_keeps_deep_dimming_from_looking_like_a_failure()
    {
        // A driver that never draws less than 20 W when lit; 10 % of 60 W would be 6 W.
        var plain = new Rig(new LampMonitorSettings());
        var floored = new Rig(new LampMonitorSettings { DriverFloorWatts = 20f });
        foreach (var rig in new[] { plain, floored })
        {
            rig.Read(0.1f, 20f);
            rig.Run(3600, 0.1f, 20f);
        }
        Assert.Equal(new[] { LampFault.DimmingFailure }, plain.Sink.Events.ConvertAll(e => e.Fault).ToArray());
        Assert.Empty(floored.Sink.Events);
    }

    [Fact]
    public void Supply_loss_suppresses_dimming_failure()
    {
        var rig = new Rig();
        rig.Read(0.5f, 30f);
        rig.Run(600, 0.5f, 30f);
        rig.Run(3600, 0.5f, 10f, volts: 160f); // brown-out: lamp limps at 10 W
        Assert.Equal(new[] { LampFault.SupplyLoss }, rig.Sink.Events.ConvertAll(e => e.Fault).ToArray());
    }

    // ---- counters --------------------------------------------------------------------------------

    [Fact]
    public void A_night_counts_its_burning_hours_switch_on_and_energy()
    {
        // 17:00 off; 18:00 on at full; 00:00 50 %; 06:00 off; until 08:00. Readings every 5 s.
        var rig = new Rig();
        rig.Read(0f, 0.3f);
        rig.Run(3600 - 5, 0f, 0.3f);
        rig.Run(5, 1f, 60f);                  // reading at 18:00: lit
        rig.Run(6 * 3600 - 5, 1f, 60f);
        rig.Run(6 * 3600, 0.5f, 30f);
        rig.Run(2 * 3600, 0f, 0.3f);

        // Each reading stands for the interval ending at it: lit from 17:59:55 to 05:59:55.
        Assert.Equal(12 * 3600, rig.Monitor.BurningSeconds);
        Assert.Equal(12.0, rig.Monitor.BurningHours);
        Assert.Equal(1, rig.Monitor.SwitchOnCount);
        // 6 h × 60 W + 6 h × 30 W + 3 h × 0.3 W standby (the first reading has no interval).
        double expectedWh = 6 * 60 + 6 * 30 + (3 * 3600 - 5) * 0.3 / 3600;
        Assert.Equal(expectedWh, rig.Monitor.EnergyWh, 9);
    }

    [Fact]
    public void Energy_matches_an_independent_integration_of_noisy_readings()
    {
        var random = new Random(20250611);
        var rig = new Rig();
        double referenceWs = 0;                // plain double sum of power × interval
        long previous = rig.Now;
        rig.Read(1f, 58f);
        for (int i = 0; i < 20000; i++)
        {
            int step = 1 + random.Next(10);    // irregular reading intervals
            float watts = (float)(40 + random.NextDouble() * 25);
            rig.Now += step;
            rig.Read(1f, watts);
            referenceWs += (double)watts * (rig.Now - previous);
            previous = rig.Now;
        }
        // The monitor rounds each reading to the milliwatt: at most 0.5 mW × total seconds off.
        double toleranceWh = 0.0005 * (rig.Now - Start) / 3600;
        Assert.InRange(rig.Monitor.EnergyWh, referenceWs / 3600 - toleranceWh, referenceWs / 3600 + toleranceWh);
    }

    [Fact]
    public void Energy_does_not_drift_over_years()
    {
        // 37.5 W read once a minute for five years: a float accumulator would have stalled long ago.
        var rig = new Rig(new LampMonitorSettings { MaxReadingGapSeconds = 120 });
        rig.Read(1f, 37.5f);
        const long readings = 5L * 365 * 24 * 60;
        for (long i = 0; i < readings; i++)
        {
            rig.Now += 60;
            rig.Read(1f, 37.5f);
        }
        Assert.Equal(readings * 60 * 37_500, rig.Monitor.EnergyMilliwattSeconds);
        Assert.Equal(readings * 60, rig.Monitor.BurningSeconds);
        Assert.Equal(37.5 * readings / 60, rig.Monitor.EnergyWh, 6);
    }

    [Fact]
    public void Switch_ons_count_measured_transitions_with_hysteresis()
    {
        var rig = new Rig();
        rig.Read(1f, 60f);                     // lit at the first reading: not a switch we saw
        Assert.Equal(0, rig.Monitor.SwitchOnCount);
        for (int i = 0; i < 7; i++)
        {
            rig.Run(60, 0f, 0.2f);
            rig.Run(60, 1f, 60f);
        }
        Assert.Equal(7, rig.Monitor.SwitchOnCount);
        // A reading wobbling between the dark (1.5 W) and lit (3 W) thresholds is not switching.
        rig.Run(60, 0f, 0.2f);
        for (int i = 0; i < 50; i++)
        {
            rig.Run(5, 0.05f, 2.9f);
            rig.Run(5, 0.05f, 1.6f);
        }
        Assert.Equal(7, rig.Monitor.SwitchOnCount);
        Assert.False(rig.Monitor.IsLit);
    }

    [Fact]
    public void Burning_time_is_not_counted_while_the_supply_is_lost()
    {
        var rig = new Rig();
        rig.Read(1f, 60f);
        rig.Run(3600, 1f, 60f);
        rig.Run(3600, 1f, 60f, volts: 100f);   // meter says lit, supply says lost: not counted
        rig.Run(3600, 1f, 60f);                // until the supply loss has cleared (10 s confirmation)
        Assert.Equal(2 * 3600 - 10, rig.Monitor.BurningSeconds);
        Assert.Equal(3 * 60.0, rig.Monitor.EnergyWh, 9); // energy is what the meter measured
    }

    [Fact]
    public void Gaps_and_clock_jumps_add_nothing_and_restart_confirmations()
    {
        var settings = new LampMonitorSettings();
        var rig = new Rig(settings);
        rig.Read(1f, 60f);
        rig.Run(600, 1f, 60f);
        rig.Run(100, 1f, 0f);                  // lamp failure pending
        rig.Now += 3600;                       // meter silent for an hour
        rig.Read(1f, 0f);
        rig.Run(100, 1f, 0f);                  // only 100 s of fresh evidence since the gap
        Assert.Empty(rig.Sink.Events);
        Assert.Equal(600, rig.Monitor.BurningSeconds);
        Assert.Equal(600 * 60 / 3600.0, rig.Monitor.EnergyWh, 9);

        rig.Now -= 86400;                      // clock corrected backwards
        rig.Read(1f, 60f);
        Assert.Equal(600, rig.Monitor.BurningSeconds);
        Assert.Equal(600 * 60 / 3600.0, rig.Monitor.EnergyWh, 9);
    }

    [Fact]
    public void Readings_that_are_not_numbers_are_ignored()
    {
        var rig = new Rig();
        rig.Read(1f, 60f);
        rig.Now += 5; rig.Read(1f, float.NaN);
        rig.Now += 5; rig.Read(float.PositiveInfinity, 60f);
        rig.Now += 5; rig.Read(1f, 60f, volts: float.NaN);
        rig.Now += 5; rig.Read(1f, 60f);
        Assert.Equal(3, rig.Monitor.IgnoredReadings);
        Assert.Equal(20, rig.Monitor.BurningSeconds);
        Assert.Empty(rig.Sink.Events);
    }

    [Fact]
    public void Restored_counters_continue_and_restored_faults_are_not_raised_again()
    {
        var rig = new Rig();
        rig.Monitor.Restore(1000, 42, 3_600_000, LampFault.LampFailure);
        rig.Read(1f, 0f);
        rig.Run(3600, 1f, 0f);                 // still dead after the restart
        Assert.Empty(rig.Sink.Events);
        Assert.Equal(LampFault.LampFailure, rig.Monitor.ActiveFaults);
        Assert.Equal(42, rig.Monitor.SwitchOnCount);
        Assert.Equal(1.0, rig.Monitor.EnergyWh, 6);
        Assert.Throws<InvalidOperationException>(() => rig.Monitor.Restore(0, 0, 0, LampFault.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Rig().Monitor.Restore(-1, 0, 0, LampFault.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Rig().Monitor.Restore(0, 0, 0, (LampFault)64));
    }

    // ---- settings --------------------------------------------------------------------------------

    [Fact]
    public void The_default_settings_are_valid()
    {
        Assert.Null(new LampMonitorSettings().Validate());
    }

    public static TheoryData<string, Action<LampMonitorSettings>> BadSettings => new()
    {
        { "ratedWatts", s => s.RatedWatts = 0f },
        { "ratedWatts", s => s.RatedWatts = float.NaN },
        { "driverFloorWatts", s => s.DriverFloorWatts = 60f },
        { "litAboveWatts", s => s.LitAboveWatts = -1f },
        { "litAboveWatts", s => s.LitAboveWatts = 70f },
        { "darkBelowWatts", s => s.DarkBelowWatts = 5f },
        { "switchGraceSeconds", s => s.SwitchGraceSeconds = -1 },
        { "lampFailureBelowFraction", s => s.LampFailureBelowFraction = 1.5f },
        { "lampFailureConfirmSeconds", s => s.LampFailureConfirmSeconds = 0 },
        { "dayBurnerConfirmSeconds", s => s.DayBurnerConfirmSeconds = 0 },
        { "cyclingTransitions", s => s.CyclingTransitions = 1 },
        { "cyclingWindowSeconds", s => s.CyclingWindowSeconds = 10 },
        { "dimmingToleranceFraction", s => s.DimmingToleranceFraction = 0f },
        { "dimmingSettleSeconds", s => s.DimmingSettleSeconds = -5 },
        { "dimmingFailureConfirmSeconds", s => s.DimmingFailureConfirmSeconds = 0 },
        { "supplyLossBelowVolts", s => s.SupplyLossBelowVolts = -1f },
        { "supplyLossConfirmSeconds", s => s.SupplyLossConfirmSeconds = 0 },
        { "maxReadingGapSeconds", s => s.MaxReadingGapSeconds = 0 },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void An_out_of_range_setting_is_rejected_by_name(string name, Action<LampMonitorSettings> spoil)
    {
        var settings = new LampMonitorSettings();
        spoil(settings);
        string? problem = settings.Validate();
        Assert.NotNull(problem);
        Assert.StartsWith(name + ": ", problem);
        var thrown = Assert.Throws<ArgumentException>(() => new LampMonitor(settings, new RecordingSink()));
        Assert.Equal(problem, thrown.Message);
    }

    // ---- allocation ------------------------------------------------------------------------------

    /// <summary>Counts events into fields: allocates nothing, like a node's sink must.</summary>
    private sealed class CountingSink : ILampFaultSink
    {
        public readonly int[] Raised = new int[32];
        public readonly int[] Cleared = new int[32];
        public void FaultChanged(LampFault fault, bool active, long atUtc)
        {
            if (active) Raised[(int)fault]++; else Cleared[(int)fault]++;
        }
    }

    /// <summary>One simulated day in which every fault starts and ends.</summary>
    private static long TroubledDay(LampMonitor monitor, long now)
    {
        void Run(int seconds, float output, float watts, float volts)
        {
            for (int t = 0; t < seconds; t += 5)
            {
                now += 5;
                monitor.Update(now, output, watts, volts);
            }
        }
        Run(3600, 1f, 60f, Mains);
        Run(1800, 1f, 0f, Mains);              // lamp failure
        Run(1800, 1f, 60f, Mains);             // cleared
        Run(3600, 0.5f, 60f, Mains);           // dimming failure
        Run(1800, 0.5f, 30f, Mains);           // cleared
        for (int i = 0; i < 6; i++)            // cycling
        {
            Run(300, 1f, 0f, Mains);
            Run(300, 1f, 60f, Mains);
        }
        Run(3600, 1f, 60f, Mains);             // cycling cleared
        Run(1800, 1f, 0f, 0f);                 // supply loss
        Run(1800, 1f, 60f, Mains);             // cleared
        Run(3600, 0f, 60f, Mains);             // day burner
        Run(3600, 0f, 0f, Mains);              // cleared
        return now;
    }

    [Fact]
    public void Updates_allocate_nothing_including_fault_changes()
    {
        var sink = new CountingSink();
        var monitor = new LampMonitor(new LampMonitorSettings { LampFailureConfirmSeconds = 600 }, sink);
        long now = TroubledDay(monitor, Start); // warm-up: JIT, first calls

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int day = 0; day < 5; day++)
            now = TroubledDay(monitor, now);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        foreach (var fault in new[] { LampFault.LampFailure, LampFault.DayBurner, LampFault.Cycling,
                     LampFault.DimmingFailure, LampFault.SupplyLoss })
        {
            Assert.Equal(6, sink.Raised[(int)fault]);
            Assert.Equal(6, sink.Cleared[(int)fault]);
        }
    }
}
