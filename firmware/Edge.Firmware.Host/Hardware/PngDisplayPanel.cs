using System;
using System.IO;
using Edge.Firmware.Host.Imaging;

namespace Edge.Firmware.Host.Hardware;

/// <summary>
/// A bus-stop e-paper panel on a host: every refresh writes the 1-bit frame as a PNG, `latest.png`
/// (replaced atomically, so a viewer never reads half a file) and, if asked, numbered frames to watch
/// the content change over time.
/// </summary>
public sealed class PngDisplayPanel
{
    private readonly string _directory;
    private readonly int _keepFrames;
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
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Full refreshes so far.</summary>
    public int Refreshes => _frameNumber;

    public string LatestPath => Path.Combine(_directory, "latest.png");

    /// <summary>Shows a frame in the firmware's layout: rows of (width + 7) / 8 bytes, MSB first, 1 = ink.</summary>
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
