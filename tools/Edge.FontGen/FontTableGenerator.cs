using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace Edge.FontGen;

/// <summary>
/// Writes the glyph tables of the bus-stop display from the Terminus Font faces in Debian's xfonts-terminus:
/// Edge.Firmware.Transit.DisplayFonts (cells, characters, and the tables for .NET hosts) and the bus-stop
/// app's binary resources. The output is deterministic: the same font files give the same bytes, which the
/// regeneration test relies on.
/// </summary>
public static class FontTableGenerator
{
    public const string DefaultFontDirectory = "/usr/share/fonts/X11/misc";
    public const string SourcePackage = "Debian package xfonts-terminus 4.48-3.1";

    /// <summary>The faces converted: field name in DisplayFonts, PCF file name.</summary>
    public static readonly (string Field, string File)[] Faces =
    {
        ("Small", "ter-u16b_unicode.pcf.gz"),
        ("Medium", "ter-u24b_unicode.pcf.gz"),
        ("Large", "ter-u32b_unicode.pcf.gz"),
    };

    /// <summary>
    /// The characters a stop sign needs: printable ASCII, the Greek letters with and without tonos and
    /// dialytika, and a few typographic symbols. Code points a face lacks are listed in the header.
    /// </summary>
    public static int[] CharacterSet()
    {
        var set = new List<int>();
        for (int c = 0x20; c <= 0x7E; c++) set.Add(c);
        set.AddRange(new[] { 0xAB, 0xB0, 0xB7, 0xBB });
        for (int c = 0x0384; c <= 0x03CE; c++)
        {
            if (c == 0x0387 || c == 0x038B || c == 0x038D || c == 0x03A2) continue; // not letters / unassigned
            set.Add(c);
        }
        set.AddRange(new[] { 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x2192, 0x20AC, 0x25B2, 0x25BA, 0x26A0 });
        set.Sort();
        return set.ToArray();
    }

    /// <summary>One face converted: its cell, the characters it has (sorted) and the glyph table.</summary>
    public sealed record Face(string Field, string File, int Width, int Height, int Ascent, string Chars, byte[] Bits, IReadOnlyList<string> Missing);

    /// <summary>The three faces read from <paramref name="fontDirectory"/> and converted to 1-bit glyph tables.</summary>
    public static IReadOnlyList<Face> Convert(string fontDirectory)
    {
        var faces = new List<Face>();
        foreach (var (field, file) in Faces)
        {
            var font = PcfFont.Load(Path.Combine(fontDirectory, file));
            int height = font.FontAscent + font.FontDescent;
            int width = 0;
            foreach (int cp in CharacterSet())
            {
                if (font.TryGetGlyph(cp, out var g)) width = Math.Max(width, g.Advance);
            }
            int rowBytes = (width + 7) / 8;
            var chars = new StringBuilder();
            var missing = new List<string>();
            var bytes = new List<byte>();
            foreach (int cp in CharacterSet())
            {
                if (!font.TryGetGlyph(cp, out var g))
                {
                    missing.Add("U+" + cp.ToString("X4", CultureInfo.InvariantCulture));
                    continue;
                }
                chars.Append("\\u" + cp.ToString("X4", CultureInfo.InvariantCulture));
                var cell = new byte[height * rowBytes];
                int top = font.FontAscent - g.Ascent;
                for (int y = 0; y < g.Ascent + g.Descent; y++)
                {
                    for (int x = 0; x < g.RightBearing - g.LeftBearing; x++)
                    {
                        if (!g.Pixels[y, x]) continue;
                        int cx = g.LeftBearing + x;
                        int cy = top + y;
                        if (cx < 0 || cx >= width || cy < 0 || cy >= height)
                            throw new InvalidDataException(file + ": glyph U+" + cp.ToString("X4", CultureInfo.InvariantCulture) + " has ink outside its cell");
                        cell[cy * rowBytes + cx / 8] |= (byte)(0x80 >> (cx % 8));
                    }
                }
                bytes.AddRange(cell);
            }
            faces.Add(new Face(field, file, width, height, font.FontAscent, chars.ToString(), bytes.ToArray(), missing));
        }
        return faces;
    }

