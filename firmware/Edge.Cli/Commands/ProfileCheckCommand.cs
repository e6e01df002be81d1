using System;
using System.ComponentModel;
using System.IO;
using System.Threading;
using Edge.Firmware.Lighting;
using Edge.Firmware.Protocol;
using Spectre.Console.Cli;

namespace Edge.Cli.Commands;

/// <summary>`edge profile check`: validates a lighting schedule exactly as a node would.</summary>
public sealed class ProfileCheckCommand : Command<ProfileCheckCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("Lighting schedule document (profiles + calendar JSON, see docs/dimming-profiles.md).")]
        public string File { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var bytes = System.IO.File.ReadAllBytes(settings.File);
        try
        {
            var schedule = LightingScheduleParser.Parse(bytes);
            Console.WriteLine($"{settings.File}: valid — {Describe(schedule)}");
            return 0;
        }
        catch (ScheduleFormatException e)
        {
            foreach (var error in e.Errors) Console.WriteLine($"{settings.File}: error: {error}");
            return CliErrors.Invalid;
        }
        catch (JsonFormatException e)
        {
            Console.WriteLine($"{settings.File}: error: {e.Message}");
            return CliErrors.Invalid;
        }
    }

    private static string Describe(LightingSchedule schedule)
    {
        var ids = string.Join(", ", Array.ConvertAll(schedule.Profiles, p => $"\"{p.Id}\" ({p.Points.Length} points)"));
        return $"{schedule.Profiles.Length} profile(s): {ids}; {schedule.Rules.Length} calendar rule(s); default \"{schedule.Profiles[schedule.DefaultProfileIndex].Id}\"";
    }
}
