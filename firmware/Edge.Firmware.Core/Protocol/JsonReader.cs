namespace Edge.Firmware.Protocol;

/// <summary>
/// A strict, forward-only JSON (RFC 8259) reader over UTF-8 bytes, written for nanoFramework: no
/// generics, a fixed nesting limit instead of a growing stack, and no allocation unless the caller asks
/// for a string (<see cref="GetString"/>). Names and values can be compared in place with
/// <see cref="ValueEquals"/>. Syntax errors throw <see cref="JsonFormatException"/> with line and column.
/// One instance is reused for every document (<see cref="Reset"/>).
/// </summary>
public sealed class JsonReader
{
    /// <summary>Deepest nesting accepted; deeper documents are rejected, never a stack overflow.</summary>
    public const int MaxDepth = 32;

    private const byte InObject = 1;
    private const byte InArray = 2;

    private readonly byte[] _stack = new byte[MaxDepth];
    private byte[] _buf = new byte[0];
    private int _begin;
    private int _pos;
    private int _end;
    private int _depth;
    private JsonToken _token;
    private int _tokenStart;   // strings: first byte after the quote; numbers: first byte
    private int _tokenEnd;     // strings: the closing quote; numbers: one past the last byte
    private bool _hasEscapes;
    private bool _afterValue;  // a complete value was just read inside a container
    private bool _justOpened;  // the container was just opened: '}' or ']' may follow directly
    private bool _done;        // the root value is complete

    public JsonReader()
    {
    }

    public JsonReader(byte[] utf8) { Reset(utf8, 0, utf8.Length); }

    /// <summary>
    /// Lets go of the document's array once it is read: an inbound payload may be the link's own array
    /// (hardware/heap.md), which must not stay reachable from a parser kept for the next message.
    /// </summary>
    public void Release() { Reset(None, 0, 0); }

    private static readonly byte[] None = new byte[0];

    /// <summary>Starts reading a new document held in <paramref name="utf8"/>[offset..offset+count).</summary>
    public void Reset(byte[] utf8, int offset, int count)
    {
        _buf = utf8;
        _begin = offset;
        _pos = offset;
        _end = offset + count;
        _depth = 0;
        _token = JsonToken.None;
        _afterValue = false;
        _justOpened = false;
        _done = false;
        // A UTF-8 byte order mark is tolerated: editors on Windows write one.
        if (count >= 3 && utf8[offset] == 0xEF && utf8[offset + 1] == 0xBB && utf8[offset + 2] == 0xBF) _pos += 3;
    }

    public JsonToken Token { get { return _token; } }

    /// <summary>
    /// Byte offset just past the current token (for a start token, just past its bracket; after
    /// <see cref="Skip"/> on a start token, just past the matching end). Lets a caller hand the exact
    /// bytes of a nested document to another parser.
    /// </summary>
    public int Position { get { return _pos; } }

    /// <summary>Nesting depth: 0 at the root, 1 inside the root object or array, …</summary>
    public int Depth { get { return _depth; } }

    /// <summary>Advances to the next token; false once the document is complete.</summary>
    public bool Read()
    {
        SkipWhitespace();
        if (_done)
        {
            if (_pos < _end) throw Error("unexpected data after the end of the document");
            _token = JsonToken.None;
            return false;
        }
        if (_pos >= _end)
        {
            throw Error(_token == JsonToken.None ? "the document is empty" : "the document ends too early");
        }

        byte c = _buf[_pos];
        if (_depth > 0)
        {
            bool inObject = _stack[_depth - 1] == InObject;
            byte close = inObject ? (byte)'}' : (byte)']';
            if (_afterValue)
            {
                if (c == close) return Close();
                if (c != ',') throw Error(inObject ? "expected ',' or '}'" : "expected ',' or ']'");
                _pos++;
                _afterValue = false;
                SkipWhitespace();
                if (_pos >= _end) throw Error("the document ends too early");
                c = _buf[_pos];
            }
            else if (_justOpened && c == close)
            {
                return Close();
            }

            _justOpened = false;
            if (inObject && _token != JsonToken.PropertyName)
            {
                if (c != '"') throw Error("expected a property name in double quotes");
                ScanString();
                _token = JsonToken.PropertyName;
                SkipWhitespace();
                if (_pos >= _end || _buf[_pos] != ':') throw Error("expected ':' after the property name");
                _pos++;
                return true;
            }
        }
        ReadValue(c);
        return true;
    }

