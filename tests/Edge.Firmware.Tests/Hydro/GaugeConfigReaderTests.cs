using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Firmware.Hydro;
using Edge.Firmware.Protocol;

namespace Edge.Firmware.Tests.Hydro;

public class GaugeConfigReaderTests
{
    /// <summary>The valid stream config with one field replaced (or removed when <paramref name="valueJson"/> is null).</summary>
    private static string With(string dottedPath, string? valueJson, string baseJson = GaugeConfigs.Stream)
    {
        var root = JsonNode.Parse(baseJson)!.AsObject();
        var parts = dottedPath.Split('.');
        JsonObject parent = root;
        foreach (var part in parts[..^1]) parent = parent[part]!.AsObject();
        if (valueJson is null) parent.Remove(parts[^1]);
        else parent[parts[^1]] = JsonNode.Parse(valueJson);
        return root.ToJsonString();
    }

    private static string[] Errors(string json) =>
        Assert.Throws<GaugeConfigException>(() => GaugeConfigReader.Parse(Encoding.UTF8.GetBytes(json))).Errors;

    [Fact]
    public void The_documented_example_parses_with_every_value()
    {
        var c = GaugeConfigs.Parse(GaugeConfigs.Stream);
        Assert.Equal(GaugeMode.Stream, c.Mode);
        Assert.Equal(3000, c.MountingHeightMm);
        Assert.Equal(5000, c.NoEchoMm);
        Assert.Equal(1800, c.StuckWindowS);
        Assert.Equal(800, c.Warning.LevelMm);
        Assert.Equal(1050, c.Alarm.ReleaseLevelMm);
        Assert.Equal(900, c.Alarm.DwellS);
        Assert.Equal(50, c.RiseClearMm);
        Assert.Equal(60, c.FastIntervalS);
        Assert.True(c.HasBattery);
        Assert.Equal(19000, c.BatteryCapacityMah);
    }

    [Fact]
    public void Optional_sections_take_documented_defaults()
    {
        const string minimal = """
        { "mountingHeightMm": 3000,
          "thresholds": { "watch": { "level": 500, "hysteresisMm": 50, "dwellS": 600 },
                          "warning": { "level": 800, "hysteresisMm": 50, "dwellS": 600 },
                          "alarm": { "level": 1100, "hysteresisMm": 50, "dwellS": 900 } } }
        """;
        var c = GaugeConfigs.Parse(minimal);
        Assert.Equal(GaugeMode.Stream, c.Mode);
        Assert.Equal(5, c.BurstSize);
        Assert.Equal(900, c.CalmIntervalS);
        Assert.Equal(60, c.FastIntervalS);
        Assert.Equal(100, c.RiseMm);
        Assert.Equal(50, c.RiseClearMm);                            // half of riseMm
        Assert.Equal(-1, c.NoEchoMm);
        Assert.False(c.HasBattery);
    }

