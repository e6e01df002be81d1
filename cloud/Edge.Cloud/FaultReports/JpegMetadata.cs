using System;
using System.IO;

namespace Edge.Cloud.FaultReports;

/// <summary>
/// Removes what a JPEG says about where and by whom it was taken, keeping the picture: every APP1 (Exif — GPS
/// position, camera serial — and XMP), APP13 (IPTC/Photoshop) and COM segment before the scan. The segment layout is
/// ITU-T T.81 (JPEG): <c>FF D8</c>, then marker segments <c>FF xx</c> with a 2-byte big-endian length (including
/// itself), until SOS (<c>FF DA</c>), after which the entropy-coded data runs to EOI; all of that is copied unchanged.
/// </summary>
public static class JpegMetadata
{
    public static bool IsJpeg(byte[] data) => data.Length >= 4 && data[0] == 0xFF && data[1] == 0xD8;

    /// <summary>The JPEG without its metadata segments; FormatException when the segment structure is broken.</summary>
    public static byte[] Strip(byte[] jpeg)
    {
        if (!IsJpeg(jpeg)) throw new FormatException("not a JPEG (no FF D8 start of image)");
        using var output = new MemoryStream(jpeg.Length);
        output.Write(jpeg, 0, 2);
        int p = 2;
        while (true)
        {
            if (p + 4 > jpeg.Length || jpeg[p] != 0xFF) throw new FormatException("broken JPEG: no marker at byte " + p);
            byte marker = jpeg[p + 1];
            if (marker == 0xFF) { p++; continue; } // fill byte
            if (marker == 0xDA) // SOS: the rest is image data
            {
                output.Write(jpeg, p, jpeg.Length - p);
                return output.ToArray();
            }
            if (marker == 0xD9) throw new FormatException("broken JPEG: end of image before any scan");
            int length = (jpeg[p + 2] << 8) | jpeg[p + 3];
            if (length < 2 || p + 2 + length > jpeg.Length) throw new FormatException("broken JPEG: segment at byte " + p + " runs past the end");
            bool metadata = marker == 0xE1 || marker == 0xED || marker == 0xFE;
            if (!metadata) output.Write(jpeg, p, 2 + length);
            p += 2 + length;
        }
    }
}
