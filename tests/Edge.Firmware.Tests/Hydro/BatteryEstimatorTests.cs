using Edge.Firmware.Hydro;

namespace Edge.Firmware.Tests.Hydro;

public class BatteryEstimatorTests
{
    /// <summary>Reference: spend the remaining charge cycle by cycle until none is left (independent of the closed form).</summary>
    private static double SimulatedDays(GaugeConfig c, int mv, int intervalS)
    {
        double fraction = System.Math.Clamp((mv - c.BatteryEmptyMv) / (double)(c.BatteryFullMv - c.BatteryEmptyMv), 0, 1);
        double remainingMas = c.BatteryCapacityMah * fraction * 3600;     // mA·s
        double perCycle = c.ActiveCurrentMa * c.ActiveMsPerSample / 1000.0 + c.SleepCurrentUa / 1000.0 * (intervalS - c.ActiveMsPerSample / 1000.0);
        long cycles = 0;
        double step = 1000; // spend in blocks of 1000 cycles, then finish with single cycles
        while (remainingMas >= perCycle * step) { remainingMas -= perCycle * step; cycles += (long)step; }
        while (remainingMas >= perCycle) { remainingMas -= perCycle; cycles++; }
        return (cycles * intervalS + remainingMas / perCycle * intervalS) / 86400.0;
    }

    [Theory]
    [InlineData(3600, 900)]
    [InlineData(3600, 60)]
    [InlineData(3300, 900)]
    [InlineData(3050, 60)]
    public void Days_remaining_matches_spending_the_charge_cycle_by_cycle(int mv, int interval)
    {
        var c = GaugeConfigs.Parse(GaugeConfigs.Stream);
        float days = BatteryEstimator.DaysRemaining(c, mv, interval);
        double expected = SimulatedDays(c, mv, interval);
        Assert.InRange(days, expected * 0.999, expected * 1.001);
    }

    [Fact]
    public void Fast_sampling_shortens_the_estimate_and_the_gauge_reports_it_at_its_current_rate()
    {
        var c = GaugeConfigs.Parse(GaugeConfigs.Stream);
        Assert.True(BatteryEstimator.DaysRemaining(c, 3500, 60) < BatteryEstimator.DaysRemaining(c, 3500, 900) / 3);
        var g = new Gauge(c, new FakeStorage(), new RecordingEvents());
        g.Submit(1_760_000_400, new[] { 2000, 2000, 2000, 2000, 2000 }, 5);   // level 1000: warning, fast
        g.UpdateBattery(3500);
        Assert.Equal(3500, g.BatteryMillivolts);
        Assert.Equal(BatteryEstimator.DaysRemaining(c, 3500, 60), g.EstimatedDaysRemaining);
        Assert.Equal(0f, BatteryEstimator.DaysRemaining(c, 2900, 60));          // below empty
    }

    [Fact]
    public void Without_a_battery_section_the_estimate_is_unknown()
    {
        var json = GaugeConfigs.Stream.Substring(0, GaugeConfigs.Stream.IndexOf(",\n  \"battery\"", System.StringComparison.Ordinal)) + "\n}";
        var c = GaugeConfigs.Parse(json);
        Assert.False(c.HasBattery);
        Assert.Equal(-1f, BatteryEstimator.DaysRemaining(c, 3500, 900));
    }
}
