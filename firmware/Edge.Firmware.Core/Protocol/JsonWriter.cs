using System;

namespace Edge.Firmware.Protocol;

/// <summary>
/// Writes compact JSON (RFC 8259) as UTF-8 into a caller-owned, preallocated byte array: nothing is
/// allocated while writing, so a node can encode telemetry every few minutes for years without feeding
/// the garbage collector. Commas and nesting are tracked here, so callers only say what comes next.
/// Numbers with a fraction are written in fixed point with at most 3 fraction digits (protocol.md
/// §5.3), digit by digit, so no culture or double.ToString formatting is involved.
/// Running out of room throws <see cref="JsonBufferFullException"/>: a message is never silently cut.
/// </summary>
public sealed class JsonWriter
{
    /// <summary>Deepest nesting the writer tracks (the same limit as <see cref="JsonReader"/>).</summary>
    public const int MaxDepth = JsonReader.MaxDepth;

    private readonly bool[] _hasItems = new bool[MaxDepth + 1];
    private readonly byte[] _digits = new byte[20];
    private byte[] _buf;
    private int _start;
    private int _pos;
    private int _depth;
    private bool _afterName;

    public JsonWriter(byte[] buffer)
    {
        _buf = buffer;
    }

    /// <summary>The array written into.</summary>
    public byte[] Buffer { get { return _buf; } }

    /// <summary>Offset of the first byte of the document in <see cref="Buffer"/>.</summary>
    public int Start { get { return _start; } }

    /// <summary>Bytes written since the last <see cref="Reset()"/>.</summary>
    public int Length { get { return _pos - _start; } }

    /// <summary>Nesting depth: 0 outside any container.</summary>
    public int Depth { get { return _depth; } }

    /// <summary>Starts a new document at the beginning of the buffer.</summary>
    public void Reset() { Reset(_buf, 0); }

    /// <summary>Starts a new document in <paramref name="buffer"/> at <paramref name="offset"/>.</summary>
    public void Reset(byte[] buffer, int offset)
    {
        _buf = buffer;
        _start = offset;
        _pos = offset;
        _depth = 0;
        _afterName = false;
        _hasItems[0] = false;
    }

    // ---- structure ------------------------------------------------------------------------------

    public void StartObject() { Open((byte)'{'); }

    public void EndObject() { Close((byte)'}'); }

    public void StartArray() { Open((byte)'['); }

    public void EndArray() { Close((byte)']'); }

    /// <summary>Writes a member name; the next value written is its value.</summary>
    public void Name(string name)
    {
        if (_afterName) throw new InvalidOperationException("JSON writer: a value must follow the name");
        Separator();
        WriteQuoted(name);
        Put((byte)':');
        _afterName = true;
    }

    // ---- values ---------------------------------------------------------------------------------

    public void String(string value)
    {
        BeforeValue();
        WriteQuoted(value);
    }

    public void Int(long value)
    {
        BeforeValue();
        WriteInteger(value);
    }

    public void Bool(bool value)
    {
        BeforeValue();
        PutAscii(value ? "true" : "false");
    }

    public void Null()
    {
        BeforeValue();
        PutAscii("null");
    }

    /// <summary>
    /// Writes <paramref name="value"/> rounded to 3 fraction digits (half away from zero), trailing zeros
    /// dropped: 38.4 → <c>38.4</c>, 2.0 → <c>2</c>, -0.0004 → <c>0</c>. Infinity and NaN have no JSON form
    /// and throw <see cref="ArgumentException"/>.
    /// </summary>
    public void Number(double value)
    {
        // NaN fails every comparison, so this one test also refuses it (and both infinities).
        if (!(value <= 9.0e15 && value >= -9.0e15)) throw new ArgumentException("JSON writer: NaN, infinity or a number this large cannot be written");
        BeforeValue();
        long thousandths = (long)(value * 1000.0 + (value >= 0 ? 0.5 : -0.5));
        WriteThousandths(thousandths);
    }

    /// <summary>Writes a fixed-point number given in thousandths (38400 → <c>38.4</c>), exact and float-free.</summary>
    public void Thousandths(long thousandths)
    {
        BeforeValue();
        WriteThousandths(thousandths);
    }

    // ---- members (name + value) -----------------------------------------------------------------

    public void Member(string name, string value) { Name(name); String(value); }

    public void Member(string name, long value) { Name(name); Int(value); }

