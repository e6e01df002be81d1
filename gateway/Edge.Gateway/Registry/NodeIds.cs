using System.Text.RegularExpressions;

namespace Edge.Gateway.Registry;

/// <summary>Identifier and type rules of protocol.md §2.1 and §6.1.</summary>
public static partial class NodeIds
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    public static bool IsValidId(string? value) => value is not null && IdPattern().IsMatch(value);

    public static bool IsValidType(string? value) => value is "streetlight" or "waterlevel" or "busstop";
}
