namespace Edge.Firmware.Protocol;

/// <summary>
/// UTF-8 ⇄ UTF-16 conversion. nanoFramework keeps System.Text.Encoding in a separate assembly; the core
/// needs only this much, so it carries its own and stays within mscorlib.
/// </summary>
public static class Utf8
{
    /// <summary>Number of UTF-8 bytes needed for <paramref name="s"/> (lone surrogates count as U+FFFD).</summary>
    public static int GetByteCount(string s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c < 0x80) n += 1;
            else if (c < 0x800) n += 2;
            else if (IsHighSurrogate(c) && i + 1 < s.Length && IsLowSurrogate(s[i + 1])) { n += 4; i++; }
            else n += 3;
        }
        return n;
    }

    /// <summary>Encodes <paramref name="s"/> into <paramref name="dest"/> at <paramref name="offset"/>; returns bytes written.</summary>
    public static int Encode(string s, byte[] dest, int offset)
    {
        int p = offset;
        for (int i = 0; i < s.Length; i++)
        {
            int c = s[i];
            if (IsHighSurrogate((char)c) && i + 1 < s.Length && IsLowSurrogate(s[i + 1]))
            {
                c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
                i++;
            }
            else if (c >= 0xD800 && c <= 0xDFFF)
            {
                c = 0xFFFD;
            }
            p += EncodeCodePoint(c, dest, p);
        }
        return p - offset;
    }

    /// <summary>Encodes a whole string into a new array (start-up and tooling use, not per tick).</summary>
    public static byte[] GetBytes(string s)
    {
        var bytes = new byte[GetByteCount(s)];
        Encode(s, bytes, 0);
        return bytes;
    }

    /// <summary>Writes one code point; returns the number of bytes (1–4).</summary>
    public static int EncodeCodePoint(int c, byte[] dest, int p)
    {
        if (c < 0x80) { dest[p] = (byte)c; return 1; }
        if (c < 0x800)
        {
            dest[p] = (byte)(0xC0 | (c >> 6));
            dest[p + 1] = (byte)(0x80 | (c & 0x3F));
            return 2;
        }
        if (c < 0x10000)
        {
            dest[p] = (byte)(0xE0 | (c >> 12));
            dest[p + 1] = (byte)(0x80 | ((c >> 6) & 0x3F));
            dest[p + 2] = (byte)(0x80 | (c & 0x3F));
            return 3;
        }
        dest[p] = (byte)(0xF0 | (c >> 18));
        dest[p + 1] = (byte)(0x80 | ((c >> 12) & 0x3F));
        dest[p + 2] = (byte)(0x80 | ((c >> 6) & 0x3F));
        dest[p + 3] = (byte)(0x80 | (c & 0x3F));
        return 4;
    }

    /// <summary>
    /// Decodes one code point starting at <paramref name="p"/>; returns it and the bytes consumed in
    /// <paramref name="length"/>, or -1 for an invalid sequence (overlong, surrogate, truncated, &gt; U+10FFFF).
    /// </summary>
    public static int DecodeCodePoint(byte[] src, int p, int end, out int length)
    {
        int b0 = src[p];
        if (b0 < 0x80) { length = 1; return b0; }
        int need;
        int cp;
        int min;
        if ((b0 & 0xE0) == 0xC0) { need = 1; cp = b0 & 0x1F; min = 0x80; }
        else if ((b0 & 0xF0) == 0xE0) { need = 2; cp = b0 & 0x0F; min = 0x800; }
        else if ((b0 & 0xF8) == 0xF0) { need = 3; cp = b0 & 0x07; min = 0x10000; }
        else { length = 1; return -1; }
        if (p + need >= end) { length = 1; return -1; }
        for (int k = 1; k <= need; k++)
        {
            int b = src[p + k];
            if ((b & 0xC0) != 0x80) { length = 1; return -1; }
            cp = (cp << 6) | (b & 0x3F);
        }
        length = need + 1;
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
        return cp;
    }

    /// <summary>Decodes UTF-8 bytes into a new string (invalid sequences become U+FFFD).</summary>
    public static string GetString(byte[] src, int offset, int count)
    {
        int end = offset + count;
        int chars = 0;
        for (int p = offset; p < end;)
        {
            int cp = DecodeCodePoint(src, p, end, out int len);
            chars += cp >= 0x10000 ? 2 : 1;
            p += len;
        }
        var buffer = new char[chars];
        int i = 0;
        for (int p = offset; p < end;)
        {
            int cp = DecodeCodePoint(src, p, end, out int len);
            if (cp < 0) cp = 0xFFFD;
            i += PutChar(cp, buffer, i);
            p += len;
        }
        return new string(buffer);
    }

    /// <summary>Writes a code point as one or two UTF-16 units; returns how many.</summary>
    public static int PutChar(int cp, char[] dest, int i)
    {
        if (cp < 0x10000) { dest[i] = (char)cp; return 1; }
        cp -= 0x10000;
        dest[i] = (char)(0xD800 + (cp >> 10));
        dest[i + 1] = (char)(0xDC00 + (cp & 0x3FF));
        return 2;
    }

    private static bool IsHighSurrogate(char c) { return c >= 0xD800 && c <= 0xDBFF; }

    private static bool IsLowSurrogate(char c) { return c >= 0xDC00 && c <= 0xDFFF; }
}
