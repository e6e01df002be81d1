using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace Edge.Firmware.Host.Imaging;

/// <summary>
/// A 1-bit panel frame as a PNG (RFC 2083 / ISO 15948): grayscale, bit depth 1, ink drawn black. The
/// frame is the firmware's layout: rows of (width + 7) / 8 bytes, most significant bit first, 1 = ink.
/// Decoding accepts what this encoder writes and any 8-bit or 1-bit grayscale PNG without interlace,
/// so golden images edited in another tool can still be compared.
/// </summary>
public static class MonoPng
{
    private static readonly byte[] Signature = { 137, 80, 78, 71, 13, 10, 26, 10 };

    public static byte[] Encode(byte[] frame, int width, int height)
    {
        int stride = (width + 7) / 8;
        if (frame.Length < stride * height) throw new ArgumentException("frame is smaller than width × height", nameof(frame));
        using var output = new MemoryStream();
        output.Write(Signature);

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(0), width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 1; // bit depth
        header[9] = 0; // grayscale
        WriteChunk(output, "IHDR", header);

        using (var raw = new MemoryStream())
        {
            using (var z = new ZLibStream(raw, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                var line = new byte[stride + 1]; // filter byte 0 (None) then the row
                for (int y = 0; y < height; y++)
                {
                    for (int i = 0; i < stride; i++) line[1 + i] = (byte)~frame[y * stride + i]; // PNG: 0 = black
                    if ((width & 7) != 0) line[stride] |= (byte)(0xFF >> (width & 7)); // padding bits white
                    z.Write(line);
                }
            }
            WriteChunk(output, "IDAT", raw.ToArray());
        }
        WriteChunk(output, "IEND", Array.Empty<byte>());
        return output.ToArray();
    }

    /// <summary>Decodes a grayscale PNG into a 1-bit frame (pixels darker than mid-grey are ink).</summary>
    public static byte[] Decode(byte[] png, out int width, out int height)
    {
        if (png.Length < 8 || !png.AsSpan(0, 8).SequenceEqual(Signature)) throw new InvalidDataException("not a PNG file");
        int pos = 8;
        width = height = 0;
        int depth = 0;
        using var idat = new MemoryStream();
        while (pos + 8 <= png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            string type = Encoding.ASCII.GetString(png, pos + 4, 4);
            var data = png.AsSpan(pos + 8, length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + length));
            if (crc != Crc32(png.AsSpan(pos + 4, length + 4))) throw new InvalidDataException("PNG chunk " + type + " has a bad CRC");
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data.Slice(4));
                depth = data[8];
                if (data[9] != 0 || (depth != 1 && depth != 8) || data[12] != 0)
                    throw new InvalidDataException("only non-interlaced 1-bit or 8-bit grayscale PNGs are supported");
            }
            else if (type == "IDAT") idat.Write(data);
            else if (type == "IEND") break;
            pos += 12 + length;
        }
        if (width <= 0 || height <= 0) throw new InvalidDataException("PNG has no IHDR");

        int rowBytes = depth == 1 ? (width + 7) / 8 : width;
        var raw = new byte[(rowBytes + 1) * height];
        idat.Position = 0;
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
        {
            z.ReadExactly(raw);
        }
        var prior = new byte[rowBytes];
        var row = new byte[rowBytes];
        int stride = (width + 7) / 8;
        var frame = new byte[stride * height];
        int bpp = 1; // bytes per complete pixel, rounded up, for the filters
        for (int y = 0; y < height; y++)
        {
            int filter = raw[y * (rowBytes + 1)];
            for (int i = 0; i < rowBytes; i++)
            {
                int x = raw[y * (rowBytes + 1) + 1 + i];
                int a = i >= bpp ? row[i - bpp] : 0;
                int b = prior[i];
                int c = i >= bpp ? prior[i - bpp] : 0;
                row[i] = filter switch
                {
                    0 => (byte)x,
                    1 => (byte)(x + a),
                    2 => (byte)(x + b),
                    3 => (byte)(x + (a + b) / 2),
                    4 => (byte)(x + Paeth(a, b, c)),
                    _ => throw new InvalidDataException("bad PNG filter type " + filter),
                };
            }
            for (int px = 0; px < width; px++)
            {
                bool ink = depth == 1 ? (row[px >> 3] & (0x80 >> (px & 7))) == 0 : row[px] < 128;
                if (ink) frame[y * stride + (px >> 3)] |= (byte)(0x80 >> (px & 7));
            }
            (prior, row) = (row, prior);
        }
        return frame;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        s.Write(word);
        var typed = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type, 0, 4, typed, 0);
        data.CopyTo(typed, 4);
        s.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        s.Write(word);
    }

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>The CRC-32 of PNG chunks (ISO 3309, as in zlib).</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
