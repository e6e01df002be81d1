using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Edge.Firmware.Lighting;

namespace Edge.Firmware.Tests.Lighting;

/// <summary>
/// One row of reference/sun-reference.csv, produced by PyEphem (see generate_sun_reference.py): the
/// sun's events of the solar day centred on the date's local solar noon, or none — at zenith 90.8333°
/// exactly (the sun's centre), and by the USNO upper-limb convention (Limb*) — and how closely the sun
/// grazes the event altitude at noon or a solar midnight that day.
/// </summary>
public sealed record SunReferenceRow(double Latitude, double Longitude, int Year, int Month, int Day,
    long? SunriseUtc, long? SunsetUtc, SunDayKind Kind,
    long? LimbSunriseUtc, long? LimbSunsetUtc, SunDayKind LimbKind, double MarginArcseconds, string Line)
{
    public static IReadOnlyList<SunReferenceRow> Load()
    {
        var rows = new List<SunReferenceRow>();
        foreach (var line in File.ReadAllLines(FindCsv()))
        {
            if (line.StartsWith('#') || line.StartsWith("lat,", StringComparison.Ordinal) || line.Length == 0)
            {
                continue;
            }
            var f = line.Split(',');
            var date = DateOnly.ParseExact(f[2], "yyyy-MM-dd", CultureInfo.InvariantCulture);
            rows.Add(new SunReferenceRow(
                double.Parse(f[0], CultureInfo.InvariantCulture),
                double.Parse(f[1], CultureInfo.InvariantCulture),
                date.Year, date.Month, date.Day,
                ParseInstant(f[3]), ParseInstant(f[4]), ParseKind(f[5]),
                ParseInstant(f[6]), ParseInstant(f[7]), ParseKind(f[8]),
                double.Parse(f[9], CultureInfo.InvariantCulture),
                line));
        }
        return rows;
    }

    private static SunDayKind ParseKind(string text) => text switch
    {
        "normal" => SunDayKind.Normal,
        "polar-night" => SunDayKind.PolarNight,
        "midnight-sun" => SunDayKind.MidnightSun,
        _ => throw new FormatException("unknown kind: " + text),
    };

    private static long? ParseInstant(string text)
    {
        if (text == "none")
        {
            return null;
        }
        var instant = DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal);
        return instant.ToUnixTimeSeconds();
    }

    // The CSV is committed next to its generator; find it from the test binaries up to the repository root.
    private static string FindCsv()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Edge.Firmware.Tests", "Lighting", "reference", "sun-reference.csv");
            if (File.Exists(candidate))
            {
                return candidate;
            }
            dir = dir.Parent;
        }
        throw new FileNotFoundException("sun-reference.csv not found above " + AppContext.BaseDirectory);
    }
}
