using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Edge.Cli.Flash;

/// <summary>One progress line of nanoff's flash writer: the address being written and how far the partition is.</summary>
public readonly record struct NanoffProgress(long Address, double Percent);

/// <summary>
/// Reads what nanoff prints, in the shapes its own source writes them (github nanoframework/nanoFirmwareFlasher,
/// read at baccab8; the device details come from nanoframework/nf-debugger, read at b8f26fb):
/// <list type="bullet">
/// <item>flash progress — <c>EspTool.WriteProgressBar</c>: <c>"\rWriting at 0x{address:X8} [====&gt;   ] {pct,5:F1}% {sent}/{total} bytes..."</c>,
///   one partition at a time, rewritten in place with a carriage return; <c>"Wrote {n} bytes … at 0x{address:X8} in …"</c> when one is done;</item>
/// <item>errors — <c>Program.OutputError</c>: <c>"Error E4005: Failed to open specified COM port."</c> (verbosity normal) or
///   <c>"E4005"</c> alone (minimal), the full code even where the process's exit status keeps only its low 8 bits;</item>
/// <item>file deployment — <c>FileDeploymentManager.DeployAsync</c>: <c>"Deploying file {source} to {destination}..."</c>, then
///   <c>"OK"</c> on the same line, or a new line <c>"Error deploying content file {source} to {destination}"</c>, or (an exception,
///   verbosity normal and above) <c>"Exception deploying content file …"</c>, or nothing; the process exits 0 in every case;</item>
/// <item>device details (<c>--nanodevice --devicedetails</c>) — nf-debugger <c>NanoFrameworkDeviceInfo.ToString</c>: a line
///   <c>"Assemblies:"</c>, one <c>"  {name}, {version}"</c> per managed assembly, a blank line, then <c>"Native Assemblies:"</c>
///   with <c>"  {name} v{version}, checksum 0x…"</c>; a device still in nanoBooter prints its target info instead.</item>
/// </list>
/// </summary>
public static partial class NanoffOutput
{
    [GeneratedRegex(@"^Writing at 0x(?<address>[0-9A-Fa-f]{8}) \[[=> ]*\]\s*(?<percent>\d{1,3}\.\d)% \d+/\d+ bytes\.\.\.")]
    private static partial Regex ProgressLine();

    [GeneratedRegex(@"^(?:Error )?E(?<code>\d{4})(?::|\s*$)", RegexOptions.Multiline)]
    private static partial Regex ErrorLine();

    /// <summary>A progress line (one carriage-return segment of nanoff's output), or null for any other line.</summary>
    public static NanoffProgress? Progress(string segment)
    {
        var m = ProgressLine().Match(segment.Trim());
        if (!m.Success) return null;
        return new NanoffProgress(long.Parse(m.Groups["address"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            double.Parse(m.Groups["percent"].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>The error code nanoff printed (4005 for "Error E4005: …"), or null when it printed none.</summary>
    public static int? ReportedCode(string output)
    {
        int? code = null;
        foreach (Match m in ErrorLine().Matches(output)) code = int.Parse(m.Groups["code"].Value, CultureInfo.InvariantCulture);
        return code;
    }

    /// <summary>
    /// Why the file deployment of <paramref name="files"/> (source, destination) failed, or null when nanoff wrote
    /// "OK" after each of them: a file with an error line, or with neither (an exception at quiet verbosity).
    /// </summary>
    public static string? FileDeploymentFailure(string output, IEnumerable<(string Source, string Destination)> files)
    {
        foreach (var (source, destination) in files)
        {
            string started = "Deploying file " + source + " to " + destination + "...";
            int at = output.IndexOf(started, StringComparison.Ordinal);
            if (at < 0) return "nanoff did not start deploying " + source + " to " + destination;
            if (string.CompareOrdinal(output, at + started.Length, "OK", 0, 2) == 0) continue;
            string suffix = " content file " + source + " to " + destination;
            if (output.Contains("Error deploying" + suffix, StringComparison.Ordinal)) return "the device refused " + destination + " (Error deploying" + suffix + ")";
            return "nanoff did not confirm " + destination + (output.Contains("Exception deploying" + suffix, StringComparison.Ordinal) ? " (Exception deploying" + suffix + ")" : "");
        }
        return null;
    }

    /// <summary>The managed assemblies the device lists (the names of the "Assemblies:" section), in its order.</summary>
    public static IReadOnlyList<string> ManagedAssemblies(string output)
    {
        var names = new List<string>();
        bool inside = false;
        foreach (string raw in output.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (!inside)
            {
                inside = line == "Assemblies:";
                continue;
            }
            if (!line.StartsWith("  ", StringComparison.Ordinal) || line.Trim().Length == 0) break;
            int comma = line.IndexOf(',', StringComparison.Ordinal);
            names.Add((comma > 0 ? line[..comma] : line).Trim());
        }
        return names;
    }
}