    [Theory]
    [InlineData("mode", "\"river\"", "mode: must be \"stream\" or \"tank\"")]
    [InlineData("mountingHeightMm", null, "mountingHeightMm: required")]
    [InlineData("mountingHeightMm", "2.5", "mountingHeightMm: must be a whole number")]
    [InlineData("mountingHeightMm", "\"3000\"", "mountingHeightMm: must be a whole number")]
    [InlineData("mountingHeightMm", "99", "mountingHeightMm: 99 is out of range 100..50000")]
    [InlineData("mountingHeightMm", "280", "mountingHeightMm: must be above sensor.minRangeMm (300), or the sensor could never see the water")]
    [InlineData("datumOffsetMm", "3000", "datumOffsetMm: must be below mountingHeightMm (3000)")]
    [InlineData("sensor", "[]", "sensor: must be an object")]
    [InlineData("sensor.minRangeMm", "-1", "sensor.minRangeMm: -1 is out of range 0..50000")]
    [InlineData("sensor.maxRangeMm", "300", "sensor.maxRangeMm: must be above sensor.minRangeMm (300)")]
    [InlineData("sensor.noEchoMm", "1500", "sensor.noEchoMm: 1500 is a distance where water can be; the sensor's no-echo value must lie outside the measurable range")]
    [InlineData("sensor.burstSize", "16", "sensor.burstSize: 16 is out of range 1..15")]
    [InlineData("sensor.burstSize", "0", "sensor.burstSize: 0 is out of range 1..15")]
    [InlineData("sensor.stuckWindowS", "600", "sensor.stuckWindowS: must be 0 (off) or at least sampling.calmIntervalS (900)")]
    [InlineData("sensor.absentAfterSamples", "0", "sensor.absentAfterSamples: 0 is out of range 1..1000")]
    [InlineData("sensor.colour", "1", "sensor.colour: unknown field")]
    [InlineData("spike.maxRateMmPerMin", "0", "spike.maxRateMmPerMin: 0 is out of range 1..100000")]
    [InlineData("spike.confirmSamples", "11", "spike.confirmSamples: 11 is out of range 1..10")]
    [InlineData("thresholds", null, "thresholds: required (watch, warning and alarm)")]
    [InlineData("thresholds.watch", "5", "thresholds.watch: must be an object")]
    [InlineData("thresholds.watch.level", null, "thresholds.watch.level: required")]
    [InlineData("thresholds.watch.hysteresisMm", null, "thresholds.watch.hysteresisMm: required (use 0 for none)")]
    [InlineData("thresholds.alarm.dwellS", null, "thresholds.alarm.dwellS: required (use 0 for none)")]
    [InlineData("thresholds.alarm.dwellS", "86401", "thresholds.alarm.dwellS: 86401 is out of range 0..86400")]
    [InlineData("thresholds.warning.hysteresisMm", "-5", "thresholds.warning.hysteresisMm: -5 is out of range 0..100000")]
    [InlineData("thresholds.warning.level", "500", "thresholds.warning.level: must be above thresholds.watch.level (500)")]
    [InlineData("thresholds.alarm.level", "800", "thresholds.alarm.level: must be above thresholds.warning.level (800)")]
    [InlineData("thresholds.alarm.level", "2800", "thresholds.alarm.level: 2800 is above the highest level the sensor can measure (2700 = mountingHeightMm − sensor.minRangeMm − datumOffsetMm)")]
    [InlineData("thresholds.warning.hysteresisMm", "300", "thresholds.warning.hysteresisMm: 300 would put the release level at or below thresholds.watch.level (500); must be less than 300")]
    [InlineData("thresholds.watch.hysteresisMm", "500", "thresholds.watch.hysteresisMm: 500 would put the release level at or below the lowest level the sensor can measure (0); must be less than 500")]
    [InlineData("thresholds.watch.level", "-10", "thresholds.watch.level: must be above the lowest level the sensor can measure (0)")]
    [InlineData("thresholds.severe", "{}", "thresholds.severe: unknown field")]
    [InlineData("rateOfRise.riseMm", "0", "rateOfRise.riseMm: 0 is out of range 1..100000")]
    [InlineData("rateOfRise.windowS", "59", "rateOfRise.windowS: 59 is out of range 60..86400")]
    [InlineData("rateOfRise.clearMm", "100", "rateOfRise.clearMm: must be below rateOfRise.riseMm (100)")]
    [InlineData("sampling.calmIntervalS", "30", "sampling.calmIntervalS: 30 is out of range 60..86400")]
    [InlineData("sampling.fastIntervalS", "5", "sampling.fastIntervalS: 5 is out of range 10..3600")]
    [InlineData("sampling.fastIntervalS", "1200", "sampling.fastIntervalS: must not exceed sampling.calmIntervalS (900)")]
    [InlineData("sampling.risingMm", "0", "sampling.risingMm: 0 is out of range 1..100000")]
    [InlineData("battery.capacityMah", null, "battery.capacityMah: required")]
    [InlineData("battery.capacityMah", "0", "battery.capacityMah: 0 is out of range 1..10000000")]
    [InlineData("battery.emptyMv", null, "battery.emptyMv: required")]
    [InlineData("battery.fullMv", "3000", "battery.fullMv: must be above battery.emptyMv (3000)")]
    [InlineData("battery.activeCurrentMa", null, "battery.activeCurrentMa: required")]
    [InlineData("battery.activeMsPerSample", "60000", "battery.activeMsPerSample: must be shorter than sampling.fastIntervalS (60 s)")]
    [InlineData("battery.sleepCurrentUa", "0", "battery.sleepCurrentUa: 0 is out of range 1..1000000")]
    [InlineData("battery.voltage", "3", "battery.voltage: unknown field")]
    [InlineData("siren", "true", "siren: unknown field")]
    public void Each_invalid_field_is_rejected_naming_its_path(string path, string? valueJson, string expected)
    {
        var errors = Errors(With(path, valueJson));
        Assert.Contains(expected, errors);
    }

    [Fact]
    public void Tank_mode_rejects_a_datum_offset()
    {
        var json = With("datumOffsetMm", "100", With("mode", "\"tank\""));
        Assert.Equal(new[] { "datumOffsetMm: not used in tank mode (levels are measured from the bottom); remove it" }, Errors(json));
        GaugeConfigs.Parse(With("datumOffsetMm", "0", With("mode", "\"tank\""))); // 0 is harmless
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        var json = With("sensor.burstSize", "40", With("sampling.calmIntervalS", "1", With("thresholds.alarm.level", "700")));
        var errors = Errors(json);
        Assert.True(errors.Length >= 3, string.Join("\n", errors));
        Assert.Contains("sensor.burstSize: 40 is out of range 1..15", errors);
        Assert.Contains("sampling.calmIntervalS: 1 is out of range 60..86400", errors);
        Assert.Contains("thresholds.alarm.level: must be above thresholds.warning.level (800)", errors);
        var e = Assert.Throws<GaugeConfigException>(() => GaugeConfigReader.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(string.Join("\n", errors), e.Message);
    }

    [Fact]
    public void A_field_given_twice_is_rejected()
    {
        var json = GaugeConfigs.Stream.Replace("\"mountingHeightMm\": 3000,", "\"mountingHeightMm\": 3000, \"mountingHeightMm\": 3100,");
        Assert.Contains("mountingHeightMm: given more than once", Errors(json));
    }

    [Theory]
    [InlineData("{ \"mountingHeightMm\": 3000, }", "invalid JSON at line 1, column 29: expected a property name in double quotes")]
    [InlineData("[1]", "(document): must be an object")]
    [InlineData("{} {}", "invalid JSON at line 1, column 4: unexpected data after the end of the document")]
    public void Broken_documents_are_rejected_with_a_position(string json, string expected)
    {
        var e = Assert.Throws<GaugeConfigException>(() => GaugeConfigReader.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.True(e.Errors.Contains(expected), string.Join(" / ", e.Errors));
        Assert.IsAssignableFrom<JsonFormatException>(e);
    }
}
