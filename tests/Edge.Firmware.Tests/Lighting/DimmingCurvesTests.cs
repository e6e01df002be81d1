using System;
using Edge.Firmware.Lighting;

namespace Edge.Firmware.Tests.Lighting;

public class DimmingCurvesTests
{
    [Theory]
    // IEC 62386-102 arc power → light output (%), from the standard's formula X(n) = 10^((n-1)/(253/3) - 1).
    [InlineData(1, 0.100)]
    [InlineData(86, 1.018)]
    [InlineData(128, 3.206)]
    [InlineData(170, 10.09)]
    [InlineData(229, 50.53)]
    [InlineData(254, 100.0)]
    public void Arc_power_follows_the_DALI_logarithmic_curve(int arcPower, double percent)
    {
        Assert.Equal(percent, DimmingCurves.ArcPowerToPercent(arcPower), percent * 0.002);
    }

    [Fact]
    public void Level_ends_map_to_off_minimum_arc_power_and_full()
    {
        Assert.Equal(0, DimmingCurves.LevelToArcPower(0));
        Assert.Equal(254, DimmingCurves.LevelToArcPower(100));
        Assert.Equal(0f, DimmingCurves.ToOutput(0, DimmingCurve.Logarithmic));
        Assert.Equal(1f, DimmingCurves.ToOutput(100, DimmingCurve.Logarithmic));
        Assert.Equal(0f, DimmingCurves.ToOutput(0, DimmingCurve.Linear));
        Assert.Equal(1f, DimmingCurves.ToOutput(100, DimmingCurve.Linear));
    }

    [Fact]
    public void Logarithmic_half_level_is_a_few_percent_of_light()
    {
        // 50 % on the perceptual scale is arc power 127.5: 10^0.5 ≈ 3.16 % of full output.
        Assert.Equal(Math.Pow(10, 0.5) / 100, DimmingCurves.ToOutput(50, DimmingCurve.Logarithmic), 5);
        Assert.Equal(0.37f, DimmingCurves.ToOutput(37, DimmingCurve.Linear), 5);
    }

    [Fact]
    public void Tabulated_curve_matches_the_formula_between_whole_percents_and_rises_monotonically()
    {
        float previous = 0;
        for (float level = 0.25f; level <= 100; level += 0.25f)
        {
            float output = DimmingCurves.ToOutput(level, DimmingCurve.Logarithmic);
            double exact = DimmingCurves.ArcPowerToPercent(DimmingCurves.LevelToArcPower(level)) / 100;
            Assert.True(Math.Abs(output - exact) <= exact * 0.01, $"level {level}: {output} vs {exact}");
            Assert.True(output > previous);
            previous = output;
        }
    }
}
