using Edge.Firmware.Protocol;
using Edge.Firmware.Time;

namespace Edge.Firmware.Transit;

/// <summary>
/// Typed reads over <see cref="JsonReader"/> for the display documents. Every failure is a
/// <see cref="JsonFormatException"/> whose message starts with the JSON path of the offending value
/// (e.g. <c>arrivals[2].headsign.el</c>), so whoever wrote the document can find it. Used when a
/// document arrives, not per tick: building path strings here is fine.
/// </summary>
internal sealed class DocumentReader
{
    private readonly JsonReader _json = new JsonReader();

    public JsonReader Json { get { return _json; } }

    public void Reset(byte[] utf8, int offset, int count) { _json.Reset(utf8, offset, count); }

    public static JsonFormatException Fail(string path, string what)
    {
        return new JsonFormatException((path.Length == 0 ? "(document)" : path) + ": " + what);
    }

    /// <summary>Reads the next token and requires the start of an object.</summary>
    public void StartObject(string path)
    {
        _json.Read();
        if (_json.Token != JsonToken.StartObject) throw Fail(path, "expected an object, found " + Describe());
    }

    public void StartArray(string path)
    {
        _json.Read();
        if (_json.Token != JsonToken.StartArray) throw Fail(path, "expected an array, found " + Describe());
    }

    /// <summary>Moves to the next property of the current object; false at its end.</summary>
    public bool NextProperty()
    {
        _json.Read();
        return _json.Token == JsonToken.PropertyName;
    }

    /// <summary>Moves to the next array element (already read as its first token); false at the array's end.</summary>
    public bool NextElement()
    {
        _json.Read();
        return _json.Token != JsonToken.EndArray;
    }

    public bool Is(string name) { return _json.ValueEquals(name); }

    public JsonFormatException Unknown(string path)
    {
        return Fail(path, "unknown property \"" + _json.GetString() + "\"");
    }

    public static string Child(string path, string name) { return path.Length == 0 ? name : path + "." + name; }

    public static string Index(string path, int i) { return path + "[" + i.ToString() + "]"; }

    /// <summary>Marks <paramref name="bit"/> in <paramref name="seen"/>; a second occurrence is an error.</summary>
    public static int Once(int seen, int bit, string path)
    {
        if ((seen & bit) != 0) throw Fail(path, "appears twice");
        return seen | bit;
    }

    public static void Require(int seen, int bit, string path)
    {
        if ((seen & bit) == 0) throw Fail(path, "is required");
    }

    /// <summary>A non-empty string of at most <paramref name="maxLength"/> characters, with no control characters.</summary>
    public string String(string path, int maxLength)
    {
        _json.Read();
        return CurrentString(path, maxLength);
    }

    /// <summary>Like <see cref="String"/> for a token already read (array elements).</summary>
    public string CurrentString(string path, int maxLength)
    {
        if (_json.Token != JsonToken.String) throw Fail(path, "expected a string, found " + Describe());
        string s = _json.GetString();
        if (s.Length == 0) throw Fail(path, "must not be empty");
        if (s.Length > maxLength) throw Fail(path, "is " + s.Length.ToString() + " characters long; at most " + maxLength.ToString() + " are allowed");
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] < ' ') throw Fail(path, "contains a control character at position " + i.ToString());
        }
        return s;
    }

    public long Whole(string path, long min, long max)
    {
        _json.Read();
        if (_json.Token != JsonToken.Number) throw Fail(path, "expected a whole number, found " + Describe());
        long v;
        try
        {
            v = _json.GetInt64();
        }
        catch (JsonFormatException)
        {
            throw Fail(path, "expected a whole number");
        }
        if (v < min || v > max) throw Fail(path, v.ToString() + " is out of range " + min.ToString() + ".." + max.ToString());
        return v;
    }

    public bool Boolean(string path)
    {
        _json.Read();
        if (_json.Token == JsonToken.True) return true;
        if (_json.Token == JsonToken.False) return false;
        throw Fail(path, "expected true or false, found " + Describe());
    }

    /// <summary>An instant as RFC 3339 text: <c>2026-11-26T14:35:00Z</c> or with an offset <c>+02:00</c>.</summary>
    public long Instant(string path)
    {
        string s = String(path, 40);
        long v;
        if (!IsoTime.TryParseInstant(s, out v)) throw Fail(path, "\"" + s + "\" is not a date and time like 2026-11-26T14:35:00Z");
        return v;
    }

    /// <summary>A UTC offset as text, <c>+02:00</c> or <c>-03:30</c>; returns seconds.</summary>
    public int Offset(string path)
    {
        string s = String(path, 6);
        int v;
        if (!IsoTime.TryParseOffset(s, 0, out v) || s.Length != 6) throw Fail(path, "\"" + s + "\" is not a UTC offset like +02:00");
        return v;
    }

    /// <summary>An object <c>{"el": "...", "en": "..."}</c>; both languages are required.</summary>
    public BilingualText Bilingual(string path, int maxLength)
    {
        StartObject(path);
        string? el = null;
        string? en = null;
        while (NextProperty())
        {
            if (Is("el"))
            {
                if (el != null) throw Fail(Child(path, "el"), "appears twice");
                el = String(Child(path, "el"), maxLength);
            }
            else if (Is("en"))
            {
                if (en != null) throw Fail(Child(path, "en"), "appears twice");
                en = String(Child(path, "en"), maxLength);
            }
            else
            {
                throw Unknown(path);
            }
        }
        if (el == null) throw Fail(Child(path, "el"), "is required (Greek text)");
        if (en == null) throw Fail(Child(path, "en"), "is required (English text)");
        return new BilingualText(el, en);
    }

    /// <summary>Requires that nothing follows the root value.</summary>
    public void End()
    {
        _json.Read();
    }

    private string Describe()
    {
        switch (_json.Token)
        {
            case JsonToken.StartObject: return "an object";
            case JsonToken.StartArray: return "an array";
            case JsonToken.String: return "a string";
            case JsonToken.Number: return "a number";
            case JsonToken.True:
            case JsonToken.False: return "a boolean";
            case JsonToken.Null: return "null";
            default: return "the end of a container";
        }
    }
}
