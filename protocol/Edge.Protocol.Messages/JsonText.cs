using System;
using System.Text.Json;
using System.Text.Unicode;

namespace Edge.Protocol.Messages;

/// <summary>
/// Strings as RFC 8259 §8.1 wants them: UTF-8, and no escaped unpaired surrogate (§8.2), since no receiver can turn
/// one into text. <see cref="Utf8JsonReader"/> does not check either while reading; a string that fails here would
/// make any later <c>GetString</c> throw, which is how one such record once blocked a whole uplink.
/// </summary>
public static class JsonText
{
    /// <summary>Whether the string or property name the reader stands on is valid text.</summary>
    public static bool IsValidText(ref Utf8JsonReader reader)
    {
        if (!Utf8.IsValid(reader.ValueSpan)) return false;
        if (!reader.ValueIsEscaped) return true;
        try
        {
            reader.GetString(); // unescaping is the only check of \uD800-style escapes; escaped text is rare
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public static string InvalidTextError(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.PropertyName
        ? $"invalid UTF-8 or an unpaired surrogate in a member name at byte {reader.TokenStartIndex} (RFC 8259 §8)"
        : $"invalid UTF-8 or an unpaired surrogate in a string at byte {reader.TokenStartIndex} (RFC 8259 §8)";

    /// <summary>Whether every string of a JSON text is valid without reading it token by token: the whole text is valid
    /// UTF-8 (so is every string in it, each a run of it between two quotes) and has no <c>\u</c>, the only way to
    /// write a surrogate. Two vectorised passes over the bytes; false says nothing, the strings must then be read.</summary>
    public static bool IsPlainValidText(ReadOnlySpan<byte> json) => json.IndexOf("\\u"u8) < 0 && Utf8.IsValid(json);

    /// <summary>The first problem with the strings of a JSON document, or null. For a text already parsed: syntax is
    /// not judged here (plain valid text is answered without reading its tokens).</summary>
    public static string? FindInvalidText(ReadOnlySpan<byte> json)
    {
        if (IsPlainValidText(json)) return null; // the common case; the reader below finds and places any problem
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && !IsValidText(ref reader)) return InvalidTextError(ref reader);
            }
        }
        catch (JsonException exception)
        {
            return exception.Message;
        }
        return null;
    }

    /// <summary>A short description of the value the reader stands on, for error messages: <c>"abc"</c>, <c>an object</c>, <c>12.5</c>.</summary>
    public static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => "\"" + Shorten(reader.GetString()!) + "\"",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.Null => "null",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => Shorten(System.Text.Encoding.UTF8.GetString(reader.ValueSpan)),
    };

    static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