    private void ReadValue(byte c)
    {
        switch (c)
        {
            case (byte)'{':
                Open(InObject, JsonToken.StartObject);
                return;
            case (byte)'[':
                Open(InArray, JsonToken.StartArray);
                return;
            case (byte)'"':
                ScanString();
                _token = JsonToken.String;
                break;
            case (byte)'t':
                ScanLiteral("true");
                _token = JsonToken.True;
                break;
            case (byte)'f':
                ScanLiteral("false");
                _token = JsonToken.False;
                break;
            case (byte)'n':
                ScanLiteral("null");
                _token = JsonToken.Null;
                break;
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    ScanNumber();
                    _token = JsonToken.Number;
                    break;
                }
                throw Error("expected a value");
        }
        ValueComplete();
    }

    private void Open(byte kind, JsonToken token)
    {
        if (_depth == MaxDepth) throw Error("nesting deeper than " + MaxDepth.ToString() + " levels");
        _stack[_depth++] = kind;
        _pos++;
        _token = token;
        _afterValue = false;
        _justOpened = true;
    }

    private bool Close()
    {
        _token = _stack[_depth - 1] == InObject ? JsonToken.EndObject : JsonToken.EndArray;
        _depth--;
        _pos++;
        _justOpened = false;
        ValueComplete();
        return true;
    }

    private void ValueComplete()
    {
        if (_depth == 0) _done = true;
        else _afterValue = true;
    }

    /// <summary>Skips the current value; on a start token, up to and including its matching end.</summary>
    public void Skip()
    {
        if (_token == JsonToken.PropertyName) Read();
        if (_token != JsonToken.StartObject && _token != JsonToken.StartArray) return;
        int depth = _depth;
        while (Read() && _depth >= depth)
        {
        }
    }

    // ---- values ----------------------------------------------------------------------------

    /// <summary>The current string or property name, unescaped, as a new string.</summary>
    public string GetString()
    {
        RequireText();
        if (!_hasEscapes) return Utf8.GetString(_buf, _tokenStart, _tokenEnd - _tokenStart);
        int count = 0;
        for (int p = _tokenStart; p < _tokenEnd;)
        {
            int cp = NextCodePoint(ref p);
            count += cp >= 0x10000 ? 2 : 1;
        }
        var chars = new char[count];
        int i = 0;
        for (int p = _tokenStart; p < _tokenEnd;)
        {
            i += Utf8.PutChar(NextCodePoint(ref p), chars, i);
        }
        return new string(chars);
    }

    /// <summary>Whether the current string or property name equals <paramref name="text"/>; allocates nothing.</summary>
    public bool ValueEquals(string text)
    {
        RequireText();
        int i = 0;
        for (int p = _tokenStart; p < _tokenEnd;)
        {
            int cp = NextCodePoint(ref p);
            if (cp >= 0x10000)
            {
                cp -= 0x10000;
                if (i + 1 >= text.Length || text[i] != (char)(0xD800 + (cp >> 10)) || text[i + 1] != (char)(0xDC00 + (cp & 0x3FF))) return false;
                i += 2;
            }
            else
            {
                if (i >= text.Length || text[i] != (char)cp) return false;
                i++;
            }
        }
        return i == text.Length;
    }

    public bool GetBoolean()
    {
        if (_token == JsonToken.True) return true;
        if (_token == JsonToken.False) return false;
        throw new JsonFormatException("expected true or false");
    }

    /// <summary>The current number as a whole number; throws if it has a fraction or exponent or overflows.</summary>
    public long GetInt64()
    {
        RequireNumber();
        int p = _tokenStart;
        bool negative = _buf[p] == '-';
        if (negative) p++;
        long value = 0;
        for (; p < _tokenEnd; p++)
        {
            byte c = _buf[p];
            if (c < '0' || c > '9') throw new JsonFormatException("expected a whole number");
            int digit = c - '0';
            // Accumulate negatively so long.MinValue parses too.
            if (value < (long.MinValue + digit) / 10) throw new JsonFormatException("number out of range");
            value = value * 10 - digit;
        }
        if (!negative)
        {
            if (value == long.MinValue) throw new JsonFormatException("number out of range");
            value = -value;
        }
        return value;
    }

    public int GetInt32()
    {
        long v = GetInt64();
        if (v < int.MinValue || v > int.MaxValue) throw new JsonFormatException("number out of range");
        return (int)v;
    }

    /// <summary>The current number as a double: 15 significant digits exact, the last bit of longer ones may differ.</summary>
    public double GetDouble()
    {
        RequireNumber();
        int p = _tokenStart;
        bool negative = _buf[p] == '-';
        if (negative) p++;
        long mantissa = 0;
        int digits = 0;
        int exponent = 0;
        for (; p < _tokenEnd && _buf[p] >= '0' && _buf[p] <= '9'; p++)
        {
            if (digits < 18) { mantissa = mantissa * 10 + (_buf[p] - '0'); if (mantissa != 0) digits++; }
            else exponent++;
        }
        if (p < _tokenEnd && _buf[p] == '.')
        {
            for (p++; p < _tokenEnd && _buf[p] >= '0' && _buf[p] <= '9'; p++)
            {
                if (digits < 18) { mantissa = mantissa * 10 + (_buf[p] - '0'); exponent--; if (mantissa != 0) digits++; }
            }
        }
        if (p < _tokenEnd && (_buf[p] == 'e' || _buf[p] == 'E'))
        {
            p++;
            bool negExp = _buf[p] == '-';
            if (_buf[p] == '+' || _buf[p] == '-') p++;
            int e = 0;
            for (; p < _tokenEnd; p++)
            {
                if (e < 10000) e = e * 10 + (_buf[p] - '0');
            }
            exponent += negExp ? -e : e;
        }
        double value = mantissa;
        // Dividing by an exact power of ten rounds correctly; multiplying by 10^-n would not.
        if (exponent < 0) value /= PowerOfTen(-exponent);
        else if (exponent > 0) value *= PowerOfTen(exponent);
        return negative ? -value : value;
    }

    public float GetSingle() { return (float)GetDouble(); }

    private static double PowerOfTen(int n)
    {
        if (n > 400) return double.PositiveInfinity;
        double result = 1;
        double square = 10;
        while (n > 0)
        {
            if ((n & 1) != 0) result *= square;
            square *= square;
            n >>= 1;
        }
        return result;
    }

    // ---- scanning ----------------------------------------------------------------------------

    private void SkipWhitespace()
    {
        while (_pos < _end)
        {
            byte c = _buf[_pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            _pos++;
        }
    }

    private void ScanLiteral(string literal)
    {
        for (int i = 0; i < literal.Length; i++)
        {
            if (_pos + i >= _end || _buf[_pos + i] != literal[i]) throw Error("expected a value");
        }
        _pos += literal.Length;
    }

    private void ScanNumber()
    {
        _tokenStart = _pos;
        if (_buf[_pos] == '-') _pos++;
        if (_pos >= _end || !IsDigit(_buf[_pos])) throw Error("invalid number: a digit must follow '-'");
        if (_buf[_pos] == '0')
        {
            _pos++;
            if (_pos < _end && IsDigit(_buf[_pos])) throw Error("invalid number: leading zeros are not allowed");
        }
        else
        {
            while (_pos < _end && IsDigit(_buf[_pos])) _pos++;
        }
        if (_pos < _end && _buf[_pos] == '.')
        {
            _pos++;
            if (_pos >= _end || !IsDigit(_buf[_pos])) throw Error("invalid number: a digit must follow '.'");
            while (_pos < _end && IsDigit(_buf[_pos])) _pos++;
        }
        if (_pos < _end && (_buf[_pos] == 'e' || _buf[_pos] == 'E'))
        {
            _pos++;
            if (_pos < _end && (_buf[_pos] == '+' || _buf[_pos] == '-')) _pos++;
            if (_pos >= _end || !IsDigit(_buf[_pos])) throw Error("invalid number: a digit must follow the exponent");
            while (_pos < _end && IsDigit(_buf[_pos])) _pos++;
        }
        _tokenEnd = _pos;
        if (_pos < _end)
        {
            byte c = _buf[_pos];
            if (c != ',' && c != '}' && c != ']' && c != ' ' && c != '\t' && c != '\n' && c != '\r')
                throw Error("invalid number");
        }
    }

    private void ScanString()
    {
        _pos++; // opening quote
        _tokenStart = _pos;
        _hasEscapes = false;
        while (true)
        {
            if (_pos >= _end) throw Error("unterminated string");
            byte c = _buf[_pos];
            if (c == '"') break;
            if (c < 0x20) throw Error("control character in a string (escape it)");
            if (c == '\\')
            {
                _hasEscapes = true;
                if (_pos + 1 >= _end) throw Error("unterminated string");
                byte e = _buf[_pos + 1];
                if (e == 'u')
                {
                    if (_pos + 5 >= _end) throw Error("unterminated \\u escape");
                    for (int k = 2; k <= 5; k++)
                    {
                        if (HexValue(_buf[_pos + k]) < 0) throw Error("invalid \\u escape");
                    }
                    _pos += 6;
                    continue;
                }
                if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't')
                    throw Error("invalid escape sequence");
                _pos += 2;
                continue;
            }
            if (c >= 0x80)
            {
                if (Utf8.DecodeCodePoint(_buf, _pos, _end, out int len) < 0) throw Error("invalid UTF-8 in a string");
                _pos += len;
                continue;
            }
            _pos++;
        }
        _tokenEnd = _pos;
        _pos++; // closing quote
    }

    /// <summary>Decodes the code point at <paramref name="p"/> inside the current string token.</summary>
    private int NextCodePoint(ref int p)
    {
        byte c = _buf[p];
        if (c == '\\')
        {
            byte e = _buf[p + 1];
            p += 2;
            switch (e)
            {
                case (byte)'b': return '\b';
                case (byte)'f': return '\f';
                case (byte)'n': return '\n';
                case (byte)'r': return '\r';
                case (byte)'t': return '\t';
                case (byte)'u':
                    int unit = ReadHex4(p);
                    p += 4;
                    // A surrogate pair arrives as two escapes.
                    if (unit >= 0xD800 && unit <= 0xDBFF && p + 5 < _tokenEnd && _buf[p] == '\\' && _buf[p + 1] == 'u')
                    {
                        int low = ReadHex4(p + 2);
                        if (low >= 0xDC00 && low <= 0xDFFF)
                        {
                            p += 6;
                            return 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                        }
                    }
                    return unit >= 0xD800 && unit <= 0xDFFF ? 0xFFFD : unit;
                default: return e; // \" \\ \/
            }
        }
        if (c < 0x80)
        {
            p++;
            return c;
        }
        int cp = Utf8.DecodeCodePoint(_buf, p, _tokenEnd, out int len);
        p += len;
        return cp;
    }

    private int ReadHex4(int p)
    {
        return (HexValue(_buf[p]) << 12) | (HexValue(_buf[p + 1]) << 8) | (HexValue(_buf[p + 2]) << 4) | HexValue(_buf[p + 3]);
    }

    private static int HexValue(byte c)
    {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    private static bool IsDigit(byte c) { return c >= '0' && c <= '9'; }

    private void RequireText()
    {
        if (_token != JsonToken.String && _token != JsonToken.PropertyName)
            throw new JsonFormatException("expected a string");
    }

    private void RequireNumber()
    {
        if (_token != JsonToken.Number) throw new JsonFormatException("expected a number");
    }

    /// <summary>A syntax error at the current position, with line and column (1-based, in characters).</summary>
    private JsonFormatException Error(string what)
    {
        int line = 1;
        int column = 1;
        int limit = _pos < _end ? _pos : _end;
        for (int p = _begin; p < limit; p++)
        {
            byte c = _buf[p];
            if (c == '\n') { line++; column = 1; }
            else if ((c & 0xC0) != 0x80) column++; // count characters, not UTF-8 continuation bytes
        }
        return new JsonFormatException("invalid JSON at line " + line.ToString() + ", column " + column.ToString() + ": " + what);
    }
}
