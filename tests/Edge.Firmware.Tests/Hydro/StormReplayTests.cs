using System;
using System.Linq;
using Edge.Firmware.Hydro;

namespace Edge.Firmware.Tests.Hydro;

/// <summary>
/// The "done when" storm: the node samples a synthetic storm on its own schedule; the state sequence,
/// the transition times, the sampling intervals and the filters' counts are checked against the
/// noiseless storm curve and the gauge's documented rules, not against recorded output.
/// </summary>
public class StormReplayTests
{
    private const long T0 = 1_760_000_400; // 2025-10-09T09:00:00Z, on a whole quarter hour
    private const double EndMinute = 720;

    private static (Gauge Gauge, RecordingEvents Events, System.Collections.Generic.List<(long Time, long Next, SampleOutcome Outcome)> Log) RunStorm()
    {
        var config = GaugeConfigs.Parse(GaugeConfigs.Stream);
        var events = new RecordingEvents();
        var gauge = new Gauge(config, new FakeStorage(), events);
        var log = StormSensor.Run(() => gauge, T0, EndMinute);
        return (gauge, events, log);
    }

    private static double Minute(long t) => (t - T0) / 60.0;

    /// <summary>First sample time at which the noiseless level is at or above <paramref name="level"/> (rising edge).</summary>
    private static double FirstSampleAtOrAbove(System.Collections.Generic.List<(long Time, long Next, SampleOutcome Outcome)> log, double level) =>
        log.Select(s => Minute(s.Time)).First(m => StormSensor.TrueLevel(m) >= level);

    /// <summary>Minute after the peak from which the noiseless recession stays below <paramref name="level"/>.</summary>
    private static double RecessionBelow(double level) =>
        StormSensor.RecessionStart - StormSensor.RecessionTauMin * Math.Log((level - StormSensor.Base) / (StormSensor.Peak - StormSensor.Base));

    [Fact]
    public void Storm_goes_normal_watch_warning_alarm_and_back_exactly_once()
    {
        var (_, events, _) = RunStorm();
        Assert.Equal(
            new[] { FloodState.Normal, FloodState.Watch, FloodState.Warning, FloodState.Alarm, FloodState.Warning, FloodState.Watch, FloodState.Normal },
            events.StateSequence());
        Assert.All(events.States.Take(3), s => Assert.Equal(StateChangeReason.LevelReachedThreshold, s.Reason));
        Assert.All(events.States.Skip(3), s => Assert.Equal(StateChangeReason.LevelBelowReleaseForDwell, s.Reason));
    }

    [Fact]
    public void Escalations_come_on_the_first_sample_above_each_threshold()
    {
        var (_, events, log) = RunStorm();
        var config = GaugeConfigs.Parse(GaugeConfigs.Stream);
        int[] thresholds = { config.Watch.LevelMm, config.Warning.LevelMm, config.Alarm.LevelMm };
        for (int i = 0; i < 3; i++)
        {
            double expected = FirstSampleAtOrAbove(log, thresholds[i]);
            // ±8 mm of ripple may decide one sample earlier or later at 50 mm/min.
            Assert.InRange(Minute(events.States[i].Time), expected - 1, expected + 1);
            Assert.True(events.States[i].Level >= thresholds[i]);
        }
    }

    [Fact]
    public void De_escalations_wait_for_the_release_level_plus_the_dwell()
    {
        var (_, events, _) = RunStorm();
        var config = GaugeConfigs.Parse(GaugeConfigs.Stream);
        ThresholdConfig[] order = { config.Alarm, config.Warning, config.Watch };
        for (int i = 0; i < 3; i++)
        {
            double expected = RecessionBelow(order[i].ReleaseLevelMm) + order[i].DwellS / 60.0;
            Assert.InRange(Minute(events.States[3 + i].Time), expected - 2, expected + 2);
        }
    }

