using System;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using Edge.Firmware.Lighting;

namespace Edge.Cli.Tests;

/// <summary>`edge sun`, run as a real process: it must print exactly what the node's sun clock computes.</summary>
public class SunCommandTests
{
    private static SunTimes Expected(double lat, double lon, int y, int m, int d)
    {
        var times = new SunTimes();
        SunClock.Compute(lat, lon, y, m, d, times);
        return times;
    }

    private static string Iso(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Field(string text, string name) =>
        text.Split('\n').Select(l => l.TrimEnd('\r')).Single(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            .Substring(name.Length).Trim();

    [Fact]
    public void Prints_sunrise_and_sunset_of_a_normal_day_as_UTC_ISO_instants()
    {
        var result = CliRunner.Run("sun", "--lat", "39.5035", "--lon", "20.2655", "--date", "2026-06-21");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.StandardError);
        var expected = Expected(39.5035, 20.2655, 2026, 6, 21);
        Assert.Equal(Iso(expected.SunriseUtc), Field(result.StandardOutput, "sunrise"));
        Assert.Equal(Iso(expected.SunsetUtc), Field(result.StandardOutput, "sunset"));
        Assert.Equal("normal", Field(result.StandardOutput, "day"));
        Assert.Matches(@"^2026-06-21T\d\d:\d\d:\d\dZ$", Field(result.StandardOutput, "sunrise"));
    }

    [Theory]
    [InlineData("78.2232", "15.6267", "2026-12-21", "polar-night", "polar night")]
    [InlineData("78.2232", "15.6267", "2026-06-21", "midnight-sun", "midnight sun")]
    [InlineData("-78.2", "-166", "2026-06-21", "polar-night", "polar night")]
    public void Prints_none_and_the_reason_on_polar_days(string lat, string lon, string date, string kind, string reason)
    {
        var result = CliRunner.Run("sun", "--lat", lat, "--lon", lon, "--date", date);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(kind, Field(result.StandardOutput, "day"));
        Assert.Equal($"none ({reason})", Field(result.StandardOutput, "sunrise"));
        Assert.Equal($"none ({reason})", Field(result.StandardOutput, "sunset"));
    }

    [Fact]
    public void Json_output_is_one_object_with_the_days_events()
    {
        var result = CliRunner.Run("sun", "--lat", "39.5035", "--lon", "20.2655", "--date", "2026-12-21", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var root = json.RootElement;
        var expected = Expected(39.5035, 20.2655, 2026, 12, 21);
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal("2026-12-21", root.GetProperty("date").GetString());
        Assert.Equal(39.5035, root.GetProperty("latitude").GetDouble());
        Assert.Equal(20.2655, root.GetProperty("longitude").GetDouble());
        Assert.Equal("normal", root.GetProperty("kind").GetString());
        Assert.Equal(Iso(expected.SunriseUtc), root.GetProperty("sunrise").GetString());
        Assert.Equal(Iso(expected.SunsetUtc), root.GetProperty("sunset").GetString());
        Assert.Equal(Iso(expected.SolarNoonUtc), root.GetProperty("solarNoon").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("sunriseNoneReason").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("sunsetNoneReason").ValueKind);
    }

    [Fact]
    public void Json_output_on_a_polar_night_has_null_events_and_the_reason()
    {
        var result = CliRunner.Run("sun", "--lat", "78.2232", "--lon", "15.6267", "--date", "2026-12-21", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var root = json.RootElement;
        Assert.Equal("polar-night", root.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("sunrise").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("sunset").ValueKind);
        Assert.Equal("polar night", root.GetProperty("sunriseNoneReason").GetString());
        Assert.Equal("polar night", root.GetProperty("sunsetNoneReason").GetString());
    }

    [Theory]
    [InlineData(new[] { "sun" }, "--lat")]
    [InlineData(new[] { "sun", "--lat", "39.5", "--lon", "20.3" }, "--date")]
    [InlineData(new[] { "sun", "--lat", "39.5", "--lon", "20.3", "--date", "2026-06-21", "--latt", "1" }, "--latt")]
    public void Missing_or_unknown_options_are_usage_errors(string[] args, string named)
    {
        var result = CliRunner.Run(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.StandardOutput);
        Assert.Contains(named, result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError); // no stack trace
    }

    [Theory]
    [InlineData("95", "20", "2026-06-21", "--lat")]
    [InlineData("-90.5", "20", "2026-06-21", "--lat")]
    [InlineData("abc", "20", "2026-06-21", "--lat")]
    [InlineData("39,5", "20", "2026-06-21", "--lat")]
    [InlineData("39.5", "180.5", "2026-06-21", "--lon")]
    [InlineData("39.5", "NaN", "2026-06-21", "--lon")]
    [InlineData("39.5", "20", "2026-02-30", "--date")]
    [InlineData("39.5", "20", "21/06/2026", "--date")]
    [InlineData("39.5", "20", "2100-01-01", "--date")]
    public void Invalid_values_exit_1_with_a_message_naming_the_option(string lat, string lon, string date, string named)
    {
        var result = CliRunner.Run("sun", "--lat", lat, "--lon", lon, "--date", date);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("", result.StandardOutput);
        Assert.StartsWith("edge: " + named, result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError);
    }

    [Fact]
    public void Sun_help_lists_every_option_with_a_description()
    {
        var result = CliRunner.Run("sun", "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var option in new[] { "--lat", "--lon", "--date", "--json" })
        {
            var line = result.StandardOutput.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith(option, StringComparison.Ordinal));
            Assert.True(line != null, option + " missing from help:\n" + result.StandardOutput);
            Assert.True(line!.Trim().Length > option.Length + 15, option + " has no description: " + line);
        }
    }

    [Fact]
    public void Edge_help_lists_the_sun_command()
    {
        var result = CliRunner.Run("--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.StandardOutput.Split('\n'), l => l.TrimStart().StartsWith("sun ", StringComparison.Ordinal) && l.Contains("sunrise"));
    }
}
