using Edge.Firmware.Transit;

namespace Edge.Firmware.Protocol;

/// <summary>
/// The validating reader every inbound document shares: a <see cref="JsonReader"/> plus typed reads
/// that record each problem with its JSON path (<c>path: what</c>; an empty path is the document
/// itself, written <c>(document)</c>). By default a problem is recorded and reading goes on, so one
/// rejection lists every problem; with <see cref="StopAtFirstError"/> the first one throws instead.
/// The parsers phrase their messages differently and their users rely on the exact text, so the few
/// differences are settings here (<see cref="MismatchVerb"/>, <see cref="NameWhatWasFound"/>,
/// <see cref="WholeNumbersByValue"/>), not copies of the reader.
/// Reading a valid document allocates only the strings asked for; problems allocate their messages.
/// </summary>
internal sealed class DocumentReader
{
    /// <summary>Problems kept for a protocol message (§7.6): enough to act on, bounded for a hostile one.</summary>
    public const int MaxMessageErrors = 8;

    /// <summary>The path of the document itself in messages.</summary>
    public const string DocumentPath = "(document)";

    /// <summary>Returned by <see cref="Choice"/> for a string that is none of the names.</summary>
    public const int NotAChoice = -2;

    public readonly JsonReader Json = new JsonReader();

    private readonly int _maxStored;
    private string[] _errors;
    private int _errorCount;
    private string[] _seen = new string[0];
    private int _seenCount;

    /// <param name="maxStoredErrors">
    /// Problems kept (all are counted); a bound keeps a flood of errors in a hostile message from
    /// growing the heap. <see cref="int.MaxValue"/> keeps every one.
    /// </param>
    public DocumentReader(int maxStoredErrors)
    {
        _maxStored = maxStoredErrors;
        _errors = new string[maxStoredErrors < 8 ? maxStoredErrors : 8];
    }

    /// <summary>Throw a <see cref="JsonFormatException"/> at the first problem instead of collecting.</summary>
    public bool StopAtFirstError { get; set; }

    /// <summary>How a value of the wrong kind is introduced: <c>"expected "</c> or <c>"must be "</c>.</summary>
    public string MismatchVerb { get; set; } = "expected ";

    /// <summary>Whether a value of the wrong kind is followed by what was there (<c>, found a string</c>).</summary>
    public bool NameWhatWasFound { get; set; }

    /// <summary>
    /// Whether a whole number may be written with a fraction or exponent that comes to a whole value
    /// (<c>60.0</c>, <c>1e2</c>); otherwise only plain digits are whole numbers.
    /// </summary>
    public bool WholeNumbersByValue { get; set; }

    /// <summary>Lets go of the document's array (see <see cref="JsonReader.Release"/>).</summary>
    public void Release() { Json.Release(); }

    public void Reset(byte[] utf8, int offset, int count)
    {
        Json.Reset(utf8, offset, count);
        _errorCount = 0;
        _seenCount = 0;
    }

    // ---- problems ---------------------------------------------------------------------------

    /// <summary>Every problem recorded since <see cref="Reset"/>, stored or not.</summary>
    public int ErrorCount { get { return _errorCount; } }

    public int StoredErrors { get { return _errorCount < _maxStored ? _errorCount : _maxStored; } }

    public string ErrorAt(int index) { return _errors[index]; }

    /// <summary>Records a problem with <paramref name="what"/> at <paramref name="path"/>.</summary>
    public void Error(string path, string what)
    {
        Add((path.Length == 0 ? DocumentPath : path) + ": " + what);
    }

    /// <summary>Records a problem whose message is already complete (a syntax error, a nested document's).</summary>
    public void Add(string message)
    {
        if (StopAtFirstError) throw new JsonFormatException(message);
        if (_errorCount < _maxStored)
        {
            if (_errorCount == _errors.Length)
            {
                var bigger = new string[_errors.Length * 2];
                for (int i = 0; i < _errorCount; i++) bigger[i] = _errors[i];
                _errors = bigger;
            }
            _errors[_errorCount] = message;
        }
        _errorCount++;
    }

    /// <summary>The exception for a problem, for a parser that stops at it.</summary>
    public static JsonFormatException Rejection(string path, string what)
    {
        return new JsonFormatException((path.Length == 0 ? DocumentPath : path) + ": " + what);
    }

