using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Edge.Cloud.Domain;

/// <summary>
/// Turns a System.Text.Json exception into <c>field: what is expected</c>. Its own messages name .NET types
/// ("could not be converted to System.Nullable`1[System.Int32]") that mean nothing to an API user; the JSON
/// path and the kind of value expected do.
/// </summary>
public static partial class JsonErrors
{
    /// <param name="e">what System.Text.Json threw</param>
    /// <param name="root">the type the body was read as: the expected kind comes from the member the path names
    /// (the message names the declaring record for constructor parameters)</param>
    public static string Describe(JsonException e, Type root)
    {
        var field = Field(e.Path);
        var at = e.LineNumber is { } line && e.BytePositionInLine is { } position ? $" (line {line + 1}, position {position + 1})" : "";
        var message = e.Message;
        if (ConvertedTo().Match(message) is { Success: true } converted)
        {
            var kind = MemberType(root, e.Path) is { } member ? Kind(member) : Kind(converted.Groups["type"].Value);
            return $"{field}: expected {kind}{at}";
        }
        if (UnknownProperty().Match(message) is { Success: true } unknown)
        {
            var name = unknown.Groups["name"].Value;
            var path = field == "body" ? name : field.EndsWith(name, StringComparison.Ordinal) ? field : field + "." + name;
            return $"{path}: unknown field";
        }
        if (MissingRequired().Match(message) is { Success: true } missing)
        {
            return $"{field}: missing required field(s) {missing.Groups["names"].Value}";
        }
        var text = PathSuffix().Replace(message, "").Trim();
        return DotNetName().IsMatch(text) ? $"{field}: not a valid value here{at}" : $"{field}: invalid JSON: {text.TrimEnd('.')}{at}";
    }

    private static string Field(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>The type of the member <paramref name="path"/> (<c>$.a.b[0]</c>) names, if it can be followed.</summary>
    private static Type? MemberType(Type root, string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return null;
        var type = root;
        foreach (Match step in PathStep().Matches(path[1..]))
        {
            if (step.Groups["index"].Success)
            {
                type = ElementType(type);
            }
            else
            {
                var name = step.Groups["name"].Success ? step.Groups["name"].Value : step.Groups["quoted"].Value;
                type = Api.Json.GetTypeInfo(Nullable.GetUnderlyingType(type) ?? type).Properties
                    .FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.PropertyType;
            }
            if (type is null) return null;
        }
        return type;
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private static string Kind(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(JsonObject)) return "an object";
        if (t != typeof(string) && ElementType(t) is not null) return "an array";
        return Kind(t.FullName ?? t.Name);
    }

    /// <summary>The JSON kind a .NET type reads: what the user has to send.</summary>
    private static string Kind(string type)
    {
        if (NullableName().Match(type) is { Success: true } inner) type = inner.Groups["inner"].Value;
        if (type.EndsWith("[]", StringComparison.Ordinal) || type.StartsWith("System.Collections.", StringComparison.Ordinal)) return "an array";
        return type switch
        {
            "System.String" => "a string",
            "System.Boolean" => "true or false",
            "System.Int16" or "System.Int32" or "System.Int64" or "System.Byte" or "System.UInt16" or "System.UInt32" or "System.UInt64" => "a whole number",
            "System.Double" or "System.Single" or "System.Decimal" => "a number",
            "System.DateTime" or "System.DateTimeOffset" => "a date-time string (ISO 8601)",
            _ => "an object",
        };
    }

    [GeneratedRegex(@"\.(?<name>[A-Za-z_][\w-]*)|\['(?<quoted>[^']*)'\]|\[(?<index>\d+)\]")]
    private static partial Regex PathStep();

    [GeneratedRegex(@"could not be converted to (?<type>\S+?)\.(\s|$)")]
    private static partial Regex ConvertedTo();

    [GeneratedRegex(@"The JSON property '(?<name>[^']*)' could not be mapped")]
    private static partial Regex UnknownProperty();

    [GeneratedRegex(@"missing required properties including: (?<names>.*?)\.?$")]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"^System\.Nullable`1\[(?<inner>.+)\]$")]
    private static partial Regex NullableName();

    [GeneratedRegex(@"\s*Path: .*$")]
    private static partial Regex PathSuffix();

    [GeneratedRegex(@"\b(System|Edge|Microsoft)\.\w")]
    private static partial Regex DotNetName();
}
