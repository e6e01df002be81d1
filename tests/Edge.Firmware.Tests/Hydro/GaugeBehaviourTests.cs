using System;
using System.Linq;
using Edge.Firmware.Hydro;

namespace Edge.Firmware.Tests.Hydro;

public class GaugeBehaviourTests
{
    private const long T0 = 1_760_000_400;

    private static (Gauge, RecordingEvents) NewGauge(string json = GaugeConfigs.Stream)
    {
        var events = new RecordingEvents();
        return (new Gauge(GaugeConfigs.Parse(json), new FakeStorage(), events), events);
    }

    /// <summary>Submits one burst of five readings all at <paramref name="distance"/> ± a ripple.</summary>
    private static SampleOutcome Level(Gauge g, long t, int levelMm, int ripple = 0)
    {
        int d = g.Config.MountingHeightMm - g.Config.DatumOffsetMm - levelMm;
        return g.Submit(t, new[] { d + ripple, d - ripple, d, d + 1, d - 1 }, 5);
    }

    [Theory]
    [InlineData(FloodState.Watch)]
    [InlineData(FloodState.Warning)]
    [InlineData(FloodState.Alarm)]
    public void Noise_around_a_threshold_never_flaps(FloodState state)
    {
        var (g, events) = NewGauge();
        ThresholdConfig t = g.Config.Threshold(state);
        var random = new Random(1234 + (int)state);
        // Climb to just below the threshold, then six hours of ±45 mm noise across it (hysteresis 50).
        long now = T0;
        for (int level = 200; level < t.LevelMm - 45; level += 50, now += 60) Level(g, now, level);
        int before = events.States.Count;
        for (int i = 0; i < 360; i++, now += 60) Level(g, now, t.LevelMm + random.Next(-45, 46));
        var after = events.States.Skip(before).ToList();
        Assert.Single(after);
        Assert.Equal(state, after[0].To);
        Assert.Equal(state, g.State);
    }

    [Fact]
    public void Noise_around_the_release_level_releases_only_after_a_full_dwell_below_it()
    {
        var (g, events) = NewGauge();
        ThresholdConfig watch = g.Config.Watch;
        long now = T0;
        Level(g, now, watch.LevelMm + 20); now += 60;
        Assert.Equal(FloodState.Watch, g.State);
        // Dips below the release level, but back above it every 9 minutes (dwell is 10 minutes).
        for (int i = 0; i < 180; i++, now += 60)
        {
            int level = i % 9 == 8 ? watch.ReleaseLevelMm + 5 : watch.ReleaseLevelMm - 30;
            Level(g, now, level);
        }
        Assert.Single(events.States);
        // Then ten minutes continuously below: exactly one release, when the dwell is complete.
        long firstBelow = now;
        for (int i = 0; i <= 10; i++, now += 60) Level(g, now, watch.ReleaseLevelMm - 30);
        Assert.Equal(2, events.States.Count);
        Assert.Equal(FloodState.Normal, events.States[1].To);
        Assert.Equal(firstBelow + watch.DwellS, events.States[1].Time);
    }

    [Fact]
    public void A_jump_to_far_above_alarm_escalates_in_one_step_and_falls_back_one_state_at_a_time()
    {
        var (g, events) = NewGauge();
        long now = T0;
        Level(g, now, 200); now += 60;
        // Rises 180 mm/min (plausible at 200 mm/min) to far above alarm.
        for (int level = 380; level <= 1400; level += 180, now += 60) Level(g, now, level);
        Assert.Equal(FloodState.Alarm, g.State);
        // A sudden fall to 100 mm (held, then confirmed), then low water: Alarm → Warning → Watch → Normal
        // as each dwell completes (alarm 15 min, warning and watch 10 min, all counted from the fall).
        for (int i = 0; i < 30; i++, now += 60) Level(g, now, 100);
        var down = events.States.Where(s => s.Reason == StateChangeReason.LevelBelowReleaseForDwell).ToList();
        Assert.Equal(new[] { FloodState.Warning, FloodState.Watch, FloodState.Normal }, down.Select(s => s.To));
        Assert.Equal(new[] { FloodState.Alarm, FloodState.Warning, FloodState.Watch }, down.Select(s => s.From));
        // Warning's and watch's dwells were already complete when alarm released: same sample.
        Assert.Equal(down[0].Time, down[1].Time);
        Assert.Equal(down[0].Time, down[2].Time);
    }

