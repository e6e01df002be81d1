using System;
using System.IO;
using Edge.Firmware.Transit;
using Edge.FontGen;

namespace Edge.Firmware.Tests.Transit;

/// <summary>
/// The committed glyph tables must be exactly what tools/Edge.FontGen makes from the Terminus Font in
/// Debian's xfonts-terminus (scripts/test.sh installs it, so this never silently passes without it).
/// </summary>
public class FontTableTests
{
    [Fact]
    public void Committed_glyph_tables_are_regenerated_identically_from_the_debian_font()
    {
        string fontFile = Path.Combine(FontTableGenerator.DefaultFontDirectory, FontTableGenerator.Faces[0].File);
        Assert.True(File.Exists(fontFile), fontFile + " is missing: install the Debian package xfonts-terminus (scripts/test.sh does)");

        var faces = FontTableGenerator.Convert(FontTableGenerator.DefaultFontDirectory);
        string committed = File.ReadAllText(Path.Combine(RepoRoot(), "firmware", "Edge.Firmware.Core", "Transit", "DisplayFonts.g.cs"));
        string regenerated = FontTableGenerator.Generate(faces);
        Assert.True(committed == regenerated,
            "firmware/Edge.Firmware.Core/Transit/DisplayFonts.g.cs differs from the generator's output: run `dotnet run --project tools/Edge.FontGen`");
        // The bus-stop app's resources (what the device reads) are the same tables byte for byte.
        foreach (var face in faces)
        {
            string bin = Path.Combine(RepoRoot(), FontTableGenerator.ResourceFile(face.Field));
            Assert.True(File.Exists(bin) && File.ReadAllBytes(bin).AsSpan().SequenceEqual(face.Bits),
                bin + " differs from the generator's output: run `dotnet run --project tools/Edge.FontGen`");
        }
    }

    /// <summary>
    /// What a host draws with (the generated C# tables, read in place) is what the device reads from its resources
    /// through a face's glyph cache, for every glyph, also after the cache has turned over.
    /// </summary>
    [Fact]
    public void Every_face_reads_the_same_glyphs_through_its_cache_from_the_app_resources_as_from_the_generated_table()
    {
        var builtIn = new[] { DisplayFonts.Small, DisplayFonts.Medium, DisplayFonts.Large };
        for (int f = 0; f < builtIn.Length; f++)
        {
            var host = builtIn[f];
            var resource = new BinGlyphs(Path.Combine(RepoRoot(), FontTableGenerator.ResourceFile(FontTableGenerator.Faces[f].Field)));
            var device = new BitmapFont(host.Width, host.Height, host.Ascent, host.Chars, resource, 16);
            int glyphBytes = host.Height * host.RowBytes;
            Assert.Equal(host.Chars.Length * glyphBytes, resource.Length);
            for (int pass = 0; pass < 2; pass++)
            {
                for (int g = 0; g < host.Chars.Length; g++)
                {
                    int at = device.Load(g);
                    Assert.True(device.Cache.AsSpan(at, glyphBytes).SequenceEqual(host.Cache.AsSpan(host.Load(g), glyphBytes)), FontTableGenerator.Faces[f].Field + " glyph " + g);
                }
            }
            Assert.Equal(0, host.StoreReads); // the host's table is read in place
            Assert.Equal(2 * host.Chars.Length, device.StoreReads); // 16 slots: every glyph read again on the second pass
        }
    }

    private sealed class BinGlyphs(string path) : IGlyphStore
    {
        private readonly byte[] _table = File.ReadAllBytes(path);

        public int Length => _table.Length;

        public void Read(int offset, byte[] into, int at, int count) => Array.Copy(_table, offset, into, at, count);
    }

    [Fact]
    public void Pcf_reader_gives_the_documented_cell_sizes_and_draws_letters_in_them()
    {
        foreach (var (file, width, height) in new[] { ("ter-u16b_unicode.pcf.gz", 8, 16), ("ter-u24b_unicode.pcf.gz", 12, 24), ("ter-u32b_unicode.pcf.gz", 16, 32) })
        {
            var font = PcfFont.Load(Path.Combine(FontTableGenerator.DefaultFontDirectory, file));
            // Terminus names its faces by cell: ter-u16 is 8×16, ter-u24 12×24, ter-u32 16×32.
            Assert.Equal(height, font.FontAscent + font.FontDescent);
            Assert.True(font.TryGetGlyph('Ω', out var omega));
            Assert.Equal(width, omega.Advance);
            Assert.True(font.TryGetGlyph(' ', out var space));
            foreach (bool ink in space.Pixels) Assert.False(ink);
            // 'I' is a vertical stroke: its ink spans at least half the cell height, centred columns only.
            Assert.True(font.TryGetGlyph('I', out var capitalI));
            int inkRows = 0;
            for (int y = 0; y < capitalI.Pixels.GetLength(0); y++)
            {
                bool any = false;
                for (int x = 0; x < capitalI.Pixels.GetLength(1); x++) any |= capitalI.Pixels[y, x];
                if (any) inkRows++;
            }
            Assert.InRange(inkRows, height / 2, height);
        }
    }

    private static string RepoRoot()
    {
        string dir = TransitSamples.SourceDirectory();
        while (!File.Exists(Path.Combine(dir, "Edge.sln"))) dir = Path.GetDirectoryName(dir)!;
        return dir;
    }
}
