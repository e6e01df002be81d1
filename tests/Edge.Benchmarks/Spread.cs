using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Edge.Benchmarks;

/// <summary>
/// Figures with their spread: a benchmark repeats its A/B rounds, and every figure (and every A/B ratio, taken per
/// round) is reported as the median with the min–max over the rounds, never as one run. The raw results go to a JSON
/// file together with the machine and its load before and after, so a figure in the docs can be traced to its run.
/// </summary>
public static class Spread
{
    public sealed record Summary(double Median, double Min, double Max, int Rounds)
    {
        public string Text(string format) => $"{Median.ToString(format, CultureInfo.InvariantCulture)} [{Min.ToString(format, CultureInfo.InvariantCulture)}–{Max.ToString(format, CultureInfo.InvariantCulture)}]";
    }

    public static Summary Of(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) throw new ArgumentException("no values", nameof(values));
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Summary(median, sorted[0], sorted[^1], sorted.Length);
    }

    /// <summary>The machine as the run saw it: cores, CPU model, OS, the load average, and what the operator says about other load.</summary>
    public static Dictionary<string, object?> Machine(string? note) => new()
    {
        ["utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["cores"] = Environment.ProcessorCount,
        ["cpu"] = ReadFirst("/proc/cpuinfo", "model name"),
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        ["loadavg"] = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null,
        ["note"] = note,
    };

    /// <summary>Writes <paramref name="report"/> as indented JSON under artifacts/benchmarks and returns the path.</summary>
    public static string Write(string name, object report, string? path)
    {
        path ??= Path.Combine("artifacts", "benchmarks", $"{name}-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    /// <summary>The value of <c>--name value</c>, or null.</summary>
    public static string? Option(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

    static string? ReadFirst(string file, string key)
    {
        if (!File.Exists(file)) return null;
        var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line?.Split(':', 2)[1].Trim();
    }
}
