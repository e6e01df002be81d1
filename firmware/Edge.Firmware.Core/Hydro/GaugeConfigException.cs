using Edge.Firmware.Protocol;

namespace Edge.Firmware.Hydro;

/// <summary>
/// A gauge configuration document was rejected. <see cref="Errors"/> holds one message per problem,
/// each starting with the JSON path it is about (e.g. <c>thresholds.warning.level: …</c>); the
/// exception message is all of them, one per line.
/// </summary>
public sealed class GaugeConfigException : DocumentRejectedException
{
    public GaugeConfigException(string[] errors) : base(JoinLines(errors), errors)
    {
    }

    private static string JoinLines(string[] lines)
    {
        string text = "";
        for (int i = 0; i < lines.Length; i++)
        {
            text = i == 0 ? lines[i] : text + "\n" + lines[i];
        }
        return text;
    }
}
