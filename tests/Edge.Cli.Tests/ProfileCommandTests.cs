using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Edge.Firmware.Lighting;
using Edge.Firmware.Time;

namespace Edge.Cli.Tests;

/// <summary>`edge profile check` and `edge profile preview`, run as real processes.</summary>
public class ProfileCommandTests
{
    private const string Greece = "EET-2EEST,M3.5.0/3,M10.5.0/4";

    private static string Example => Path.Combine(RepoRoot(), "docs", "examples", "igoumenitsa-residential.json");

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Edge.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }

    private static string Temp(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), "edge-profile-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Check_accepts_a_valid_schedule_with_exit_0()
    {
        var result = CliRunner.Run("profile", "check", Example);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("valid", result.StandardOutput);
        Assert.Contains("\"residential\" (5 points)", result.StandardOutput);
    }

    [Fact]
    public void Check_lists_every_problem_with_its_place_and_exits_1()
    {
        var file = Temp("""
            { "schema": 1, "profiles": [ { "id": "p", "points": [ { "at": "dusk", "level": 140 } ] } ] }
            """);
        var result = CliRunner.Run("profile", "check", file);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("profiles[0].points[0].at: unknown trigger \"dusk\"", result.StandardOutput);
        Assert.Contains("profiles[0].points[0].level: 140 is out of range 0..100", result.StandardOutput);
    }

    [Fact]
    public void Check_reports_broken_json_with_line_and_column()
    {
        var file = Temp("{\n \"schema\": 1,\n \"profiles\": [\n");
        var result = CliRunner.Run("profile", "check", file);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("invalid JSON at line 4", result.StandardOutput);
    }

    [Fact]
    public void Check_of_a_missing_file_says_so()
    {
        var result = CliRunner.Run("profile", "check", "/nonexistent/schedule.json");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("schedule.json", result.StandardError);
    }

    [Fact]
    public void Preview_prints_the_nights_switch_points_as_the_engine_computes_them()
    {
        var result = CliRunner.Run("profile", "preview", Example, "--lat", "39.5035", "--lon", "20.2655",
            "--tz", Greece, "--date", "2026-01-14", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var doc = JsonDocument.Parse(result.StandardOutput);
        var root = doc.RootElement;
        Assert.Equal("residential", root.GetProperty("profile").GetString());
        var timeline = root.GetProperty("timeline").EnumerateArray().ToArray();
        Assert.Equal(5, timeline.Length);

        // Independently: sunset of the evening, sunrise of the morning, from the sun clock.
        var evening = new SunTimes();
        SunClock.Compute(39.5035, 20.2655, 2026, 1, 14, evening);
        var morning = new SunTimes();
        SunClock.Compute(39.5035, 20.2655, 2026, 1, 15, morning);
        string Iso(long t) => DateTimeOffset.FromUnixTimeSeconds(t).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        Assert.Equal(Iso(evening.SunsetUtc), timeline[0].GetProperty("utc").GetString());
        Assert.Equal(Iso(morning.SunriseUtc), timeline[4].GetProperty("utc").GetString());
        Assert.Equal(Iso(morning.SunriseUtc - 1800), timeline[3].GetProperty("utc").GetString());
        Assert.Equal("2026-01-14T23:00:00Z", timeline[2].GetProperty("utc").GetString()); // 01:00 EET
        Assert.StartsWith("2026-01-15 01:00:00 +02:00", timeline[2].GetProperty("local").GetString());
        Assert.Equal(new[] { 100f, 50f, 30f, 100f, 0f }, timeline.Select(r => r.GetProperty("level").GetSingle()).ToArray());

        // Energy: less than full power all night, and full power is the dark hours at 60 W.
        double full = root.GetProperty("nightFullWh").GetDouble();
        Assert.Equal(60.0 * (morning.SunriseUtc - evening.SunsetUtc) / 3600, full, 3);
        double used = root.GetProperty("nightWh").GetDouble();
        Assert.InRange(used, 0.2 * full, 0.8 * full);
        Assert.True(root.GetProperty("yearKWh").GetDouble() < root.GetProperty("yearFullKWh").GetDouble());
    }

    [Fact]
    public void Preview_text_shows_local_and_utc_times_and_the_energy()
    {
        var result = CliRunner.Run("profile", "preview", Example, "--lat", "39.5035", "--lon", "20.2655",
            "--tz", Greece, "--date", "2026-08-15", "--watts", "60");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("profile \"late-evening\"", result.StandardOutput);
        Assert.Contains("2026-08-16 02:00:00 +03:00", result.StandardOutput);
        Assert.Contains("2026-08-15T23:00:00Z", result.StandardOutput);
        Assert.Contains("at full power all night", result.StandardOutput);
        Assert.Contains("A year from 2026-08-15", result.StandardOutput);
    }

    [Theory]
    [InlineData("--lat", "95", "--lat 95 is out of range")]
    [InlineData("--date", "2026-02-30", "is not a date")]
    [InlineData("--tz", "EET-2EEST,M3.5", "TZ rule")]
    public void Preview_rejects_bad_options_clearly(string option, string value, string expected)
    {
        var args = new[] { "profile", "preview", Example, "--lat", "39.5", "--lon", "20.3", "--tz", Greece, "--date", "2026-01-14" }.ToList();
        int i = args.IndexOf(option);
        args[i + 1] = value;
        var result = CliRunner.Run(args.ToArray());
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expected, result.StandardError);
    }

    [Fact]
    public void Help_lists_the_profile_commands_and_their_options()
    {
        var help = CliRunner.Run("profile", "preview", "--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var option in new[] { "--lat", "--lon", "--tz", "--date", "--watts", "--json" })
            Assert.Contains(option, help.StandardOutput);
        var branch = CliRunner.Run("profile", "--help");
        Assert.Contains("check", branch.StandardOutput);
        Assert.Contains("preview", branch.StandardOutput);
    }
}
