using System;

namespace Edge.Firmware.Transit;

/// <summary>The panel and the timing rules of one stop sign.</summary>
public sealed class DisplaySettings
{
    public DisplaySettings(int width, int height)
    {
        if (width < 200 || width > 2048) throw new ArgumentOutOfRangeException("width", "panel width must be 200..2048 pixels");
        if (height < 96 || height > 2048) throw new ArgumentOutOfRangeException("height", "panel height must be 96..2048 pixels");
        Width = width;
        Height = height;
        StaleAfterSeconds = 300;
        NoticeSeconds = 20;
        DepartedGraceSeconds = 30;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Live arrivals older than this (from the document's generatedAt) are no longer trusted: the timetable is shown.</summary>
    public int StaleAfterSeconds { get; set; }

    /// <summary>How long each notice of the ticker stays on the panel before the next one.</summary>
    public int NoticeSeconds { get; set; }

    /// <summary>A live arrival stays listed this long after its predicted time (the bus may still be at the stop).</summary>
    public int DepartedGraceSeconds { get; set; }
}
