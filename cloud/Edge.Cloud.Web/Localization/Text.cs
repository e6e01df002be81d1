namespace Edge.Cloud.Web.Localization;

/// <summary>The console's texts: <c>Text.resx</c> (English) and <c>Text.el.resx</c> (Greek), read through
/// <c>IStringLocalizer&lt;Text&gt;</c>.</summary>
public sealed class Text
{
}