    [Fact]
    public void Birds_web_stray_echo_stuck_period_and_dropout_are_filtered_and_counted()
    {
        var (gauge, events, log) = RunStorm();
        Assert.Equal(2, gauge.Rejected(RejectReason.Spike));          // two birds, each one held sample
        Assert.Equal(2, gauge.Rejected(RejectReason.TooClose));       // two web readings in one burst
        Assert.Equal(1, gauge.Rejected(RejectReason.TooFar));         // one echo from beyond the bed
        int dropoutSamples = log.Count(s => Minute(s.Time) >= StormSensor.DropoutFrom && Minute(s.Time) < StormSensor.DropoutTo);
        Assert.Equal(dropoutSamples * 5, gauge.Rejected(RejectReason.NoEcho));
        Assert.Equal(dropoutSamples, gauge.Rejected(RejectReason.TooFewReadings));
        // Stuck once the frozen value has lasted the 30-minute stuck window, counted from the first
        // sample that saw it; every sample from then until the sensor recovers is rejected.
        double firstFrozen = log.Select(s => Minute(s.Time)).First(m => m >= StormSensor.StuckFrom);
        int stuckSamples = log.Count(s => Minute(s.Time) >= firstFrozen + 30 && Minute(s.Time) < StormSensor.StuckTo);
        Assert.True(stuckSamples >= 1);
        Assert.Equal(stuckSamples, gauge.Rejected(RejectReason.Stuck));

        Assert.Equal(
            new[] { (SensorHealth.Ok, SensorHealth.Stuck), (SensorHealth.Stuck, SensorHealth.Ok), (SensorHealth.Ok, SensorHealth.Absent), (SensorHealth.Absent, SensorHealth.Ok) },
            events.Health.Select(h => (h.From, h.To)).ToArray());
        Assert.Equal(firstFrozen + 30, Minute(events.Health[0].Time));
        Assert.Equal(log.Select(s => Minute(s.Time)).First(m => m >= StormSensor.StuckTo), Minute(events.Health[1].Time));
        Assert.Equal(StormSensor.DropoutFrom + 2, Minute(events.Health[2].Time)); // the third silent burst
        // The peak was never lost: max level is the true peak within ripple.
        Assert.InRange(gauge.MaxLevelMm, StormSensor.Peak - 8, StormSensor.Peak + 8);
    }

    [Fact]
    public void Rate_of_rise_alarm_is_on_during_the_flash_rise_only()
    {
        var (_, events, _) = RunStorm();
        Assert.Equal(2, events.Rates.Count);
        Assert.True(events.Rates[0].Active);
        Assert.False(events.Rates[1].Active);
        // 50 mm/min: 100 mm within 10 minutes is reached about 2 minutes into the flash rise.
        Assert.InRange(Minute(events.Rates[0].Time), StormSensor.RiseStart + 1, StormSensor.RiseStart + 3);
        // It ends once the rise within the window falls to the clear level: within one window after the
        // peak is reached, or at the first sample after the dropout if that hid the end.
        Assert.InRange(Minute(events.Rates[1].Time), StormSensor.RiseEnd + 1, Math.Max(StormSensor.RiseEnd + 10, StormSensor.DropoutTo));
    }

    [Fact]
    public void Sampling_is_calm_before_the_storm_fast_during_it_and_calm_again_after()
    {
        var (gauge, events, log) = RunStorm();
        long Interval((long Time, long Next, SampleOutcome Outcome) s) => s.Next - s.Time;
        var calm = 900;
        var fast = 60;
        // Before the rain every interval is calm, except right after a held bird.
        foreach (var s in log.Where(s => Minute(s.Time) < StormSensor.OnsetStart))
        {
            Assert.Equal(s.Outcome == SampleOutcome.Held ? fast : calm, Interval(s));
        }
        // The onset (5 mm/min) is noticed at the first calm sample whose true rise since the previous
        // sample, scaled to the 10-minute window, reaches the configured 30 mm; then the node speeds up.
        var calmSamples = log.Where(s => Interval(s) == calm).Select(s => Minute(s.Time)).ToList();
        double expectedFirstFast = log.Select(s => Minute(s.Time))
            .First(m => calmSamples.Any(p => m - p == 15 && (StormSensor.TrueLevel(m) - StormSensor.TrueLevel(p)) * 10 / 15 >= 30));
        var firstFast = log.First(s => Interval(s) == fast && s.Outcome != SampleOutcome.Held);
        Assert.Equal(expectedFirstFast, Minute(firstFast.Time));
        Assert.True(expectedFirstFast > StormSensor.OnsetStart && expectedFirstFast <= StormSensor.OnsetStart + 30);
        // From then on, through watch/warning/alarm and back to normal, every interval is fast.
        double normalAgain = Minute(events.States.Last().Time);
        Assert.All(log.Where(s => Minute(s.Time) >= expectedFirstFast && Minute(s.Time) < normalAgain), s => Assert.Equal(fast, Interval(s)));
        // The tail of the recession is slow: calm again before the end.
        Assert.Equal(calm, Interval(log.Last()));
        Assert.Equal(FloodState.Normal, gauge.State);
    }
}
