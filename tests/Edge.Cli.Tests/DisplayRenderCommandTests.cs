using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;
using Edge.Firmware.Host.Imaging;
using Edge.Firmware.Transit;

namespace Edge.Cli.Tests;

/// <summary>`edge display render` run as a real subprocess, as an installer or the web UI runs it.</summary>
public class DisplayRenderCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edge-display-" + Guid.NewGuid().ToString("N"));

    public DisplayRenderCommandTests() { Directory.CreateDirectory(_dir); }

    public void Dispose() { Directory.Delete(_dir, recursive: true); }

    private static string Sample(string name, [CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "Edge.Firmware.Tests", "Transit", "Samples", name);

    [Fact]
    public void Renders_the_same_pixels_the_node_draws()
    {
        string png = Path.Combine(_dir, "stop.png");
        var run = DisplayCli.Run("display", "render", Sample("live.json"), "--width", "800", "--height", "480", "--out", png,
            "--at", "2026-11-26T12:40:00Z", "--timetable", Sample("timetable.json"));
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("timetable fallback", run.Stdout);

        byte[] frame = MonoPng.Decode(File.ReadAllBytes(png), out int width, out int height);
        Assert.Equal((800, 480), (width, height));
        // Reference: the firmware core in this process, whole frame at once.
        var display = new StopDisplay(new DisplaySettings(800, 480));
        display.SetContent(new DisplayContentParser().Parse(File.ReadAllBytes(Sample("live.json"))));
        display.SetTimetable(new TimetableParser().Parse(File.ReadAllBytes(Sample("timetable.json"))));
        Assert.True(IsoTime.TryParseInstant("2026-11-26T12:40:00Z", out long at));
        display.Update(at);
        var expected = new byte[display.BytesPerRow * 480];
        display.RenderFrame(expected);
        Assert.Equal(expected, frame);
    }

    [Fact]
    public void Default_instant_is_the_documents_generation_time()
    {
        string png = Path.Combine(_dir, "small.png");
        var run = DisplayCli.Run("display", "render", Sample("live.json"), "--width", "296", "--height", "128", "--out", png);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("live, 3 arrivals", run.Stdout);
        MonoPng.Decode(File.ReadAllBytes(png), out int width, out int height);
        Assert.Equal((296, 128), (width, height));
    }

    [Fact]
    public void An_invalid_document_is_reported_with_its_path_and_exit_code_1()
    {
        string bad = Path.Combine(_dir, "bad.json");
        File.WriteAllText(bad, File.ReadAllText(Sample("live.json")).Replace("\"realtime\": true }", "\"realtime\": 1 }"));
        var run = DisplayCli.Run("display", "render", bad, "--width", "800", "--height", "480", "--out", Path.Combine(_dir, "x.png"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("arrivals[0].realtime: expected true or false", run.Stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "x.png")));
    }

    [Fact]
    public void Missing_or_wrong_options_are_usage_errors()
    {
        var noWidth = DisplayCli.Run("display", "render", Sample("live.json"), "--height", "480", "--out", Path.Combine(_dir, "x.png"));
        Assert.Equal(2, noWidth.ExitCode);
        Assert.Contains("--width", noWidth.Stderr + noWidth.Stdout);
        var badAt = DisplayCli.Run("display", "render", Sample("live.json"), "--width", "800", "--height", "480", "--out", Path.Combine(_dir, "x.png"), "--at", "noon");
        Assert.Equal(1, badAt.ExitCode);
        Assert.Contains("--at", badAt.Stderr);
    }

    [Fact]
    public void Help_describes_the_options()
    {
        var run = DisplayCli.Run("display", "render", "--help");
        Assert.Equal(0, run.ExitCode);
        foreach (string option in new[] { "--width", "--height", "--out", "--at", "--timetable" }) Assert.Contains(option, run.Stdout);
    }
}

/// <summary>Runs edge.dll (copied into this test project's output) as a subprocess and captures its output.</summary>
internal static class DisplayCli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "edge.dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["NO_COLOR"] = "1";
        start.Environment["COLUMNS"] = "200";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new Result(process.ExitCode, stdout, stderr.Result);
    }
}
