using System;
using System.Collections.Generic;
using System.Linq;
using Edge.Firmware.Hydro;

namespace Edge.Firmware.Tests.Hydro;

/// <summary>
/// A flash flood must not look like a bird: replayed series (the node samples on its own schedule) of
/// rises faster than <c>spike.maxRateMmPerMin</c>, against birds and spray. Expected times come from the
/// noiseless series and the documented rule (a state within <c>confirmSamples</c> fast intervals of the
/// first sample at or above its level), not from recorded output.
/// </summary>
public class FlashFloodTests
{
    private const long T0 = 1_760_000_400;
    private const double BaseLevel = 200;
    private const double RiseStartMinute = 74; // a minute before a calm wake (every 15 minutes)

    /// <summary>The standard stream config (allowance 200 mm/min, fast 60 s, calm 900 s) on a taller mast, so a fast rise can last minutes.</summary>
    private static string Config(int confirmSamples = 1) => GaugeConfigs.Stream
        .Replace("\"mountingHeightMm\": 3000", "\"mountingHeightMm\": 9000")
        .Replace("\"maxRangeMm\": 5000, \"noEchoMm\": 5000", "\"maxRangeMm\": 10000, \"noEchoMm\": 10000")
        .Replace("\"confirmSamples\": 1", $"\"confirmSamples\": {confirmSamples}");

    private sealed record Sample(long Time, double Minute, double TrueLevel, SampleOutcome Outcome, int ReportedLevel);

    /// <summary>A disturbance: replaces the levels of the first samples taken at or after <paramref name="minute"/> (a bird, spray), one per sample.</summary>
    private sealed class Disturbance(double minute, params double[] levels)
    {
        private int _start = -1;

        public double? At(int sample, double sampleMinute)
        {
            if (_start < 0 && sampleMinute >= minute) _start = sample;
            int i = sample - _start;
            return _start >= 0 && i < levels.Length ? levels[i] : null;
        }
    }

    /// <summary>
    /// Replays <paramref name="trueLevel"/> (minute → mm) with ±8 mm ripple until <paramref name="endMinute"/>,
    /// sampling when the gauge asks to; each disturbance replaces a sample's level for the whole burst.
    /// </summary>
    private static (Gauge Gauge, RecordingEvents Events, List<Sample> Log) Replay(
        Func<double, double> trueLevel, double endMinute, int confirmSamples = 1, params Disturbance[] disturbances)
    {
        var events = new RecordingEvents();
        var gauge = new Gauge(GaugeConfigs.Parse(Config(confirmSamples)), new FakeStorage(), events);
        var log = new List<Sample>();
        var readings = new int[5];
        long now = T0;
        while (now < T0 + (long)(endMinute * 60))
        {
            double minute = (now - T0) / 60.0;
            double level = trueLevel(minute);
            foreach (var d in disturbances) level = d.At(log.Count, minute) ?? level;
            int distance = gauge.Config.MountingHeightMm - (int)Math.Round(level);
            for (int i = 0; i < readings.Length; i++) readings[i] = distance + StormSensor.Noise(now, i);
            var outcome = gauge.Submit(now, readings, readings.Length);
            log.Add(new Sample(now, minute, trueLevel(minute), outcome, gauge.LevelMm));
            now = gauge.NextSampleAt;
        }
        return (gauge, events, log);
    }

    private static Func<double, double> SteadyRise(double mmPerMinute, double minutes, double start = RiseStartMinute) => m =>
        m < start ? BaseLevel : BaseLevel + mmPerMinute * Math.Min(m - start, minutes);

    /// <summary>While the water moves, the reported level is never older than the previous sample: at most one fast interval.</summary>
    private static void AssertNeverMoreThanOneSampleBehind(List<Sample> log, double from, double to, int sign)
    {
        for (int i = 1; i < log.Count; i++)
        {
            if (log[i].Minute <= from || log[i].Minute > to) continue;
            double behind = sign * (log[i - 1].TrueLevel - log[i].ReportedLevel);
            Assert.True(behind <= 10, $"minute {log[i].Minute}: reported {log[i].ReportedLevel}, the water was at {log[i - 1].TrueLevel:F0} a sample earlier");
        }
    }

    private static double FirstSampleAtOrAbove(List<Sample> log, int level) => log.First(s => s.TrueLevel >= level).Minute;

    private static double Entered(RecordingEvents events, FloodState state) =>
        (events.States.First(s => s.To >= state).Time - T0) / 60.0;

    [Theory]
    [InlineData(250, 8)]
    [InlineData(600, 5)]
    [InlineData(1500, 4)]
    public void A_sustained_rise_faster_than_the_allowance_reaches_each_state_within_one_fast_interval(int mmPerMinute, int minutes)
    {
        var (gauge, events, log) = Replay(SteadyRise(mmPerMinute, minutes), RiseStartMinute + minutes + 30);

        foreach (var (state, level) in new[] { (FloodState.Watch, 500), (FloodState.Warning, 800), (FloodState.Alarm, 1100) })
        {
            double seen = FirstSampleAtOrAbove(log, level);
            double entered = Entered(events, state);
            Assert.True(entered >= seen, $"{state} entered at minute {entered}, before the water got there ({seen})");
            Assert.True(entered <= seen + 1, $"{state} entered at minute {entered}; the water was first seen there at minute {seen}");
        }
        double crest = RiseStartMinute + minutes;
        Assert.True(Entered(events, FloodState.Alarm) < crest, "the alarm must come before the crest, not at it");
        Assert.Equal(0, gauge.Rejected(RejectReason.Spike)); // no sample of a flood is thrown away as a bird
        AssertNeverMoreThanOneSampleBehind(log, RiseStartMinute, crest, +1);
        Assert.Equal(FloodState.Alarm, gauge.State);
    }