    /// <summary>A copy of the stored problems.</summary>
    public string[] TakeErrors()
    {
        var result = new string[StoredErrors];
        for (int i = 0; i < result.Length; i++) result[i] = _errors[i];
        return result;
    }

    /// <summary>Whether a problem about <paramref name="path"/> or something inside it was recorded.</summary>
    public bool HasErrorAbout(string path)
    {
        for (int i = 0; i < StoredErrors; i++)
        {
            string e = _errors[i];
            if (e.Length > path.Length && e.Substring(0, path.Length) == path && (e[path.Length] == ':' || e[path.Length] == '.')) return true;
        }
        return false;
    }

    /// <summary>Adds the problems of a nested document's parser, each prefixed with the member's path.</summary>
    public void Nested(string prefix, string[] errors)
    {
        for (int i = 0; i < errors.Length; i++) Add(prefix + "." + errors[i]);
    }

    /// <summary>The protocol's rejection of a message (§7.6 <paramref name="code"/>) with the stored problems.</summary>
    public MessageFormatException MessageRejected(string code, long version)
    {
        return new MessageFormatException(code, version, _errors, StoredErrors);
    }

    /// <summary>Records that the current token is not <paramref name="what"/>, in this reader's wording.</summary>
    public void Mismatch(string path, string what)
    {
        Error(path, MismatchVerb + what + (NameWhatWasFound ? ", found " + DescribeToken() : ""));
    }

    // ---- structure --------------------------------------------------------------------------

    /// <summary>Reads the root's start; false (with a problem that names no path) unless it is an object.</summary>
    public bool StartRoot()
    {
        Json.Read();
        if (Json.Token == JsonToken.StartObject) return true;
        Add("expected a JSON object");
        return false;
    }

    /// <summary>Advances to the next member name of the current object; false at its end.</summary>
    public bool NextProperty()
    {
        Json.Read();
        return Json.Token == JsonToken.PropertyName;
    }

    /// <summary>Advances to the next member name of the object at <paramref name="depth"/>; false at its end.</summary>
    public bool NextMember(int depth)
    {
        Json.Read();
        return Json.Token == JsonToken.PropertyName && Json.Depth == depth;
    }

    /// <summary>Advances to the next array element (its first token); false at the array's end.</summary>
    public bool NextElement()
    {
        Json.Read();
        return Json.Token != JsonToken.EndArray;
    }

    public bool Is(string name) { return Json.ValueEquals(name); }

    /// <summary>Moves to the value of the current member and skips it.</summary>
    public void SkipValue()
    {
        Json.Read();
        Json.Skip();
    }

    /// <summary>Reads past the end of the root, proving nothing follows it.</summary>
    public void Finish()
    {
        while (Json.Read())
        {
        }
    }

    /// <summary>Checks the current token; otherwise records what was expected and skips the value.</summary>
    public bool Expect(JsonToken token, string path, string what)
    {
        if (Json.Token == token) return true;
        Mismatch(path, what);
        Json.Skip();
        return false;
    }

    /// <summary>Moves to the next value and checks it, like <see cref="Expect"/>: used to enter an object or array.</summary>
    public bool Enter(JsonToken token, string path, string what)
    {
        Json.Read();
        return Expect(token, path, what);
    }

    /// <summary>The current member is not one the document may have: <c>parent.name: unknown field</c>; skips its value.</summary>
    public void UnknownField(string parent)
    {
        string name = Json.GetString();
        Error(parent.Length == 0 ? name : parent + "." + name, "unknown field");
        Json.Skip();
    }

    /// <summary>The current member is not one the document may have: <c>parent: unknown property "name"</c>; skips its value.</summary>
    public void UnknownProperty(string parent)
    {
        Error(parent, "unknown property \"" + Json.GetString() + "\"");
        Json.Skip();
    }

    /// <summary>
    /// Records that a member was given; false (with a problem, its value skipped) when it was given
    /// before. For documents with more members than fit a bit mask (<see cref="Once"/>).
    /// </summary>
    public bool FirstTime(string path)
    {
        for (int i = 0; i < _seenCount; i++)
        {
            if (_seen[i] == path)
            {
                Error(path, "given more than once");
                Json.Skip();
                return false;
            }
        }
        if (_seenCount == _seen.Length)
        {
            var bigger = new string[_seen.Length == 0 ? 16 : _seen.Length * 2];
            for (int i = 0; i < _seenCount; i++) bigger[i] = _seen[i];
            _seen = bigger;
        }
        _seen[_seenCount++] = path;
        return true;
    }

