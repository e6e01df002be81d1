using System;
using Edge.Firmware.Hydro;

namespace Edge.Firmware.Tests.Hydro;

public class GaugeAllocationTests
{
    private sealed class StormLoopSensor : IDistanceSensor
    {
        public long Now;
        private int _i;
        public int ReadDistanceMm()
        {
            _i++;
            long minute = Now / 60 % 1440;                           // one storm a day
            if (minute >= 700 && minute < 706) return 0;             // a dropout
            if (minute == 300 && _i % 5 == 0) return 120;            // a web strand
            if (minute % 97 == 0) return 900;                        // a bird, now and then
            int level = minute < 600 ? 200 : minute < 620 ? 200 + (int)(minute - 600) * 60 : minute < 660 ? 1400 : Math.Max(200, 1400 - (int)(minute - 660) * 8);
            return 3000 - level + (_i * 7 % 11) - 5;
        }
    }

    [Fact]
    public void Thousands_of_samples_through_storms_allocate_nothing()
    {
        var config = GaugeConfigs.Parse(GaugeConfigs.Stream);
        var events = new CountingEvents();
        var gauge = new Gauge(config, new FakeStorage(), events);
        var sensor = new StormLoopSensor();
        long now = 1_760_000_400;
        void Step()
        {
            sensor.Now = now;
            gauge.Sample(now, sensor);
            gauge.UpdateBattery(3400);
            now = gauge.NextSampleAt;
        }
        for (int i = 0; i < 200; i++) Step();                       // warm-up: first writes, JIT

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20000; i++) Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        // The loop really went through storms, filters and state changes.
        Assert.True(events.StateChanges > 20, $"{events.StateChanges} state changes");
        Assert.True(events.RateChanges > 4);
        Assert.True(events.HealthChanges > 4);
        Assert.True(gauge.Rejected(RejectReason.Spike) > 0);
        Assert.True(gauge.Rejected(RejectReason.NoEcho) > 0);
    }
}
