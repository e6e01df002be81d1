using System;
using System.ComponentModel;
using System.IO;
using System.Threading;
using Edge.Firmware.Host.Imaging;
using Edge.Firmware.Transit;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Edge.Cli.Commands;

/// <summary>
/// `edge display render`: draws a bus-stop display document exactly as a node would (the same
/// firmware code, band by band as on the ESP32) and saves the panel as a PNG.
/// </summary>
public sealed class DisplayRenderCommand : Command<DisplayRenderCommand.Settings>
{
    /// <summary>The band height the ESP32 app streams with; rendering here uses it too, so the PNG is what the panel gets.</summary>
    public const int BandRows = 16;

    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<CONTENT>")]
        [Description("Display content document (the `display` MQTT payload, JSON; see docs/display-content.md).")]
        public string Content { get; init; } = "";

        [CommandOption("--width <PX>")]
        [Description("Panel width in pixels, e.g. 800 or 296.")]
        public int? Width { get; init; }

        [CommandOption("--height <PX>")]
        [Description("Panel height in pixels, e.g. 480 or 128.")]
        public int? Height { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("PNG file to write (1-bit grayscale).")]
        public string? Out { get; init; }

        [CommandOption("--at <INSTANT>")]
        [Description("Render as at this instant (RFC 3339, e.g. 2026-11-26T14:30:00Z). Default: the document's generatedAt.")]
        public string? At { get; init; }

        [CommandOption("--timetable <FILE>")]
        [Description("The stop's stored timetable (JSON), shown when live data is stale or missing.")]
        public string? Timetable { get; init; }

        [CommandOption("--stale-after <SECONDS>")]
        [Description("Age after which live arrivals give way to the timetable (default 300).")]
        public int? StaleAfter { get; init; }

        public override ValidationResult Validate()
        {
            if (Width == null) return ValidationResult.Error("--width is required");
            if (Height == null) return ValidationResult.Error("--height is required");
            if (string.IsNullOrEmpty(Out)) return ValidationResult.Error("--out is required");
            if (Width < 200 || Width > 2048) return ValidationResult.Error("--width must be 200..2048 pixels");
            if (Height < 96 || Height > 2048) return ValidationResult.Error("--height must be 96..2048 pixels");
            if (StaleAfter is < 0) return ValidationResult.Error("--stale-after must not be negative");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        DisplayContent content = Load(settings.Content, bytes => new DisplayContentParser().Parse(bytes));
        Timetable? timetable = settings.Timetable == null ? null : Load(settings.Timetable, bytes => new TimetableParser().Parse(bytes));

        long at = content.GeneratedAt;
        if (settings.At != null && !IsoTime.TryParseInstant(settings.At, out at))
            throw new FormatException("--at: \"" + settings.At + "\" is not a date and time like 2026-11-26T14:30:00Z");

        var display = new StopDisplay(new DisplaySettings(settings.Width!.Value, settings.Height!.Value));
        if (settings.StaleAfter != null) display.Settings.StaleAfterSeconds = settings.StaleAfter.Value;
        display.SetContent(content);
        if (timetable != null) display.SetTimetable(timetable);
        display.Update(at);

        byte[] frame = RenderInBands(display);
        File.WriteAllBytes(settings.Out!, MonoPng.Encode(frame, settings.Width.Value, settings.Height.Value));
        AnsiConsole.MarkupLine(Markup.Escape(
            $"wrote {settings.Out} ({settings.Width}x{settings.Height}, {(display.Banner != null ? "banner" : display.Live ? "live" : "timetable fallback")}, {display.RowCount} arrivals)"));
        return 0;
    }

    /// <summary>Renders the frame as the node streams it, one band of <see cref="BandRows"/> rows at a time.</summary>
    public static byte[] RenderInBands(StopDisplay display)
    {
        int stride = display.BytesPerRow;
        int height = display.Settings.Height;
        var frame = new byte[stride * height];
        var band = new byte[stride * BandRows];
        for (int first = 0; first < height; first += BandRows)
        {
            int rows = Math.Min(BandRows, height - first);
            display.RenderBand(first, rows, band);
            Array.Copy(band, 0, frame, first * stride, rows * stride);
        }
        return frame;
    }

    private static T Load<T>(string path, Func<byte[], T> parse)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return parse(bytes);
        }
        catch (FormatException e)
        {
            throw new FormatException(path + ": " + e.Message, e);
        }
    }
}
