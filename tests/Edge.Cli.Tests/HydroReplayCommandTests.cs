using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace Edge.Cli.Tests;

/// <summary>Runs the real `edge` executable as a technician would, and captures what it prints.</summary>
internal static class HydroCli
{
    public sealed record Result(int ExitCode, string Out, string Err);

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Edge.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Edge.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static Result Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "edge.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}

public class HydroReplayCommandTests
{
    private static readonly string Examples = Path.Combine("docs", "examples", "hydro");
    private static readonly string StormCsv = Path.Combine(Examples, "storm.csv");
    private static readonly string GaugeJson = Path.Combine(Examples, "gauge.json");

    private static string TempFile(string name, string content)
    {
        var dir = Directory.CreateTempSubdirectory("edge-hydro-");
        var path = Path.Combine(dir.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void The_example_storm_replays_to_the_expected_state_sequence()
    {
        var r = HydroCli.Run("hydro", "replay", StormCsv, "--config", GaugeJson);
        Assert.Equal(0, r.ExitCode);
        var transitions = Regex.Matches(r.Out, @"^(\S+)  (\w+) -> (\w+)  level (-?\d+) mm", RegexOptions.Multiline)
            .Select(m => m.Groups[2].Value + "->" + m.Groups[3].Value).ToArray();
        Assert.Equal(new[] { "normal->watch", "watch->warning", "warning->alarm", "alarm->warning", "warning->watch", "watch->normal" }, transitions);
        Assert.Contains("rate-of-rise alarm on", r.Out);
        Assert.Contains("sensor stuck", r.Out);
        Assert.Contains("sensor absent", r.Out);
        // The summary accounts for every row of the file.
        int dataRows = File.ReadAllLines(Path.Combine(HydroCli.RepoRoot, StormCsv)).Skip(1).Count(l => l.Length > 0);
        Assert.Contains($"rows:      {dataRows - 2} read", r.Out);
        Assert.Contains("2 bad (skipped)", r.Out);
        Assert.Matches(@"rejected samples:  too few readings 10, spike 2, stuck \d+", r.Out);
        Assert.Matches(@"time in state: normal \d+h \d\dm, watch \d+h \d\dm, warning \d+h \d\dm, alarm \d+h \d\dm", r.Out);
    }

    [Fact]
    public void Each_transition_line_carries_time_level_and_reason()
    {
        var r = HydroCli.Run("hydro", "replay", StormCsv, "--config", GaugeJson);
        var line = r.Out.Split('\n').First(l => l.Contains("normal -> watch"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  normal -> watch  level \d+ mm  \(reached the watch level 500 mm\)", line);
        var release = r.Out.Split('\n').First(l => l.Contains("watch -> normal"));
        Assert.Contains("(below 450 mm (watch 500 − hysteresis 50) for 600 s)", release);
    }

    [Fact]
    public void Bad_rows_are_reported_with_their_line_number_and_skipped()
    {
        var csv = TempFile("series.csv", string.Join("\n",
            "timestamp,distance_mm",
            "2025-10-09T06:00:00Z,2800",
            "2025-10-09T06:01:00,2800",            // no zone
            "yesterday,2800",
            "2025-10-09T06:02:00Z,lots",
            "2025-10-09T06:03:00+03:00,2800",      // 03:03Z: before the previous row
            "2025-10-09T06:04:00Z,2800,extra",
            "",
            "2025-10-09T06:05:00Z,2400.6",
            "2025-10-09T06:06:00Z,"));
        var r = HydroCli.Run("hydro", "replay", csv, "--config", GaugeJson);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("line 3: timestamp '2025-10-09T06:01:00' is not ISO-8601 with Z or a UTC offset; skipped", r.Err);
        Assert.Contains("line 4: timestamp 'yesterday' is not ISO-8601 with Z or a UTC offset; skipped", r.Err);
        Assert.Contains("line 5: distance 'lots' is not a number of millimetres; skipped", r.Err);
        Assert.Contains("line 6: timestamp 2025-10-09T03:03:00Z is not after the previous row's (2025-10-09T06:00:00Z); skipped", r.Err);
        Assert.Contains("line 7: expected 2 fields (timestamp,distance_mm), found 3; skipped", r.Err);
        Assert.Contains("3 read", r.Out);
        Assert.Contains("5 bad (skipped)", r.Out);
        Assert.Contains("no echo 1", r.Out);                  // the empty distance
    }

    [Fact]
    public void A_file_without_a_header_is_read_from_its_first_line()
    {
        var csv = TempFile("series.csv", "2025-10-09T06:00:00Z,2800\n2025-10-09T06:15:00Z,2801\n");
        var r = HydroCli.Run("hydro", "replay", csv, "--config", GaugeJson);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("2 read", r.Out);
        Assert.Contains("0 bad", r.Out);
    }

    [Fact]
    public void As_scheduled_feeds_only_the_rows_a_sleeping_node_would_have_seen()
    {
        var all = HydroCli.Run("hydro", "replay", StormCsv, "--config", GaugeJson);
        var scheduled = HydroCli.Run("hydro", "replay", StormCsv, "--config", GaugeJson, "--as-scheduled");
        Assert.Equal(0, scheduled.ExitCode);
        int Samples(string output) => int.Parse(Regex.Match(output, @"samples:   (\d+)").Groups[1].Value);
        Assert.True(Samples(scheduled.Out) < Samples(all.Out) / 2);
        Assert.Contains("not sampled (--as-scheduled)", scheduled.Out);
        Assert.Contains("warning -> alarm", scheduled.Out);   // still catches the flood
    }

    [Fact]
    public void An_invalid_config_exits_1_with_every_message()
    {
        var json = File.ReadAllText(Path.Combine(HydroCli.RepoRoot, GaugeJson))
            .Replace("\"level\": 800", "\"level\": 400")
            .Replace("\"burstSize\": 5", "\"burstSize\": 99");
        var config = TempFile("gauge.json", json);
        var r = HydroCli.Run("hydro", "replay", StormCsv, "--config", config);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("thresholds.warning.level: must be above thresholds.watch.level (500)", r.Err);
        Assert.Contains("sensor.burstSize: 99 is out of range 1..15", r.Err);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public void A_missing_config_option_is_a_usage_error_and_help_describes_every_option()
    {
        var r = HydroCli.Run("hydro", "replay", StormCsv);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--config", r.Err);
        var help = HydroCli.Run("hydro", "replay", "--help");
        Assert.Equal(0, help.ExitCode);
        // Help wraps to the console width: compare with whitespace runs collapsed.
        var text = Regex.Replace(help.Out, @"\s+", " ");
        Assert.Contains("The gauge configuration to replay with", text);
        Assert.Contains("Feed only the rows a battery node would have sampled", text);
        Assert.Contains("timestamp,distance_mm", text);
    }

    [Fact]
    public void A_missing_series_file_exits_1()
    {
        var r = HydroCli.Run("hydro", "replay", "no-such-file.csv", "--config", GaugeJson);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no-such-file.csv", r.Err);
    }
}
