using System;
using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Text.Json;
using System.Threading;
using Edge.Firmware.Lighting;
using Edge.Firmware.Protocol;
using Edge.Firmware.Time;
using Spectre.Console.Cli;

namespace Edge.Cli.Commands;

/// <summary>
/// `edge profile preview`: the night a pole will follow — every switch point in local and UTC time —
/// and the energy it uses against burning at full power from sunset to sunrise.
/// </summary>
public sealed class ProfilePreviewCommand : Command<ProfilePreviewCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("Lighting schedule document (profiles + calendar JSON, see docs/dimming-profiles.md).")]
        public string File { get; init; } = "";

        [CommandOption("--lat <DEGREES>")]
        [Description("Latitude of the pole in degrees, north positive (-90..90).")]
        public double? Latitude { get; init; }

        [CommandOption("--lon <DEGREES>")]
        [Description("Longitude of the pole in degrees, east positive (-180..180).")]
        public double? Longitude { get; init; }

        [CommandOption("--tz <RULE>")]
        [Description("POSIX TZ rule of the node, e.g. EET-2EEST,M3.5.0/3,M10.5.0/4 for Greece (see docs/local-time.md).")]
        public string? Zone { get; init; }

        [CommandOption("--date <YYYY-MM-DD>")]
        [Description("The night to show, named by the date of its evening.")]
        public string? Date { get; init; }

        [CommandOption("--watts <W>")]
        [Description("Lamp power at full output in watts, for the energy figures. Default 60.")]
        [DefaultValue(60.0)]
        public double Watts { get; init; } = 60;

        [CommandOption("--json")]
        [Description("Print the timeline and energy as JSON.")]
        public bool Json { get; init; }

        public override Spectre.Console.ValidationResult Validate()
        {
            if (Latitude is null) return Spectre.Console.ValidationResult.Error("--lat is required");
            if (Longitude is null) return Spectre.Console.ValidationResult.Error("--lon is required");
            if (Zone is null) return Spectre.Console.ValidationResult.Error("--tz is required");
            if (Date is null) return Spectre.Console.ValidationResult.Error("--date is required");
            if (Latitude is < -90 or > 90) return Spectre.Console.ValidationResult.Error($"--lat {Latitude} is out of range -90..90");
            if (Longitude is < -180 or > 180) return Spectre.Console.ValidationResult.Error($"--lon {Longitude} is out of range -180..180");
            if (Watts is <= 0 or > 10000) return Spectre.Console.ValidationResult.Error($"--watts {Watts} is out of range (0, 10000]");
            if (!DateOnly.TryParseExact(Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                return Spectre.Console.ValidationResult.Error($"--date \"{Date}\" is not a date; use YYYY-MM-DD");
            return Spectre.Console.ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        LightingSchedule schedule;
        try
        {
            schedule = LightingScheduleParser.Parse(System.IO.File.ReadAllBytes(settings.File));
        }
        catch (ScheduleFormatException e)
        {
            foreach (var error in e.Errors) Console.Error.WriteLine($"{settings.File}: error: {error}");
            return CliErrors.Invalid;
        }
        catch (JsonFormatException e)
        {
            Console.Error.WriteLine($"{settings.File}: error: {e.Message}");
            return CliErrors.Invalid;
        }
        var zone = PosixTimeZone.Parse(settings.Zone!);
        var date = DateOnly.ParseExact(settings.Date!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var preview = NightPreview.Compute(schedule, settings.Latitude!.Value, settings.Longitude!.Value, zone,
            date, settings.Watts);

        if (settings.Json) Console.WriteLine(JsonSerializer.Serialize(preview, JsonOptions));
        else Print(preview, settings);
        return 0;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private static void Print(NightPreview p, Settings s)
    {
        var console = Console.Out;
        console.WriteLine($"Night of {p.Date:yyyy-MM-dd} ({p.Date.DayOfWeek}) at {s.Latitude}, {s.Longitude} — profile \"{p.Profile}\"");
        console.WriteLine($"Sunset {p.Sunset ?? "none"}   virtual midnight {p.VirtualMidnight ?? "none"}   sunrise {p.Sunrise ?? "none"}");
        if (p.SunNote is not null) console.WriteLine(p.SunNote);
        // Plain aligned columns rather than a box table: the output is pasted into tickets and piped.
        console.WriteLine($"{"Local time",-26}  {"UTC",-20}  {"Level",6}  {"Output",7}  Switch point");
        foreach (var row in p.Timeline)
        {
            console.WriteLine($"{row.Local,-26}  {row.Utc,-20}  {row.Level,4:0.#} %  {row.OutputPercent,5:0.0} %  {row.Point}");
        }
        console.WriteLine($"Energy, {s.Watts:0.#} W lamp: tonight {p.NightWh:0} Wh vs {p.NightFullWh:0} Wh at full power all night ({Saving(p.NightWh, p.NightFullWh)})");
        console.WriteLine($"A year from {p.Date:yyyy-MM-dd}: {p.YearKWh:0.0} kWh vs {p.YearFullKWh:0.0} kWh at full power all night ({Saving(p.YearKWh, p.YearFullKWh)})");
    }

    private static string Saving(double used, double full) =>
        full <= 0 ? "no night" : $"{(used - full) / full * 100:+0;-0;0} %";
}
