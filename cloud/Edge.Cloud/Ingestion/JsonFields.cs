using System.Globalization;
using System.Text.Json;

namespace Edge.Cloud.Ingestion;

/// <summary>
/// Typed reads of JSON members that say what is wrong and where: each returns null on success, or an error
/// of the form <c>path: problem</c> (e.g. <c>payload.level: 140 is out of range 0..100</c>).
/// </summary>
internal static class JsonFields
{
    /// <summary>Largest instant accepted (9999-12-31T23:59:59Z); protocol.md allows up to 2^53.</summary>
    public const long MaxTs = 253402300799;

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"\"{Shorten(value.GetString()!)}\"",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        _ => Shorten(value.GetRawText()),
    };

    /// <summary>The member <paramref name="name"/> of <paramref name="parent"/>, or the undefined element when it has none:
    /// the overloads below that take the member itself read an absent one as <c>required</c> or nothing.</summary>
    public static JsonElement Member(JsonElement parent, string name) => parent.TryGetProperty(name, out var element) ? element : default;

    public static string? Integer(JsonElement parent, string name, string path, long min, long max, bool required, out long? value) =>
        IntegerValue(Member(parent, name), name, path, min, max, required, out value);

    /// <summary>As <see cref="Integer(JsonElement, string, string, long, long, bool, out long?)"/>, for a member already found (<see cref="JsonValueKind.Undefined"/>: absent).</summary>
    public static string? IntegerValue(JsonElement element, string name, string path, long min, long max, bool required, out long? value)
    {
        value = null;
        if (element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return required ? $"{path}{name}: required" : null;
        }
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var number))
        {
            return $"{path}{name}: expected an integer, got {Describe(element)}";
        }
        if (number < min || number > max)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{path}{name}: {number} is out of range {min}..{max}");
        }
        value = number;
        return null;
    }

    public static string? Number(JsonElement parent, string name, string path, bool required, out double? value)
    {
        value = null;
        if (!parent.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return required ? $"{path}{name}: required" : null;
        }
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var number))
        {
            return $"{path}{name}: expected a number, got {Describe(element)}";
        }
        value = number;
        return null;
    }

    public static string? Text(JsonElement parent, string name, string path, bool required, out string? value) =>
        TextValue(Member(parent, name), name, path, required, out value);

    public static string? TextValue(JsonElement element, string name, string path, bool required, out string? value)
    {
        value = null;
        if (element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return required ? $"{path}{name}: required" : null;
        }
        if (element.ValueKind != JsonValueKind.String) return $"{path}{name}: expected a string, got {Describe(element)}";
        value = element.GetString();
        return null;
    }

    /// <summary>As <see cref="TextValue"/>, and the value one of
    /// <paramref name="allowed"/>; <paramref name="value"/> is then the allowed string itself, not a copy of the
    /// member's text (compared as UTF-8 in place: no string per record).</summary>
    public static string? OneOfValue(JsonElement element, string name, string path, bool required, string[] allowed, out string? value)
    {
        value = null;
        if (element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return required ? $"{path}{name}: required" : null;
        if (element.ValueKind != JsonValueKind.String) return $"{path}{name}: expected a string, got {Describe(element)}";
        foreach (var candidate in allowed)
        {
            if (element.ValueEquals(candidate))
            {
                value = candidate;
                return null;
            }
        }
        return $"{path}{name}: \"{Shorten(element.GetString()!)}\" is not one of {string.Join(", ", allowed)}";
    }

    public static string? Boolean(JsonElement parent, string name, string path, out bool? value)
    {
        value = null;
        if (!parent.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return null;
        if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return $"{path}{name}: expected true or false, got {Describe(element)}";
        value = element.GetBoolean();
        return null;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
