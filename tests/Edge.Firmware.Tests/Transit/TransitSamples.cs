using System.IO;
using System.Runtime.CompilerServices;
using Edge.Firmware.Transit;

namespace Edge.Firmware.Tests.Transit;

/// <summary>Sample documents (Transit/Samples) and a display set up from them.</summary>
internal static class TransitSamples
{
    public static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(SourceDirectory(), "Samples", name));

    public static DisplayContent Content(string name) => new DisplayContentParser().Parse(Bytes(name));

    public static Timetable Timetable() => new TimetableParser().Parse(Bytes("timetable.json"));

    public static long At(string iso)
    {
        Assert.True(IsoTime.TryParseInstant(iso, out long t), iso);
        return t;
    }

    public static StopDisplay Display(int width, int height, string content, string at, bool withTimetable = false)
    {
        var display = new StopDisplay(new DisplaySettings(width, height));
        if (content != null) display.SetContent(Content(content));
        if (withTimetable) display.SetTimetable(Timetable());
        display.Update(At(at));
        return display;
    }

    /// <summary>The whole frame in one call (the reference the band renders are compared with).</summary>
    public static byte[] FullFrame(StopDisplay display)
    {
        var frame = new byte[display.BytesPerRow * display.Settings.Height];
        display.RenderFrame(frame);
        return frame;
    }

    /// <summary>The frame assembled from bands of <paramref name="bandRows"/> rows, as the ESP32 streams it.</summary>
    public static byte[] BandedFrame(StopDisplay display, int bandRows)
    {
        int stride = display.BytesPerRow;
        int height = display.Settings.Height;
        var frame = new byte[stride * height];
        var band = new byte[stride * bandRows];
        for (int first = 0; first < height; first += bandRows)
        {
            int rows = System.Math.Min(bandRows, height - first);
            // Dirty the buffer first: a band must not depend on what the buffer held before.
            for (int i = 0; i < band.Length; i++) band[i] = 0xA5;
            display.RenderBand(first, rows, band);
            System.Array.Copy(band, 0, frame, first * stride, rows * stride);
        }
        return frame;
    }
}