    [Fact]
    public void Rate_of_rise_alarms_below_every_threshold_and_clears_with_hysteresis()
    {
        var (g, events) = NewGauge();
        long now = T0;
        // 15 mm/min from 100 mm: 150 mm within 10 minutes, never reaching watch (500).
        int level = 100;
        for (int i = 0; i < 12; i++, now += 60, level += 15) Level(g, now, level);
        Assert.Equal(FloodState.Normal, g.State);
        Assert.True(g.RateOfRiseActive);
        var on = Assert.Single(events.Rates);
        // Independently: the first sample whose level is ≥ 100 mm above some level within the last 10 minutes.
        Assert.Equal(T0 + 60 * (long)Math.Ceiling(100 / 15.0), on.Time);
        Assert.True(g.IsSamplingFast);
        // Level steady: the rise within the window decays and the alarm clears at ≤ 50 mm.
        for (int i = 0; i < 12; i++, now += 60) Level(g, now, level);
        Assert.Equal(2, events.Rates.Count);
        Assert.False(events.Rates[1].Active);
        Assert.True(events.Rates[1].Rise <= 50);
        Assert.Empty(events.States);
    }

    [Fact]
    public void Sampling_interval_is_calm_when_steady_fast_when_rising_held_or_at_watch()
    {
        var (g, _) = NewGauge();
        long now = T0;
        Level(g, now, 200);
        Assert.Equal(now + 900, g.NextSampleAt);
        now = g.NextSampleAt;
        Level(g, now, 204);
        Assert.Equal(now + 900, g.NextSampleAt);                 // ripple is not a rise
        now = g.NextSampleAt;
        Level(g, now, 260);                                      // 56 mm in 15 min = 37 mm per 10 min ≥ 30
        Assert.Equal(now + 60, g.NextSampleAt);
        now = g.NextSampleAt;
        Assert.Equal(SampleOutcome.Held, Level(g, now, 2000));   // a bird: held, and checked a minute later
        Assert.Equal(now + 60, g.NextSampleAt);
        now = g.NextSampleAt;
        Level(g, now, 262);
        Assert.Equal(1, g.Rejected(RejectReason.Spike));
        for (int i = 0; i < 15; i++) { now = g.NextSampleAt; Level(g, now, 262); }
        Assert.Equal(now + 900, g.NextSampleAt);                 // steady again: calm
        now = g.NextSampleAt;
        Level(g, now, 520);                                      // held (jump), then confirmed
        now = g.NextSampleAt;
        Level(g, now, 520);
        Assert.Equal(FloodState.Watch, g.State);
        for (int i = 0; i < 30; i++) { now = g.NextSampleAt; Level(g, now, 520); }
        Assert.Equal(now + 60, g.NextSampleAt);                  // at/above watch: fast even when steady
    }

    [Fact]
    public void A_confirmed_jump_needs_the_configured_number_of_agreeing_samples()
    {
        var (g, _) = NewGauge(GaugeConfigs.Stream.Replace("\"confirmSamples\": 1", "\"confirmSamples\": 3"));
        long now = T0;
        Level(g, now, 200);
        for (int i = 0; i < 3; i++) { now += 60; Assert.Equal(SampleOutcome.Held, Level(g, now, 900)); }
        now += 60;
        Assert.Equal(SampleOutcome.Accepted, Level(g, now, 900));
        Assert.Equal(900, g.LevelMm);
        Assert.Equal(FloodState.Warning, g.State);
        Assert.Equal(0, g.Rejected(RejectReason.Spike));
    }

    [Fact]
    public void Burst_median_ignores_a_minority_of_bad_readings_and_counts_them()
    {
        var (g, _) = NewGauge();
        // 2800 mm is level 200; one no-echo (the sensor's 5000), one inside the blind zone; median of the rest.
        Assert.Equal(SampleOutcome.Accepted, g.Submit(T0, new[] { 2810, 5000, 2790, 120, 2805 }, 5));
        Assert.Equal(3000 - 2805, g.LevelMm);
        Assert.Equal(1, g.Rejected(RejectReason.NoEcho));
        Assert.Equal(1, g.Rejected(RejectReason.TooClose));
        // A majority of bad readings: no sample, and not a sensor absence (something is in front of it).
        Assert.Equal(SampleOutcome.Rejected, g.Submit(T0 + 900, new[] { 100, 150, 3500, 2800, 2801 }, 5));
        Assert.Equal(1, g.Rejected(RejectReason.TooFewReadings));
        Assert.Equal(1, g.Rejected(RejectReason.TooFar));
        Assert.Equal(SensorHealth.Ok, g.Health);
    }

