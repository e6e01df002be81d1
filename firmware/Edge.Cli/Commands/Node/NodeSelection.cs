using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Edge.Cli.Commands.Node;

/// <summary>How `edge node status` and `edge node commission` name their node: an id, or the pole it stands on, within a site.</summary>
public class NodeSelection : CommandSettings
{
    [CommandArgument(0, "[NODE]")]
    [Description("The node id. Omit it to pick the node by --pole.")]
    public string? Node { get; init; }

    [CommandOption("--pole <POLE>")]
    [Description("Pick the node on this pole.")]
    public string? Pole { get; init; }

    [CommandOption("--site <SITE>")]
    [Description("The site (default: the one given to `edge login`).")]
    public string? Site { get; init; }

    public override ValidationResult Validate() =>
        Node is null && Pole is null ? ValidationResult.Error("give a node id or --pole (see --help)") : ValidationResult.Success();
}
