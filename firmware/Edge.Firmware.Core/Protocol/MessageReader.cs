using System;

namespace Edge.Firmware.Protocol;

/// <summary>
/// Shared reading rules of the inbound decoders: a <see cref="JsonReader"/> plus a bounded list of
/// problems, each with its JSON path. Unknown members are skipped (docs/protocol.md §5.2); a value of
/// the wrong type or out of range is recorded and reading goes on, so one rejection lists every problem.
/// </summary>
internal sealed class MessageReader
{
    public const int MaxErrors = 8;

    public readonly JsonReader Json = new JsonReader();
    public readonly string[] Errors = new string[MaxErrors];
    public int ErrorCount;

    public void Reset(byte[] buffer, int offset, int count)
    {
        Json.Reset(buffer, offset, count);
        ErrorCount = 0;
    }

    public void Error(string path, string what)
    {
        if (ErrorCount < MaxErrors) Errors[ErrorCount] = path.Length == 0 ? what : path + ": " + what;
        ErrorCount++;
    }

    public int StoredErrors { get { return ErrorCount < MaxErrors ? ErrorCount : MaxErrors; } }

    /// <summary>Reads the root's start; false (with an error) unless it is an object.</summary>
    public bool StartRoot()
    {
        Json.Read();
        if (Json.Token == JsonToken.StartObject) return true;
        Error("", "expected a JSON object");
        return false;
    }

    /// <summary>Advances to the next member name of the object at <paramref name="depth"/>; false at its end.</summary>
    public bool NextMember(int depth)
    {
        Json.Read();
        return Json.Token == JsonToken.PropertyName && Json.Depth == depth;
    }

    /// <summary>Reads past the end of the root, proving nothing follows it.</summary>
    public void Finish()
    {
        while (Json.Read())
        {
        }
    }

    public bool Is(string name) { return Json.ValueEquals(name); }

    /// <summary>Moves to the value of the current member and skips it.</summary>
    public void SkipValue()
    {
        Json.Read();
        Json.Skip();
    }

    /// <summary>Reads a whole number in [min, max]; records an error and returns <paramref name="fallback"/> otherwise.</summary>
    public long Whole(string path, long min, long max, long fallback)
    {
        Json.Read();
        if (Json.Token != JsonToken.Number)
        {
            Error(path, "expected a whole number");
            Json.Skip();
            return fallback;
        }
        long value;
        try
        {
            value = Json.GetInt64();
        }
        catch (JsonFormatException)
        {
            Error(path, "expected a whole number");
            return fallback;
        }
        if (value < min || value > max)
        {
            Error(path, value.ToString() + " is out of range " + min.ToString() + ".." + max.ToString());
            return fallback;
        }
        return value;
    }

    public double Number(string path, double min, double max, double fallback)
    {
        Json.Read();
        if (Json.Token != JsonToken.Number)
        {
            Error(path, "expected a number");
            Json.Skip();
            return fallback;
        }
        double value = Json.GetDouble();
        if (!(value >= min && value <= max))
        {
            Error(path, "is out of range " + ((long)min).ToString() + ".." + ((long)max).ToString());
            return fallback;
        }
        return value;
    }

    public string Text(string path, int maxLength, string fallback)
    {
        Json.Read();
        if (Json.Token != JsonToken.String)
        {
            Error(path, "expected a string");
            Json.Skip();
            return fallback;
        }
        string value = Json.GetString();
        if (value.Length > maxLength)
        {
            Error(path, "longer than " + maxLength.ToString() + " characters");
            return fallback;
        }
        return value;
    }

    public bool Boolean(string path, bool fallback)
    {
        Json.Read();
        if (Json.Token == JsonToken.True) return true;
        if (Json.Token == JsonToken.False) return false;
        Error(path, "expected true or false");
        Json.Skip();
        return fallback;
    }

    /// <summary>
    /// Moves to the value of the current member, which must be an object, and skips it, returning the
    /// offset of its '{' (its length in <paramref name="count"/>) so another parser can read exactly it;
    /// -1 with an error when it is not an object.
    /// </summary>
    public int ObjectRange(string path, out int count)
    {
        Json.Read();
        if (Json.Token != JsonToken.StartObject)
        {
            Error(path, "expected an object");
            Json.Skip();
            count = 0;
            return -1;
        }
        int start = Json.Position - 1;
        Json.Skip();
        count = Json.Position - start;
        return start;
    }

    /// <summary>Adds the errors of a nested document's parser, each prefixed with the member's path.</summary>
    public void Nested(string prefix, string[] errors)
    {
        for (int i = 0; i < errors.Length; i++) Error("", prefix + "." + errors[i]);
    }

    /// <summary>Turns a parser failure of a nested document into errors under <paramref name="prefix"/>.</summary>
    public void NestedFailure(string prefix, Exception e)
    {
        Error(prefix, e.Message);
    }

    public MessageFormatException Fail(string code, long version)
    {
        return new MessageFormatException(code, version, Errors, StoredErrors);
    }

    /// <summary>Whether <paramref name="id"/> matches <c>^[A-Za-z0-9._:-]{1,64}$</c> (§10.1).</summary>
    public static bool IsCommandId(string id)
    {
        if (id.Length < 1 || id.Length > 64) return false;
        for (int i = 0; i < id.Length; i++)
        {
            char c = id[i];
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) return false;
        }
        return true;
    }
}