    /// <summary>Where the bus-stop app keeps a face's table as a binary resource (read from flash a glyph at a time).</summary>
    public static string ResourceFile(string field) => "firmware/Edge.Firmware.Esp32.BusStop/Fonts/" + field + ".bin";

    /// <summary>
    /// DisplayFonts.g.cs: each face's cell and characters for every build, and its glyph table as C# only for
    /// .NET hosts (<c>#if !NANOFRAMEWORK</c>): on the device the table is the bus-stop app's resource
    /// (<see cref="ResourceFile"/>), so no other app's assembly carries it and it never comes onto the heap whole.
    /// </summary>
    public static string Generate(IReadOnlyList<Face> faces)
    {
        var sb = new StringBuilder();
        sb.Append("// <auto-generated>\n");
        sb.Append("// Generated by tools/Edge.FontGen from the Terminus Font bitmap faces of the " + SourcePackage + "\n");
        sb.Append("// (/usr/share/fonts/X11/misc). Do not edit: run `dotnet run --project tools/Edge.FontGen` instead;\n");
        sb.Append("// a test regenerates this file (and the bus-stop app's Fonts/*.bin) from the installed font and fails if it differs.\n");
        sb.Append("//\n");
        sb.Append("// Terminus Font: Copyright (c) 2010-2014 Dimitar Toshkov Zhekov, licensed under the SIL Open Font\n");
        sb.Append("// License 1.1 (Reserved Font Name \"Terminus Font\"). These tables are a subset converted to 1-bit\n");
        sb.Append("// glyph arrays; as a modified version they do not carry the reserved name.\n");
        sb.Append("// </auto-generated>\n");
        sb.Append("#nullable enable\n");
        sb.Append("namespace Edge.Firmware.Transit;\n\n");
        sb.Append("/// <summary>\n");
        sb.Append("/// The display's three bitmap faces (fixed cell, 1 bit per pixel, rows MSB first): cells and characters here;\n");
        sb.Append("/// the glyph tables as C# only for .NET hosts. On nanoFramework they are binary resources of the bus-stop app\n");
        sb.Append("/// (firmware/Edge.Firmware.Esp32.BusStop/Fonts), installed with <see cref=\"Use\"/>.\n");
        sb.Append("/// </summary>\n");
        sb.Append("public static partial class DisplayFonts\n{\n");
        var tables = new StringBuilder();
        foreach (var f in faces)
        {
            int rowBytes = (f.Width + 7) / 8;
            sb.Append("    // " + f.File + ": " + f.Width + "x" + f.Height + " cell, ascent " + f.Ascent + ", "
                + (f.Bits.Length / (f.Height * rowBytes)) + " glyphs, " + f.Bits.Length + " bytes"
                + (f.Missing.Count > 0 ? "; not in the font: " + string.Join(" ", f.Missing) : "") + ".\n");
            sb.Append("    private const int " + f.Field + "Width = " + f.Width + ";\n");
            sb.Append("    private const int " + f.Field + "Height = " + f.Height + ";\n");
            sb.Append("    private const int " + f.Field + "Ascent = " + f.Ascent + ";\n");
            sb.Append("    private const string " + f.Field + "Chars = \"");
            sb.Append(f.Chars);
            sb.Append("\";\n\n");
            tables.Append("    private static byte[] " + f.Field + "Bits()\n    {\n        return new byte[]\n        {\n");
            for (int i = 0; i < f.Bits.Length; i += 16)
            {
                tables.Append("            ");
                for (int k = i; k < Math.Min(i + 16, f.Bits.Length); k++)
                {
                    tables.Append("0x").Append(f.Bits[k].ToString("X2", CultureInfo.InvariantCulture)).Append(',');
                    if (k + 1 < Math.Min(i + 16, f.Bits.Length)) tables.Append(' ');
                }
                tables.Append('\n');
            }
            tables.Append("        };\n    }\n\n");
        }
        sb.Append("#if !NANOFRAMEWORK\n");
        sb.Append(tables.ToString().TrimEnd('\n')).Append('\n');
        sb.Append("#endif\n");
        sb.Append("}\n");
        return sb.ToString();
    }
}
