using System.Globalization;
using System.Text;

namespace Edge.Gateway.Broker.Exposure;

/// <summary>
/// Makes text chosen by an unauthenticated peer (client id, user name) safe for one log line: control characters
/// (line breaks, terminal escapes) become '?', and anything past <c>maxChars</c> is cut, with the original length
/// noted, so a 64 KB client id cannot turn into a 64 KB log line.
/// </summary>
public static class LogText
{
    public static string Clip(string? text, int maxChars)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var keep = text.Length <= maxChars ? text.Length : maxChars;
        if (keep < text.Length && keep > 0 && char.IsHighSurrogate(text[keep - 1])) keep--; // never split a surrogate pair
        var clipped = new StringBuilder(keep + 24);
        for (var i = 0; i < keep; i++)
        {
            var c = text[i];
            clipped.Append(char.IsControl(c) || c is '\u2028' or '\u2029' ? '?' : c);
        }
        if (keep < text.Length) clipped.Append("…(").Append(text.Length.ToString(CultureInfo.InvariantCulture)).Append(" chars)");
        return clipped.ToString();
    }
}
