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

    public static string? Integer(JsonElement parent, string name, string path, long min, long max, bool required, out long? value)
    {
        value = null;
        if (!parent.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
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

    public static string? Text(JsonElement parent, string name, string path, bool required, out string? value)
    {
        value = null;
        if (!parent.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return required ? $"{path}{name}: required" : null;
        }
        if (element.ValueKind != JsonValueKind.String) return $"{path}{name}: expected a string, got {Describe(element)}";
        value = element.GetString();
        return null;
    }

    public static string? OneOf(JsonElement parent, string name, string path, bool required, string[] allowed, out string? value)
    {
        var error = Text(parent, name, path, required, out value);
        if (error is not null || value is null) return error;
        if (System.Array.IndexOf(allowed, value) < 0)
        {
            var found = value;
            value = null;
            return $"{path}{name}: \"{Shorten(found)}\" is not one of {string.Join(", ", allowed)}";
        }
        return null;
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