    /// <summary>Marks <paramref name="bit"/> in <paramref name="seen"/>; a second occurrence is a problem.</summary>
    public int Once(int seen, int bit, string path)
    {
        if ((seen & bit) != 0) Error(path, "appears twice");
        return seen | bit;
    }

    public void Require(int seen, int bit, string path)
    {
        if ((seen & bit) == 0) Error(path, "is required");
    }

    public static string Child(string path, string name) { return path.Length == 0 ? name : path + "." + name; }

    public static string Index(string path, int i) { return path + "[" + i.ToString() + "]"; }

    // ---- values: each reads the value of the current member ---------------------------------

    /// <summary>A whole number in [min, max]; otherwise a problem and <paramref name="fallback"/>.</summary>
    public long Whole(string path, long min, long max, long fallback)
    {
        if (!Enter(JsonToken.Number, path, "a whole number")) return fallback;
        long value;
        if (!TryWhole(out value))
        {
            // What was there is a number: say only that it is not a whole one.
            Error(path, MismatchVerb + "a whole number");
            return fallback;
        }
        if (value < min || value > max)
        {
            Error(path, value.ToString() + " is out of range " + min.ToString() + ".." + max.ToString());
            return fallback;
        }
        return value;
    }

    private bool TryWhole(out long value)
    {
        if (WholeNumbersByValue)
        {
            double d = Json.GetDouble();
            value = (long)d;
            return d == value;
        }
        try
        {
            value = Json.GetInt64();
            return true;
        }
        catch (JsonFormatException)
        {
            value = 0;
            return false;
        }
    }

    /// <summary>A number in [min, max] (message without the value); otherwise a problem and <paramref name="fallback"/>.</summary>
    public double Number(string path, double min, double max, double fallback)
    {
        if (!Enter(JsonToken.Number, path, "a number")) return fallback;
        double value = Json.GetDouble();
        if (!(value >= min && value <= max))
        {
            Error(path, "is out of range " + ((long)min).ToString() + ".." + ((long)max).ToString());
            return fallback;
        }
        return value;
    }

    /// <summary>A light level in percent, 0..100 with fractions; otherwise a problem and 0.</summary>
    public float Level(string path)
    {
        if (!Enter(JsonToken.Number, path, "a level in percent (0..100)")) return 0;
        double value = Json.GetDouble();
        if (value < 0 || value > 100)
        {
            Error(path, value.ToString() + " is out of range 0..100");
            return 0;
        }
        return (float)value;
    }

    public bool Boolean(string path, bool fallback)
    {
        Json.Read();
        if (Json.Token == JsonToken.True) return true;
        if (Json.Token == JsonToken.False) return false;
        Mismatch(path, "true or false");
        Json.Skip();
        return fallback;
    }

    /// <summary>A string of at most <paramref name="maxLength"/> characters; otherwise a problem and <paramref name="fallback"/>.</summary>
    public string Text(string path, int maxLength, string fallback)
    {
        if (!Enter(JsonToken.String, path, "a string")) return fallback;
        string value = Json.GetString();
        if (value.Length > maxLength)
        {
            Error(path, "longer than " + maxLength.ToString() + " characters");
            return fallback;
        }
        return value;
    }

    /// <summary>
    /// A non-empty identifier of at most <paramref name="maxLength"/> characters. A wrong one is kept
    /// (a non-string gives ""), so checks that refer to it (duplicates, references) still see it.
    /// </summary>
    public string Id(string path, int maxLength)
    {
        if (!Enter(JsonToken.String, path, "a string")) return "";
        string id = Json.GetString();
        if (id.Length > maxLength) Error(path, "longer than " + maxLength.ToString() + " characters");
        if (id.Length == 0) Error(path, "must not be empty");
        return id;
    }

    /// <summary>A non-empty string of at most <paramref name="maxLength"/> characters, with no control characters.</summary>
    public string Label(string path, int maxLength)
    {
        Json.Read();
        return CurrentLabel(path, maxLength);
    }

