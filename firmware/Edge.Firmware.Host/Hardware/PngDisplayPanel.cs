using System;
using System.IO;
using Edge.Firmware.Host.Imaging;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Host.Hardware;

/// <summary>
/// A bus-stop e-paper panel on a host. The firmware sends the frame band by band (as it does to a real
/// panel); at the end of a frame the whole picture is written as a PNG: `latest.png` (replaced
/// atomically, so a viewer never reads half a file) and, if asked, numbered frames to watch it change.
/// </summary>
public sealed class PngDisplayPanel : IDisplayPanel
{
    private readonly string _directory;
    private readonly int _keepFrames;
    private readonly byte[] _frame;
    private int _frameNumber;

    /// <param name="keepFrames">Numbered frames to keep besides latest.png; 0 keeps none.</param>
    public PngDisplayPanel(string directory, int width, int height, int keepFrames = 0)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "panel size must be positive");
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
        Width = width;
        Height = height;
        _keepFrames = Math.Max(0, keepFrames);
        _frame = new byte[(width + 7) / 8 * height];
    }

    public int Width { get; }
    public int Height { get; }
    public int BytesPerRow => (Width + 7) / 8;

    /// <summary>Frames written so far.</summary>
    public int Refreshes => _frameNumber;

    /// <summary>Full (ghost-clearing) refreshes so far.</summary>
    public int FullRefreshes { get; private set; }

    public string LatestPath => Path.Combine(_directory, "latest.png");

    public void BeginFrame(bool full)
    {
        if (full) FullRefreshes++;
    }

    public void WriteBand(int firstRow, int rowCount, byte[] band, int bytesPerRow)
    {
        int rows = Math.Min(rowCount, Height - firstRow);
        int copy = Math.Min(bytesPerRow, BytesPerRow);
        for (int r = 0; r < rows; r++)
            Buffer.BlockCopy(band, r * bytesPerRow, _frame, (firstRow + r) * BytesPerRow, copy);
    }

    public bool EndFrame()
    {
        try
        {
            Show(_frame);
            return true;
        }
        catch (IOException)
        {
            return false; // the runtime reports it as an epaper hw.fault (protocol §15 H1)
        }
    }

    /// <summary>Writes a whole frame in the firmware's layout: rows of (width + 7) / 8 bytes, MSB first, 1 = ink.</summary>
    public void Show(byte[] frame)
    {
        byte[] png = MonoPng.Encode(frame, Width, Height);
        _frameNumber++;
        WriteAtomically(LatestPath, png);
        if (_keepFrames > 0)
        {
            WriteAtomically(Path.Combine(_directory, FrameName(_frameNumber)), png);
            int old = _frameNumber - _keepFrames;
            if (old > 0) File.Delete(Path.Combine(_directory, FrameName(old)));
        }
    }

    private static string FrameName(int n) => "frame-" + n.ToString("D6", System.Globalization.CultureInfo.InvariantCulture) + ".png";

    private static void WriteAtomically(string path, byte[] bytes)
    {
        string temp = path + ".tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }
}
