namespace Edge.Firmware.Transit;

/// <summary>
/// Draws into one horizontal band of a 1-bit frame: rows [<see cref="FirstRow"/>,
/// FirstRow + RowCount) of a panel <see cref="Width"/> pixels wide, 1 = ink (dark), rows packed most
/// significant bit first, (Width + 7) / 8 bytes per row. Everything outside the band is clipped, so the
/// same drawing code renders a whole frame or any band of it identically. Allocates nothing.
/// </summary>
public sealed class BandCanvas
{
    /// <summary>U+2026, drawn where text is shortened.</summary>
    public const char Ellipsis = '\u2026';

    private byte[] _band = new byte[0];
    private int _stride;

    public int Width { get; private set; }

    public int FirstRow { get; private set; }

    public int RowCount { get; private set; }

    public void Begin(int width, int firstRow, int rowCount, byte[] band)
    {
        Width = width;
        FirstRow = firstRow;
        RowCount = rowCount;
        _stride = (width + 7) / 8;
        _band = band;
        int bytes = _stride * rowCount;
        for (int i = 0; i < bytes; i++) band[i] = 0;
    }

    /// <summary>Whether anything in rows [y, y+height) falls inside the band.</summary>
    public bool Touches(int y, int height) { return y < FirstRow + RowCount && y + height > FirstRow; }

    /// <summary>Fills a rectangle with ink (<paramref name="ink"/> true) or paper.</summary>
    public void Fill(int x, int y, int width, int height, bool ink)
    {
        int x0 = x < 0 ? 0 : x;
        int x1 = x + width > Width ? Width : x + width;
        int y0 = y < FirstRow ? FirstRow : y;
        int y1 = y + height > FirstRow + RowCount ? FirstRow + RowCount : y + height;
        for (int row = y0; row < y1; row++)
        {
            int line = (row - FirstRow) * _stride;
            for (int px = x0; px < x1; px++)
            {
                int i = line + (px >> 3);
                byte bit = (byte)(0x80 >> (px & 7));
                if (ink) _band[i] |= bit;
                else _band[i] = (byte)(_band[i] & ~bit);
            }
        }
    }

    /// <summary>Width in pixels of <paramref name="count"/> characters.</summary>
    public static int TextWidth(BitmapFont font, int count, int scale) { return count * font.Width * scale; }

    /// <summary>
    /// Draws <paramref name="text"/>[start, start+count) with its top-left at (x, y), in ink or paper.
    /// If it is wider than <paramref name="maxWidth"/>, whole glyphs are dropped from the end and an
    /// ellipsis closes the line; a glyph is never cut. Returns the width drawn.
    /// </summary>
    public int Text(BitmapFont font, string text, int start, int count, int x, int y, int maxWidth, int scale, bool ink)
    {
        int advance = font.Width * scale;
        int fit = maxWidth / advance;
        if (fit <= 0) return 0;
        bool shorten = count > fit;
        int shown = shorten ? fit - 1 : count;
        if (shorten)
        {
            // No space before the ellipsis: "Πλατεία …" reads worse than "Πλατεία…".
            while (shown > 0 && text[start + shown - 1] == ' ') shown--;
        }
        if (!Touches(y, font.Height * scale)) return (shown + (shorten ? 1 : 0)) * advance;
        for (int i = 0; i < shown; i++) Glyph(font, text[start + i], x + i * advance, y, scale, ink);
        if (shorten) Glyph(font, Ellipsis, x + shown * advance, y, scale, ink);
        return (shown + (shorten ? 1 : 0)) * advance;
    }

    public int Text(BitmapFont font, string text, int x, int y, int maxWidth, int scale, bool ink)
    {
        return Text(font, text, 0, text.Length, x, y, maxWidth, scale, ink);
    }

    /// <summary>Draws characters from a preallocated buffer (clock, minutes); no ellipsis, clipped at the panel edge.</summary>
    public int Chars(BitmapFont font, char[] chars, int count, int x, int y, int scale, bool ink)
    {
        int advance = font.Width * scale;
        if (Touches(y, font.Height * scale))
        {
            for (int i = 0; i < count; i++) Glyph(font, chars[i], x + i * advance, y, scale, ink);
        }
        return count * advance;
    }

    /// <summary>Draws one glyph scaled by an integer factor (each font pixel becomes scale×scale).</summary>
    public void Glyph(BitmapFont font, char c, int x, int y, int scale, bool ink)
    {
        int glyph = font.GlyphOf(c);
        if (glyph < 0) return;
        int rows = font.Height * scale;
        int r0 = FirstRow > y ? FirstRow - y : 0;
        int r1 = FirstRow + RowCount - y < rows ? FirstRow + RowCount - y : rows;
        if (r0 >= r1) return; // outside this band: not even fetched
        int first = font.Load(glyph);
        byte[] bits = font.Cache;
        for (int r = r0; r < r1; r++)
        {
            int src = first + r / scale * font.RowBytes;
            int line = (y + r - FirstRow) * _stride;
            for (int col = 0; col < font.Width; col++)
            {
                if ((bits[src + (col >> 3)] & (0x80 >> (col & 7))) == 0) continue;
                for (int s = 0; s < scale; s++)
                {
                    int px = x + col * scale + s;
                    if (px < 0 || px >= Width) continue;
                    int i = line + (px >> 3);
                    byte bit = (byte)(0x80 >> (px & 7));
                    if (ink) _band[i] |= bit;
                    else _band[i] = (byte)(_band[i] & ~bit);
                }
            }
        }
    }
}
