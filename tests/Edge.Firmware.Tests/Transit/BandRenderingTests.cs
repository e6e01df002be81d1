using System;
using Edge.Firmware.Transit;

namespace Edge.Firmware.Tests.Transit;

public class BandRenderingTests
{
    [Theory]
    [InlineData(800, 480, "live.json", "2026-11-26T12:30:00Z")]
    [InlineData(800, 480, "live.json", "2026-11-26T12:40:00Z")]
    [InlineData(800, 480, "banner.json", "2026-11-26T12:30:00Z")]
    [InlineData(800, 480, "long-headsign.json", "2026-11-26T12:30:00Z")]
    [InlineData(296, 128, "live.json", "2026-11-26T12:31:00Z")]
    [InlineData(296, 128, "banner.json", "2026-11-26T12:30:00Z")]
    [InlineData(640, 384, "live.json", "2026-11-26T12:30:00Z")]
    [InlineData(250, 122, "live.json", "2026-11-26T12:40:00Z")]
    public void Every_band_height_gives_the_full_frame(int width, int height, string content, string at)
    {
        StopDisplay display = TransitSamples.Display(width, height, content, at, withTimetable: true);
        byte[] full = TransitSamples.FullFrame(display);
        Assert.Contains(full, b => b != 0); // something was drawn
        foreach (int bandRows in new[] { 1, 3, 7, 8, 16, 17, 60, height })
        {
            Assert.Equal(full, TransitSamples.BandedFrame(display, bandRows));
        }
    }

    [Fact]
    public void A_band_of_an_800x480_panel_needs_far_less_than_a_frame()
    {
        var display = new StopDisplay(new DisplaySettings(800, 480));
        Assert.Equal(100, display.BytesPerRow);
        // A 16-row band is 1.6 KB where the whole 1-bit frame is 48 KB.
        var band = new byte[16 * display.BytesPerRow];
        display.Update(TransitSamples.At("2026-11-26T12:30:00Z"));
        display.RenderBand(464, 16, band);
        Assert.Throws<ArgumentOutOfRangeException>(() => display.RenderBand(470, 16, band));
        Assert.Throws<ArgumentException>(() => display.RenderBand(0, 17, band));
    }
}
