using System.ComponentModel;
using System.Threading;
using Spectre.Console.Cli;

namespace Edge.Cli.Commands;

/// <summary>STUB — being implemented: `edge sun`.</summary>
public sealed class SunCommand : Command<SunCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--lat <DEGREES>")]
        [Description("Latitude in degrees, north positive.")]
        public double? Latitude { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        return 0;
    }
}
