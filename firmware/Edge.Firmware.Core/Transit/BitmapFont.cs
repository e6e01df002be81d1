namespace Edge.Firmware.Transit;

/// <summary>
/// A fixed-cell 1-bit font: every glyph is <see cref="Width"/>×<see cref="Height"/> pixels, rows stored
/// most significant bit first, one glyph after the other in the order of <see cref="Chars"/> (sorted,
/// so lookup is a binary search). The tables are generated from Terminus Font (DisplayFonts.g.cs).
/// </summary>
public sealed class BitmapFont
{
    private readonly string _chars;
    private readonly byte[] _bits;
    private readonly int _questionMark;

    public BitmapFont(int width, int height, int ascent, string chars, byte[] bits)
    {
        Width = width;
        Height = height;
        Ascent = ascent;
        RowBytes = (width + 7) / 8;
        _chars = chars;
        _bits = bits;
        _questionMark = IndexOf('?');
    }

    /// <summary>Advance of every glyph in pixels.</summary>
    public int Width { get; }

    public int Height { get; }

    /// <summary>Rows above the baseline.</summary>
    public int Ascent { get; }

    public int RowBytes { get; }

    public string Chars { get { return _chars; } }

    internal byte[] Bits { get { return _bits; } }

    public bool Has(char c) { return IndexOf(c) >= 0; }

    /// <summary>Glyph index of <paramref name="c"/>; characters the font lacks draw as '?'.</summary>
    public int GlyphOf(char c)
    {
        int i = IndexOf(c);
        return i >= 0 ? i : _questionMark;
    }

    /// <summary>Byte offset of row <paramref name="row"/> of glyph <paramref name="glyph"/> in the bit table.</summary>
    internal int RowOffset(int glyph, int row) { return (glyph * Height + row) * RowBytes; }

    private int IndexOf(char c)
    {
        int lo = 0;
        int hi = _chars.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            char m = _chars[mid];
            if (m == c) return mid;
            if (m < c) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }
}