    public void Member(string name, bool value) { Name(name); Bool(value); }

    public void MemberNumber(string name, double value) { Name(name); Number(value); }

    // ---- internals ------------------------------------------------------------------------------

    private void Open(byte bracket)
    {
        if (_depth == MaxDepth) throw new InvalidOperationException("JSON writer: nesting deeper than " + MaxDepth.ToString());
        BeforeValue();
        Put(bracket);
        _depth++;
        _hasItems[_depth] = false;
    }

    private void Close(byte bracket)
    {
        if (_depth == 0 || _afterName) throw new InvalidOperationException("JSON writer: nothing to close here");
        Put(bracket);
        _depth--;
    }

    private void BeforeValue()
    {
        if (_afterName)
        {
            _afterName = false;
            return;
        }
        if (_depth == 0 && _pos != _start) throw new InvalidOperationException("JSON writer: the document is already complete");
        Separator();
    }

    private void Separator()
    {
        if (_hasItems[_depth]) Put((byte)',');
        _hasItems[_depth] = true;
    }

    private void WriteThousandths(long thousandths)
    {
        bool negative = thousandths < 0;
        ulong magnitude = negative ? (ulong)(-thousandths) : (ulong)thousandths;
        ulong whole = magnitude / 1000;
        int fraction = (int)(magnitude % 1000);
        if (negative && (whole != 0 || fraction != 0)) Put((byte)'-');
        WriteUnsigned(whole);
        if (fraction == 0) return;
        Put((byte)'.');
        Put((byte)('0' + fraction / 100));
        fraction %= 100;
        if (fraction == 0) return;
        Put((byte)('0' + fraction / 10));
        fraction %= 10;
        if (fraction == 0) return;
        Put((byte)('0' + fraction));
    }

    private void WriteInteger(long value)
    {
        if (value < 0)
        {
            Put((byte)'-');
            WriteUnsigned((ulong)(-(value + 1)) + 1);
        }
        else
        {
            WriteUnsigned((ulong)value);
        }
    }

    private void WriteUnsigned(ulong value)
    {
        int n = 0;
        do
        {
            _digits[n++] = (byte)('0' + (int)(value % 10));
            value /= 10;
        }
        while (value != 0);
        while (n > 0) Put(_digits[--n]);
    }

    private void WriteQuoted(string text)
    {
        Put((byte)'"');
        int length = text.Length;
        for (int i = 0; i < length; i++)
        {
            int c = text[i];
            if (c < 0x80)
            {
                if (c == '"' || c == '\\') { Put((byte)'\\'); Put((byte)c); }
                else if (c >= 0x20) Put((byte)c);
                else if (c == '\n') { Put((byte)'\\'); Put((byte)'n'); }
                else if (c == '\r') { Put((byte)'\\'); Put((byte)'r'); }
                else if (c == '\t') { Put((byte)'\\'); Put((byte)'t'); }
                else if (c == '\b') { Put((byte)'\\'); Put((byte)'b'); }
                else if (c == '\f') { Put((byte)'\\'); Put((byte)'f'); }
                else
                {
                    PutAscii("\\u00");
                    Put(HexDigit(c >> 4));
                    Put(HexDigit(c & 0xF));
                }
                continue;
            }
            int cp = c;
            if (c >= 0xD800 && c <= 0xDBFF && i + 1 < length && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF)
            {
                cp = 0x10000 + ((c - 0xD800) << 10) + (text[i + 1] - 0xDC00);
                i++;
            }
            else if (c >= 0xD800 && c <= 0xDFFF)
            {
                cp = 0xFFFD; // a lone surrogate has no UTF-8 form
            }
            Reserve(4);
            _pos += Utf8.EncodeCodePoint(cp, _buf, _pos);
        }
        Put((byte)'"');
    }

    private static byte HexDigit(int v) { return (byte)(v < 10 ? '0' + v : 'a' + v - 10); }

    private void PutAscii(string text)
    {
        for (int i = 0; i < text.Length; i++) Put((byte)text[i]);
    }

    private void Put(byte b)
    {
        if (_pos >= _buf.Length) throw Full();
        _buf[_pos++] = b;
    }

    private void Reserve(int count)
    {
        if (_pos + count > _buf.Length) throw Full();
    }

    private JsonBufferFullException Full()
    {
        return new JsonBufferFullException("JSON writer: the " + (_buf.Length - _start).ToString() + "-byte buffer is full");
    }
}
