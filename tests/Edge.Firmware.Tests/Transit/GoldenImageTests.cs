using System;
using System.IO;
using Edge.Firmware.Host.Imaging;
using Edge.Firmware.Transit;

namespace Edge.Firmware.Tests.Transit;

/// <summary>
/// The panel renders compared pixel for pixel with committed golden PNGs (Transit/Golden). The frames
/// are rendered in 16-row bands, as the ESP32 streams them. To accept a deliberate change of the
/// design, regenerate the goldens on purpose and review them before committing:
/// <c>EDGE_UPDATE_GOLDENS=1 dotnet test tests/Edge.Firmware.Tests --filter "FullyQualifiedName~Transit.GoldenImageTests"</c>.
/// Without that variable a mismatch fails and the actual image is written next to the test output.
/// </summary>
public class GoldenImageTests
{
    public static TheoryData<string, int, int, string, string, bool> Scenes => new()
    {
        // golden name, width, height, content, instant, with timetable
        { "live-800x480", 800, 480, "live.json", "2026-11-26T12:30:00Z", true },
        { "live-296x128-greek", 296, 128, "live.json", "2026-11-26T12:30:00Z", true },
        { "live-296x128-english", 296, 128, "live.json", "2026-11-26T12:31:00Z", true },
        { "long-headsign-800x480", 800, 480, "long-headsign.json", "2026-11-26T12:30:00Z", false },
        { "long-headsign-296x128", 296, 128, "long-headsign.json", "2026-11-26T12:30:00Z", false },
        { "offline-800x480", 800, 480, "live.json", "2026-11-26T12:40:00Z", true },
        { "offline-296x128", 296, 128, "live.json", "2026-11-26T12:40:00Z", true },
        // With a banner: on the 7.5" panel it heads the sign and the next departures stay below it (both languages at
        // once); on the 2.9" panel it alternates with the departures in pairs of minutes, each in Greek, then English.
        { "banner-800x480", 800, 480, "banner-live.json", "2026-11-26T12:30:00Z", false },
        { "banner-no-departures-800x480", 800, 480, "banner.json", "2026-11-26T12:30:00Z", false },
        { "banner-296x128-greek", 296, 128, "banner-live.json", "2026-11-26T12:30:00Z", false },
        { "banner-296x128-english", 296, 128, "banner-live.json", "2026-11-26T12:31:00Z", false },
        { "banner-departures-296x128-greek", 296, 128, "banner-live.json", "2026-11-26T12:32:00Z", false },
        { "banner-departures-296x128-english", 296, 128, "banner-live.json", "2026-11-26T12:33:00Z", false },
    };

    [Theory]
    [MemberData(nameof(Scenes))]
    public void Panel_matches_its_golden_image(string golden, int width, int height, string content, string at, bool withTimetable)
    {
        StopDisplay display = TransitSamples.Display(width, height, content, at, withTimetable);
        byte[] frame = TransitSamples.BandedFrame(display, 16);

        string path = Path.Combine(TransitSamples.SourceDirectory(), "Golden", golden + ".png");
        if (UpdateFlag.IsSet("EDGE_UPDATE_GOLDENS"))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, MonoPng.Encode(frame, width, height));
        }

        Assert.True(File.Exists(path), "golden image missing: " + path + " (see the class comment to create it)");
        byte[] expected = MonoPng.Decode(File.ReadAllBytes(path), out int gw, out int gh);
        Assert.Equal((width, height), (gw, gh));
        int differing = 0;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = y * display.BytesPerRow + (x >> 3);
                int bit = 0x80 >> (x & 7);
                if ((frame[i] & bit) != (expected[i] & bit)) differing++;
            }
        }
        if (differing > 0)
        {
            string actual = Path.Combine(Path.GetTempPath(), golden + ".actual.png");
            File.WriteAllBytes(actual, MonoPng.Encode(frame, width, height));
            Assert.Fail(differing + " pixels differ from " + path + "; the actual image is " + actual);
        }
    }

    [Fact]
    public void Png_round_trip_keeps_every_pixel()
    {
        // Independent of the renderer: a pseudo-random frame with a width that is not a multiple of 8.
        const int width = 299, height = 37;
        int stride = (width + 7) / 8;
        var frame = new byte[stride * height];
        var random = new Random(12345);
        random.NextBytes(frame);
        for (int y = 0; y < height; y++) frame[y * stride + stride - 1] &= 0xE0; // padding bits beyond x = 298 are not pixels
        byte[] decoded = MonoPng.Decode(MonoPng.Encode(frame, width, height), out int w, out int h);
        Assert.Equal((width, height), (w, h));
        Assert.Equal(frame, decoded);
    }
}
