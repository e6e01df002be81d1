using System;
using System.ComponentModel;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using Edge.Firmware.Lighting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Edge.Cli.Commands;

/// <summary>
/// `edge sun`: a day's official sunrise and sunset for a place, computed by the very code a node runs
/// (<see cref="SunClock"/>), so a technician can see what a pole will do.
/// </summary>
public sealed class SunCommand : Command<SunCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        // Values are taken as text and parsed here, so a malformed number is reported as an invalid
        // value (exit 1) with the option named, not as a usage error.
        [CommandOption("--lat <DEGREES>")]
        [Description("Latitude in decimal degrees, north positive, -90..90 (e.g. 39.5035).")]
        public string? Latitude { get; init; }

        [CommandOption("--lon <DEGREES>")]
        [Description("Longitude in decimal degrees, east positive, -180..180 (e.g. 20.2655).")]
        public string? Longitude { get; init; }

        [CommandOption("--date <YYYY-MM-DD>")]
        [Description("The date whose solar day (centred on local solar noon) to compute, 1901-01-01..2099-12-31.")]
        public string? Date { get; init; }

        [CommandOption("--json")]
        [Description("Print one JSON object instead of text.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            string missing = (Latitude is null ? " --lat" : "") + (Longitude is null ? " --lon" : "") + (Date is null ? " --date" : "");
            return missing.Length == 0
                ? ValidationResult.Success()
                : ValidationResult.Error("sun: missing option(s):" + missing + " (see `edge sun --help`)");
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (context.Remaining.Raw.Count > 0 || context.Remaining.Parsed.Count > 0)
        {
            // Spectre.Console.Cli keeps unknown options aside; a typo must not be ignored silently.
            var unknown = context.Remaining.Parsed.Select(g => g.Key).Concat(context.Remaining.Raw);
            Console.Error.WriteLine("edge: sun: unknown argument(s): " + string.Join(" ", unknown) + " (see `edge sun --help`)");
            return CliErrors.Usage;
        }
        double latitude = ParseDegrees("--lat", settings.Latitude!, 90);
        double longitude = ParseDegrees("--lon", settings.Longitude!, 180);
        if (!DateOnly.TryParseExact(settings.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw new FormatException($"--date: '{settings.Date}' is not a date in the form yyyy-MM-dd");
        }
        if (date.Year < SunClock.MinYear || date.Year > SunClock.MaxYear)
        {
            throw new ArgumentException($"--date: {settings.Date} is outside {SunClock.MinYear}-01-01..{SunClock.MaxYear}-12-31, the range the sun clock is valid for");
        }

        var times = new SunTimes();
        SunClock.Compute(latitude, longitude, date.Year, date.Month, date.Day, times);

        var report = new SunReport(
            Date: date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Latitude: latitude,
            Longitude: longitude,
            Kind: KindName(times.Kind),
            Sunrise: times.HasSunrise ? Iso(times.SunriseUtc) : null,
            SunriseNoneReason: times.HasSunrise ? null : NoEventReason(times),
            Sunset: times.HasSunset ? Iso(times.SunsetUtc) : null,
            SunsetNoneReason: times.HasSunset ? null : NoEventReason(times),
            SolarNoon: Iso(times.SolarNoonUtc));

        if (settings.Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(report, JsonOptions));
        }
        else
        {
            Console.Out.WriteLine($"date        {report.Date}");
            Console.Out.WriteLine($"latitude    {latitude.ToString(CultureInfo.InvariantCulture)}");
            Console.Out.WriteLine($"longitude   {longitude.ToString(CultureInfo.InvariantCulture)}");
            Console.Out.WriteLine($"day         {report.Kind}");
            Console.Out.WriteLine($"sunrise     {report.Sunrise ?? "none (" + report.SunriseNoneReason + ")"}");
            Console.Out.WriteLine($"solar noon  {report.SolarNoon}");
            Console.Out.WriteLine($"sunset      {report.Sunset ?? "none (" + report.SunsetNoneReason + ")"}");
        }
        return 0;
    }

    /// <summary>The JSON shape of `edge sun --json`.</summary>
    public sealed record SunReport(string Date, double Latitude, double Longitude, string Kind,
        string? Sunrise, string? SunriseNoneReason, string? Sunset, string? SunsetNoneReason, string SolarNoon);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    private static double ParseDegrees(string option, string text, double limit)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new FormatException($"{option}: '{text}' is not a number of degrees (use a decimal point, e.g. 39.5035)");
        }
        if (value < -limit || value > limit)
        {
            throw new ArgumentException($"{option}: {text} is out of range -{limit}..{limit} degrees");
        }
        return value;
    }

    private static string KindName(SunDayKind kind) => kind switch
    {
        SunDayKind.PolarNight => "polar-night",
        SunDayKind.MidnightSun => "midnight-sun",
        _ => "normal",
    };

    // Why an event is missing: the sun never comes up (polar night), or it is still up at the solar
    // midnight that bounds the day (midnight sun, including the first and last days of that season).
    private static string NoEventReason(SunTimes times) =>
        times.Kind == SunDayKind.PolarNight ? "polar night" : "midnight sun";

    private static string Iso(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
