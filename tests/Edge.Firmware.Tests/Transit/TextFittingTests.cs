using Edge.Firmware.Transit;

namespace Edge.Firmware.Tests.Transit;

public class TextFittingTests
{
    private const int Width = 400;

    private static byte[] Draw(string text, int maxWidth, out int drawn)
    {
        var canvas = new BandCanvas();
        var band = new byte[(Width + 7) / 8 * DisplayFonts.Medium.Height];
        canvas.Begin(Width, 0, DisplayFonts.Medium.Height, band);
        drawn = canvas.Text(DisplayFonts.Medium, text, 0, 0, maxWidth, 1, true);
        return band;
    }

    private static bool Ink(byte[] band, int x, int y) => (band[y * ((Width + 7) / 8) + (x >> 3)] & (0x80 >> (x & 7))) != 0;

    [Fact]
    public void Text_that_fits_is_drawn_whole()
    {
        Draw("Πλαταριά", 200, out int drawn);
        Assert.Equal(8 * DisplayFonts.Medium.Width, drawn);
    }

    [Fact]
    public void Text_that_does_not_fit_ends_in_an_ellipsis_made_of_whole_glyphs()
    {
        string text = "Πλαταριά μέσω Νέας Σελεύκειας";
        int cell = DisplayFonts.Medium.Width;
        int maxWidth = 12 * cell + cell / 2; // room for 12.5 glyphs
        byte[] band = Draw(text, maxWidth, out int drawn);
        Assert.Equal(12 * cell, drawn); // 11 glyphs and the ellipsis, never half a glyph

        // The same picture as drawing the first 11 characters followed by "…" with room to spare.
        byte[] expected = Draw(text.Substring(0, 11) + "\u2026", 1000, out _);
        Assert.Equal(expected, band);
        for (int y = 0; y < DisplayFonts.Medium.Height; y++)
        {
            for (int x = drawn; x < Width; x++) Assert.False(Ink(band, x, y));
        }
    }

    [Fact]
    public void A_space_before_the_ellipsis_is_dropped()
    {
        int cell = DisplayFonts.Medium.Width;
        byte[] band = Draw("Οδός Αγίου", 6 * cell, out int drawn); // "Οδός " + "…" would leave a gap
        Assert.Equal(5 * cell, drawn);
        Assert.Equal(Draw("Οδός\u2026", 1000, out _), band);
    }

    [Fact]
    public void Fonts_cover_greek_with_tonos_and_the_symbols_used()
    {
        foreach (BitmapFont font in new[] { DisplayFonts.Small, DisplayFonts.Medium, DisplayFonts.Large })
        {
            foreach (char c in "ΆΈΉΊΌΎΏΐάέήίόύώϊϋΰΪΫαβγδεζηθικλμνξοπρςστυφχψωΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ…·*'→€0123456789:")
            {
                Assert.True(font.Has(c), "font " + font.Width + "x" + font.Height + " lacks U+" + ((int)c).ToString("X4"));
            }
        }
    }
}
