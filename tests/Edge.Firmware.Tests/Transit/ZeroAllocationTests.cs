using System;
using Edge.Firmware.Transit;

namespace Edge.Firmware.Tests.Transit;

public class ZeroAllocationTests
{
    [Theory]
    [InlineData(800, 480, "live.json")]
    [InlineData(296, 128, "live.json")]
    [InlineData(800, 480, "banner.json")]
    [InlineData(296, 128, "long-headsign.json")]
    public void Ticks_and_band_renders_allocate_nothing(int width, int height, string content)
    {
        var display = new StopDisplay(new DisplaySettings(width, height));
        display.SetContent(TransitSamples.Content(content));
        display.SetTimetable(TransitSamples.Timetable());
        var band = new byte[16 * display.BytesPerRow];
        long start = TransitSamples.At("2026-11-26T12:29:00Z");

        void Tick(long now)
        {
            display.Update(now);
            for (int first = 0; first < height; first += 16) display.RenderBand(first, Math.Min(16, height - first), band);
        }

        // Warm-up: JIT, and the glyph tables, which are built once, on a face's first use (a face this content
        // first needs later, e.g. after the fallback to the timetable, is a one-time cost, not a per-tick one).
        Assert.NotNull(DisplayFonts.Small.Chars + DisplayFonts.Medium.Chars + DisplayFonts.Large.Chars);
        Tick(start);
        long before = GC.GetAllocatedBytesForCurrentThread();
        // Twenty minutes in 7-second steps: live, due, departed rows, stale → timetable fallback, language flips.
        for (long now = start; now < start + 1200; now += 7) Tick(now);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
