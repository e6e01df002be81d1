using System;
using System.Collections.Generic;
using System.Linq;
using Edge.Firmware.Hydro;

namespace Edge.Firmware.Tests.Hydro;

public class GaugePersistenceTests
{
    private const long T0 = 1_760_000_400;

    [Fact]
    public void Rebooting_between_samples_through_a_storm_gives_the_same_events_and_schedule()
    {
        var config = GaugeConfigs.Parse(GaugeConfigs.Stream);

        var steadyEvents = new RecordingEvents();
        var steady = new Gauge(config, new FakeStorage(), steadyEvents);
        var steadyLog = StormSensor.Run(() => steady, T0, 720);

        // The same node, but it reboots (a brand-new Gauge restored from storage) before every third
        // sample — in the middle of the stuck period, the rise, the dropout and the recession.
        var storage = new FakeStorage();
        var rebootEvents = new RecordingEvents();
        Gauge current = new Gauge(config, storage, rebootEvents);
        Assert.False(current.Restored);
        int samples = 0;
        int reboots = 0;
        var rebootLog = StormSensor.Run(() =>
        {
            if (samples++ % 3 == 2)
            {
                current = new Gauge(config, storage, rebootEvents);
                Assert.True(current.Restored);
                reboots++;
            }
            return current;
        }, T0, 720);

        Assert.True(reboots > 50);
        Assert.Equal(steadyLog, rebootLog);
        Assert.Equal(steadyEvents.All, rebootEvents.All);
        Assert.Equal(steady.State, current.State);
        Assert.Equal(steady.LevelMm, current.LevelMm);
        Assert.Equal(steady.MaxLevelMm, current.MaxLevelMm);
        Assert.Equal(steady.SampleCount, current.SampleCount);
        foreach (RejectReason r in Enum.GetValues<RejectReason>()) Assert.Equal(steady.Rejected(r), current.Rejected(r));
        foreach (FloodState s in Enum.GetValues<FloodState>()) Assert.Equal(steady.SecondsInState(s), current.SecondsInState(s));
    }

    [Fact]
    public void A_new_datum_moves_the_restored_levels_so_the_next_sample_is_not_held_as_a_spike()
    {
        var storage = new FakeStorage();
        var before = new Gauge(GaugeConfigs.Parse(GaugeConfigs.Stream), storage, new RecordingEvents());
        before.Submit(T0, new[] { 2000, 2000, 2000, 2000, 2000 }, 5);
        Assert.Equal(1000, before.LevelMm);                         // 3000 mounting − 2000 distance − 0 datum

        // The installer's tape says the water is 250 mm higher: the datum moves to −250 (edge node commission
        // --set-datum). The water has not moved; a minute later the sensor reads the same distance.
        var after = new Gauge(GaugeConfigs.Parse(GaugeConfigs.Stream.Replace("\"datumOffsetMm\": 0", "\"datumOffsetMm\": -250")), storage, new RecordingEvents());
        Assert.True(after.Restored);
        after.Submit(T0 + 60, new[] { 2000, 2000, 2000, 2000, 2000 }, 5);
        Assert.Equal(1250, after.LevelMm);                          // at once, not held for a spike of +250 mm/min
        Assert.Equal(0, after.RiseMm);                              // no rise: the remembered levels moved too
        Assert.Equal(1250, after.MaxLevelMm);
        Assert.Equal(0, after.Rejected(RejectReason.Spike));
        Assert.Equal(2, after.SampleCount);
    }

    [Fact]
    public void A_corrupted_record_is_not_restored()
    {
        var config = GaugeConfigs.Parse(GaugeConfigs.Stream);
        var storage = new FakeStorage();
        var g = new Gauge(config, storage, new RecordingEvents());
        g.Submit(T0, new[] { 2000, 2000, 2000, 2000, 2000 }, 5);
        Assert.True(new Gauge(config, storage, new RecordingEvents()).Restored);
        storage.Corrupt(Gauge.StorageKey, 10);
        var fresh = new Gauge(config, storage, new RecordingEvents());
        Assert.False(fresh.Restored);
        Assert.Equal(FloodState.Normal, fresh.State);
        Assert.Equal(0, fresh.SampleCount);
        Assert.Equal(0, fresh.NextSampleAt);                        // sample at once
    }
}