    /// <summary>Like <see cref="Label"/> for a token already read (array elements).</summary>
    public string CurrentLabel(string path, int maxLength)
    {
        if (!Expect(JsonToken.String, path, "a string")) return "";
        string s = Json.GetString();
        if (s.Length == 0) Error(path, "must not be empty");
        else if (s.Length > maxLength) Error(path, "is " + s.Length.ToString() + " characters long; at most " + maxLength.ToString() + " are allowed");
        else
        {
            for (int i = 0; i < s.Length; i++)
            {
                if (s[i] < ' ')
                {
                    Error(path, "contains a control character at position " + i.ToString());
                    break;
                }
            }
        }
        return s;
    }

    /// <summary>
    /// One of <paramref name="names"/> given as a string: its index; -1 after a problem when the value
    /// is not a string (<paramref name="what"/> says what was expected); <see cref="NotAChoice"/> for a
    /// string that is none of them, left for the caller to word (the current token is still it).
    /// </summary>
    public int Choice(string path, string[] names, string what)
    {
        Json.Read();
        return CurrentChoice(path, names, what);
    }

    /// <summary>Like <see cref="Choice"/> for a token already read (array elements).</summary>
    public int CurrentChoice(string path, string[] names, string what)
    {
        if (!Expect(JsonToken.String, path, what)) return -1;
        for (int i = 0; i < names.Length; i++)
        {
            if (Json.ValueEquals(names[i])) return i;
        }
        return NotAChoice;
    }

    /// <summary>
    /// Moves to the value of the current member, which must be an object, and skips it, returning the
    /// offset of its '{' (its length in <paramref name="count"/>) so another parser can read exactly it;
    /// -1 after a problem when it is not an object.
    /// </summary>
    public int ObjectRange(string path, out int count)
    {
        count = 0;
        if (!Enter(JsonToken.StartObject, path, "an object")) return -1;
        int start = Json.Position - 1;
        Json.Skip();
        count = Json.Position - start;
        return start;
    }

    // ---- date and time text -----------------------------------------------------------------

    /// <summary>An instant as RFC 3339 text: <c>2026-11-26T14:35:00Z</c> or with an offset <c>+02:00</c>.</summary>
    public long Instant(string path)
    {
        string s = Label(path, 40);
        long v;
        if (!IsoTime.TryParseInstant(s, out v) && s.Length > 0) Error(path, "\"" + s + "\" is not a date and time like 2026-11-26T14:35:00Z");
        return v;
    }

    /// <summary>A UTC offset as text, <c>+02:00</c> or <c>-03:30</c>; returns seconds.</summary>
    public int UtcOffset(string path)
    {
        string s = Label(path, 6);
        int v;
        if ((!IsoTime.TryParseOffset(s, 0, out v) || s.Length != 6) && s.Length > 0) Error(path, "\"" + s + "\" is not a UTC offset like +02:00");
        return v;
    }

    /// <summary>"HH:MM" or "HH:MM:SS" (24-hour local time) as seconds after midnight; otherwise a problem and 0.</summary>
    public int TimeOfDay(string path)
    {
        string text = Text(path, int.MaxValue, "");
        if (Json.Token != JsonToken.String) return 0;
        int h = 0, m = 0, s = 0;
        bool ok = (text.Length == 5 || text.Length == 8) && text[2] == ':'
            && TwoDigits(text, 0, out h) && TwoDigits(text, 3, out m)
            && (text.Length == 5 || (text[5] == ':' && TwoDigits(text, 6, out s)));
        if (!ok || h > 23 || m > 59 || s > 59)
        {
            Error(path, "\"" + text + "\" is not a time of day; use HH:MM (00:00..23:59)");
            return 0;
        }
        return h * 3600 + m * 60 + s;
    }

    /// <summary>Two ASCII digits at <paramref name="at"/> as a number; false if either is not a digit.</summary>
    public static bool TwoDigits(string s, int at, out int value)
    {
        value = 0;
        char a = s[at];
        char b = s[at + 1];
        if (a < '0' || a > '9' || b < '0' || b > '9') return false;
        value = (a - '0') * 10 + (b - '0');
        return true;
    }

    private string DescribeToken()
    {
        switch (Json.Token)
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