    [Fact]
    public void An_absent_sensor_holds_the_state_and_is_reported_after_the_configured_silent_bursts()
    {
        var (g, events) = NewGauge();
        long now = T0;
        Level(g, now, 900);
        Assert.Equal(FloodState.Warning, g.State);
        for (int i = 1; i <= 3; i++)
        {
            now += 60;
            Assert.Equal(SampleOutcome.Rejected, g.Submit(now, new[] { 0, -1, 5000, 0, 0 }, 5));
            Assert.Equal(i < 3 ? SensorHealth.Ok : SensorHealth.Absent, g.Health);
        }
        for (int i = 0; i < 60; i++) { now += 60; g.Submit(now, new[] { 0, 0, 0, 0, 0 }, 5); }
        Assert.Equal(FloodState.Warning, g.State);                 // no echo is not "the flood went away"
        Assert.Equal(900, g.LevelMm);
        now += 60;
        Level(g, now, 905);
        Assert.Equal(SensorHealth.Ok, g.Health);
        Assert.Equal(new[] { SensorHealth.Absent, SensorHealth.Ok }, events.Health.Select(h => h.To));
    }

    [Fact]
    public void Stuck_detection_can_be_turned_off_for_calm_tanks()
    {
        var (g, events) = NewGauge(GaugeConfigs.Stream.Replace("\"stuckWindowS\": 1800", "\"stuckWindowS\": 0"));
        for (int i = 0; i < 200; i++) g.Submit(T0 + i * 900L, new[] { 2800, 2800, 2800, 2800, 2800 }, 5);
        Assert.Equal(0, g.Rejected(RejectReason.Stuck));
        Assert.Empty(events.Health);
    }

    [Fact]
    public void Tank_mode_measures_from_the_bottom()
    {
        const string tank = """
        {
          "mode": "tank",
          "mountingHeightMm": 4000,
          "sensor": { "minRangeMm": 250, "maxRangeMm": 7000, "stuckWindowS": 0 },
          "thresholds": {
            "watch":   { "level": 3000, "hysteresisMm": 100, "dwellS": 300 },
            "warning": { "level": 3400, "hysteresisMm": 100, "dwellS": 300 },
            "alarm":   { "level": 3700, "hysteresisMm": 50,  "dwellS": 300 }
          }
        }
        """;
        var config = GaugeConfigs.Parse(tank);
        Assert.Equal(GaugeMode.Tank, config.Mode);
        var events = new RecordingEvents();
        var g = new Gauge(config, new FakeStorage(), events);
        g.Submit(T0, new[] { 3100, 3100, 3100, 3100, 3100 }, 5);
        Assert.Equal(900, g.LevelMm);                              // 4000 − 3100 from the bottom
        // Filling at 100 mm/min to 500 mm below the sensor face.
        long now = T0;
        for (int d = 3000; d >= 500; d -= 100) { now += 60; g.Submit(now, new[] { d, d, d, d, d }, 5); }
        Assert.Equal(3500, g.LevelMm);
        Assert.Equal(new[] { FloodState.Normal, FloodState.Watch, FloodState.Warning }, events.StateSequence());
        // The empty tank: distance = the whole mounting height, level 0; a reading past the bottom is rejected.
        now += 60; g.Submit(now, new[] { 4000, 4000, 4000, 4000, 4000 }, 5);
        now += 60; g.Submit(now, new[] { 4000, 4000, 4000, 4000, 4000 }, 5);
        Assert.Equal(0, g.LevelMm);
        now += 60; g.Submit(now, new[] { 4100, 4100, 4100, 4000, 4000 }, 5);
        Assert.Equal(3, g.Rejected(RejectReason.TooFar));
    }

    [Fact]
    public void Stream_datum_offset_shifts_levels_to_the_gauge_board_zero()
    {
        var config = GaugeConfigs.Parse(GaugeConfigs.Stream.Replace("\"datumOffsetMm\": 0", "\"datumOffsetMm\": 150"));
        var g = new Gauge(config, new FakeStorage(), new RecordingEvents());
        g.Submit(T0, new[] { 2900, 2900, 2900, 2900, 2900 }, 5);
        Assert.Equal(3000 - 2900 - 150, g.LevelMm);                // below the datum: negative
    }

    [Fact]
    public void Time_in_each_state_adds_up_to_the_time_sampled()
    {
        var (g, _) = NewGauge();
        long now = T0;
        for (int i = 0; i < 100; i++, now += 60) Level(g, now, i < 30 ? 200 : i < 60 ? 600 : 300);
        long total = Enum.GetValues<FloodState>().Sum(s => g.SecondsInState(s));
        Assert.Equal(99 * 60, total);
        // Watch is entered when the jump to 600 is confirmed (sample 31) and left when the fall to 300,
        // confirmed at sample 61, has lasted the 10-minute dwell (sample 71): 40 one-minute intervals.
        Assert.Equal(40 * 60, g.SecondsInState(FloodState.Watch));
        Assert.Equal(99 * 60 - 40 * 60, g.SecondsInState(FloodState.Normal));
    }
}
