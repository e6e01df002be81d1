using System;
using System.Globalization;
using System.Linq;
using Spectre.Console.Cli;

namespace Edge.Cli;

/// <summary>Argument checks every command shares.</summary>
public static class CliArguments
{
    /// <summary>Spectre.Console.Cli keeps unknown options aside; a typo must not be ignored silently (exit 2).</summary>
    public static void RejectUnknown(CommandContext context, string command)
    {
        if (context.Remaining.Raw.Count == 0 && context.Remaining.Parsed.Count == 0) return;
        var unknown = context.Remaining.Parsed.Select(g => g.Key).Concat(context.Remaining.Raw);
        throw new UsageException(command + ": unknown argument(s): " + string.Join(" ", unknown) + " (see `edge " + command + " --help`)");
    }

    /// <summary>Decimal degrees within ±<paramref name="limit"/>, or null when not given.</summary>
    public static double? Degrees(string option, string? text, double limit)
    {
        if (text is null) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw new FormatException(option + ": '" + text + "' is not a number of degrees (use a decimal point, e.g. 39.5035)");
        if (value < -limit || value > limit) throw new ArgumentException(option + ": " + text + " is out of range -" + limit + ".." + limit + " degrees");
        return value;
    }
}

/// <summary>Wrong usage found while running (exit 2).</summary>
public sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }
}
