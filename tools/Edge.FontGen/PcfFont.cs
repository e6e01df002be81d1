using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace Edge.FontGen;

/// <summary>One glyph of a bitmap font: its ink box and rows of pixels (true = ink).</summary>
public sealed class PcfGlyph
{
    public required int LeftBearing { get; init; }
    public required int RightBearing { get; init; }
    public required int Advance { get; init; }
    public required int Ascent { get; init; }
    public required int Descent { get; init; }
    public required bool[,] Pixels { get; init; } // [row, column] over the ink box
}

/// <summary>
/// Reader for the X11 Portable Compiled Format (PCF), the format Debian ships bitmap fonts in
/// (/usr/share/fonts/X11/misc/*.pcf.gz). Reads only what a glyph table needs: metrics, bitmaps,
/// encodings and the font ascent/descent. Layout as documented in the X.Org "PCF" format notes.
/// </summary>
public sealed class PcfFont
{
    private const int Accelerators = 1 << 1;
    private const int Metrics = 1 << 2;
    private const int Bitmaps = 1 << 3;
    private const int BdfEncodings = 1 << 5;
    private const int BdfAccelerators = 1 << 8;
    private const int CompressedMetrics = 0x100;
    private const int ByteMsbFirst = 1 << 2;
    private const int BitMsbFirst = 1 << 3;

    public int FontAscent { get; private set; }
    public int FontDescent { get; private set; }
    private readonly Dictionary<int, PcfGlyph> _glyphs = new();

    public bool TryGetGlyph(int codePoint, out PcfGlyph glyph) => _glyphs.TryGetValue(codePoint, out glyph!);

    public static PcfFont Load(string path)
    {
        byte[] data;
        using (var file = File.OpenRead(path))
        using (var buffer = new MemoryStream())
        {
            if (path.EndsWith(".gz", StringComparison.Ordinal))
            {
                using var gz = new GZipStream(file, CompressionMode.Decompress);
                gz.CopyTo(buffer);
            }
            else
            {
                file.CopyTo(buffer);
            }
            data = buffer.ToArray();
        }
        return Parse(data, path);
    }

    public static PcfFont Parse(byte[] data, string name)
    {
        if (data.Length < 8 || data[0] != 1 || data[1] != (byte)'f' || data[2] != (byte)'c' || data[3] != (byte)'p')
            throw new InvalidDataException(name + ": not a PCF font");
        int tableCount = LittleInt32(data, 4);
        var tables = new Dictionary<int, int>(); // type → offset
        for (int i = 0; i < tableCount; i++)
        {
            int entry = 8 + i * 16;
            tables[LittleInt32(data, entry)] = LittleInt32(data, entry + 12);
        }
        foreach (int required in new[] { Metrics, Bitmaps, BdfEncodings })
        {
            if (!tables.ContainsKey(required)) throw new InvalidDataException(name + ": PCF table " + required + " missing");
        }

        var font = new PcfFont();
        int accel = tables.TryGetValue(BdfAccelerators, out int bdfAccel) ? bdfAccel : tables[Accelerators];
        var ar = new TableReader(data, accel);
        ar.Skip(8); // eight one-byte flags
        font.FontAscent = ar.Int32();
        font.FontDescent = ar.Int32();

        var mr = new TableReader(data, tables[Metrics]);
        bool compressed = (mr.Format & CompressedMetrics) != 0;
        int metricCount = compressed ? mr.Int16() : mr.Int32();
        var lsb = new int[metricCount];
        var rsb = new int[metricCount];
        var adv = new int[metricCount];
        var asc = new int[metricCount];
        var desc = new int[metricCount];
        for (int i = 0; i < metricCount; i++)
        {
            if (compressed)
            {
                lsb[i] = mr.Byte() - 0x80; rsb[i] = mr.Byte() - 0x80; adv[i] = mr.Byte() - 0x80;
                asc[i] = mr.Byte() - 0x80; desc[i] = mr.Byte() - 0x80;
            }
            else
            {
                lsb[i] = mr.Int16(); rsb[i] = mr.Int16(); adv[i] = mr.Int16(); asc[i] = mr.Int16(); desc[i] = mr.Int16();
                mr.Skip(2); // attributes
            }
        }

        var br = new TableReader(data, tables[Bitmaps]);
        int glyphCount = br.Int32();
        var offsets = new int[glyphCount];
        for (int i = 0; i < glyphCount; i++) offsets[i] = br.Int32();
        br.Skip(16); // bitmap sizes for the four paddings
        int bitmapStart = br.Position;
        int pad = 1 << (br.Format & 3);
        int scanUnit = 1 << ((br.Format >> 4) & 3);
        bool msbBytes = (br.Format & ByteMsbFirst) != 0;
        bool msbBits = (br.Format & BitMsbFirst) != 0;

        var er = new TableReader(data, tables[BdfEncodings]);
        int minByte2 = er.Int16(), maxByte2 = er.Int16(), minByte1 = er.Int16(), maxByte1 = er.Int16();
        er.Int16(); // default char
        for (int b1 = minByte1; b1 <= maxByte1; b1++)
        {
            for (int b2 = minByte2; b2 <= maxByte2; b2++)
            {
                int index = er.Int16() & 0xFFFF;
                if (index == 0xFFFF || index >= glyphCount) continue;
                int width = rsb[index] - lsb[index];
                int height = asc[index] + desc[index];
                int stride = (width + pad * 8 - 1) / (pad * 8) * pad;
                var pixels = new bool[height, width];
                for (int y = 0; y < height; y++)
                {
                    int row = bitmapStart + offsets[index] + y * stride;
                    for (int x = 0; x < width; x++)
                    {
                        int byteIndex = x / 8;
                        // Bytes are stored in scan units; reorder when byte and bit order differ.
                        if (msbBytes != msbBits) byteIndex = byteIndex / scanUnit * scanUnit + (scanUnit - 1 - byteIndex % scanUnit);
                        int b = data[row + byteIndex];
                        int bit = msbBits ? 7 - x % 8 : x % 8;
                        pixels[y, x] = ((b >> bit) & 1) != 0;
                    }
                }
                font._glyphs[(b1 << 8) | b2] = new PcfGlyph
                {
                    LeftBearing = lsb[index], RightBearing = rsb[index], Advance = adv[index],
                    Ascent = asc[index], Descent = desc[index], Pixels = pixels,
                };
            }
        }
        return font;
    }

    private static int LittleInt32(byte[] d, int p) => d[p] | d[p + 1] << 8 | d[p + 2] << 16 | d[p + 3] << 24;

    /// <summary>Reads one table: its first four bytes (little-endian) are the format, the rest follows it.</summary>
    private sealed class TableReader
    {
        private readonly byte[] _d;
        public int Position;
        public readonly int Format;
        private readonly bool _bigEndian;

        public TableReader(byte[] d, int offset)
        {
            _d = d;
            Format = LittleInt32(d, offset);
            Position = offset + 4;
            _bigEndian = (Format & ByteMsbFirst) != 0;
        }

        public void Skip(int n) => Position += n;
        public int Byte() => _d[Position++];

        public int Int16()
        {
            int v = _bigEndian ? _d[Position] << 8 | _d[Position + 1] : _d[Position] | _d[Position + 1] << 8;
            Position += 2;
            return (short)v;
        }

        public int Int32()
        {
            int p = Position;
            Position += 4;
            return _bigEndian ? _d[p] << 24 | _d[p + 1] << 16 | _d[p + 2] << 8 | _d[p + 3] : LittleInt32(_d, p);
        }
    }
}
