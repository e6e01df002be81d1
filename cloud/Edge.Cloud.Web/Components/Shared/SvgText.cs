using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Components;

namespace Edge.Cloud.Web.Components.Shared;

/// <summary>SVG labels for the server-drawn charts and maps. Razor reserves <c>&lt;text&gt;</c>, so a label is
/// written as markup, its content HTML-encoded (a node called <c>&lt;script&gt;</c> stays text).</summary>
public static class SvgText
{
    public static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    public static MarkupString Label(string cssClass, double x, double y, string text, string anchor = "start") =>
        new($"<text class=\"{cssClass}\" x=\"{N(x)}\" y=\"{N(y)}\" text-anchor=\"{anchor}\">{WebUtility.HtmlEncode(text)}</text>");
}