    [Fact]
    public void A_sustained_fall_faster_than_the_allowance_is_followed_too()
    {
        // A tank drained fast, or the water behind a flood wave: 800 mm/min down from 5,000 mm.
        Func<double, double> fall = m => m < RiseStartMinute ? 5000 : Math.Max(BaseLevel, 5000 - 800 * (m - RiseStartMinute));
        var (gauge, _, log) = Replay(fall, RiseStartMinute + 15);
        AssertNeverMoreThanOneSampleBehind(log, RiseStartMinute, RiseStartMinute + 15, -1);
        Assert.Equal(0, gauge.Rejected(RejectReason.Spike));
    }

    [Fact]
    public void A_bird_on_a_calm_day_is_dropped()
    {
        var (gauge, events, log) = Replay(_ => BaseLevel, 24 * 60, disturbances: new Disturbance(180, 2200));
        Assert.Contains(log, s => s.Minute == 180 && s.Outcome == SampleOutcome.Held);
        Assert.Empty(events.States);
        Assert.All(log, s => Assert.InRange(s.ReportedLevel, BaseLevel - 10, BaseLevel + 10));
        Assert.Equal(1, gauge.Rejected(RejectReason.Spike));
        Assert.Equal(900, gauge.NextSampleAt - log[^1].Time); // calm again afterwards
    }

    [Fact]
    public void A_bird_during_a_slow_rise_is_dropped_and_the_rise_goes_on()
    {
        // 80 mm/min (within the allowance) for 15 minutes; a bird on the first sample after the water reaches watch.
        const double start = 73;
        var rise = SteadyRise(80, 15, start);
        double watchAt = start + (500 - BaseLevel) / 80;
        var (gauge, events, log) = Replay(rise, start + 40, disturbances: new Disturbance(watchAt, 2500));
        Assert.Equal(SampleOutcome.Held, log.First(s => s.Minute >= watchAt).Outcome);
        Assert.Equal(1, gauge.Rejected(RejectReason.Spike));
        Assert.All(log, s => Assert.True(s.ReportedLevel <= rise(s.Minute) + 10, $"minute {s.Minute}: reported {s.ReportedLevel}"));
        Assert.Equal(new[] { FloodState.Normal, FloodState.Watch, FloodState.Warning, FloodState.Alarm }, events.StateSequence());
        Assert.InRange(events.States.Single(s => s.To == FloodState.Alarm).Level, 1100, 1100 + 80 + 10);
    }

    [Fact]
    public void A_bird_right_after_a_held_sample_of_a_fast_rise_raises_nothing_the_water_has_not_reached()
    {
        // 250 mm/min: the first rise sample is held, and a bird sits under the sensor on the very next one. It
        // lies on the same side and further away, but in a leap no rising water makes: it must not be taken for
        // the flood (it would read as alarm while the water is below warning).
        var rise = SteadyRise(250, 8);
        var (gauge, events, log) = Replay(rise, RiseStartMinute + 30, disturbances: new Disturbance(RiseStartMinute + 1.5, 2500));
        Assert.Equal(SampleOutcome.Held, log.First(s => s.Minute > RiseStartMinute).Outcome);
        foreach (var change in events.States)
        {
            int threshold = change.To switch { FloodState.Watch => 500, FloodState.Warning => 800, FloodState.Alarm => 1100, _ => int.MinValue };
            double minute = (change.Time - T0) / 60.0;
            Assert.True(rise(minute) >= threshold, $"{change.To} at minute {minute}: the water was at {rise(minute):F0} mm");
        }
        // The flood itself is delayed by the bird, by two fast intervals at most.
        Assert.InRange(Entered(events, FloodState.Alarm), FirstSampleAtOrAbove(log, 1100), FirstSampleAtOrAbove(log, 1100) + 2);
        Assert.Equal(FloodState.Alarm, gauge.State);
    }

    [Fact]
    public void Spray_bursts_of_two_erratic_samples_are_dropped()
    {
        // Spray scatters the echo: two implausible readings, the second coming back towards the water by more
        // than the allowance, then the water again. Three bursts on a calm day.
        var (gauge, events, _) = Replay(_ => BaseLevel, 6 * 60, disturbances:
            [new Disturbance(60, 1900, 1200), new Disturbance(120, 1500, 700), new Disturbance(180, 2400, 900)]);
        Assert.Equal(6, gauge.Rejected(RejectReason.Spike));
        Assert.Empty(events.States);
    }

    [Fact]
    public void With_two_confirming_samples_any_two_sample_burst_is_dropped_and_a_flash_flood_costs_two_fast_intervals()
    {
        var (calm, calmEvents, _) = Replay(_ => BaseLevel, 4 * 60, confirmSamples: 2, new Disturbance(60, 900, 1600));
        Assert.Equal(2, calm.Rejected(RejectReason.Spike));
        Assert.Empty(calmEvents.States);

        var (flood, events, log) = Replay(SteadyRise(1500, 4), RiseStartMinute + 30, confirmSamples: 2);
        double seen = FirstSampleAtOrAbove(log, 1100);
        Assert.InRange(Entered(events, FloodState.Alarm), seen, seen + 2);
        Assert.Equal(0, flood.Rejected(RejectReason.Spike));
    }
}
