using System.Linq;
using System.Text;

namespace Edge.Cloud.Tests.Support;

/// <summary>Photos as phones send them, for the fault report and commissioning photo tests.</summary>
public static class PhoneJpegs
{
    /// <summary>
    /// A JPEG as a phone writes it (ITU-T T.81 segments): SOI, APP0 JFIF, APP1 Exif whose TIFF IFD0 points to a GPS
    /// IFD (tag 0x8825) with latitude 39° N, a COM segment, the quantisation table, the frame header, SOS and the
    /// entropy-coded data, EOI.
    /// </summary>
    public static (byte[] Jpeg, byte[] Picture) WithPosition()
    {
        static byte[] Segment(byte marker, byte[] payload) => new byte[] { 0xFF, marker, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2) }.Concat(payload).ToArray();
        var jfif = Segment(0xE0, Encoding.ASCII.GetBytes("JFIF\0").Concat(new byte[] { 1, 1, 0, 0, 1, 0, 1, 0, 0 }).ToArray());
        // "Exif\0\0", TIFF little endian, IFD0 at 8 with one entry GPSInfo (0x8825, LONG, 1, offset 26), GPS IFD: GPSLatitudeRef 'N'.
        var tiff = new byte[] { 0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x25, 0x88, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x1A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00, (byte)'N', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
        var exif = Segment(0xE1, Encoding.ASCII.GetBytes("Exif\0\0").Concat(tiff).Concat(Encoding.ASCII.GetBytes("GPS 39.5035N 20.2655E")).ToArray());
        var comment = Segment(0xFE, Encoding.ASCII.GetBytes("taken by Maria's phone"));
        var dqt = Segment(0xDB, new byte[] { 0x00 }.Concat(Enumerable.Repeat((byte)1, 64)).ToArray());
        var sof = Segment(0xC0, new byte[] { 8, 0, 8, 0, 8, 1, 1, 0x11, 0 });
        var scan = Segment(0xDA, new byte[] { 1, 1, 0, 0, 63, 0 }).Concat(new byte[] { 0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9 }).ToArray();
        var start = new byte[] { 0xFF, 0xD8 };
        var jpeg = start.Concat(jfif).Concat(exif).Concat(comment).Concat(dqt).Concat(sof).Concat(scan).ToArray();
        var picture = start.Concat(jfif).Concat(dqt).Concat(sof).Concat(scan).ToArray();
        return (jpeg, picture);
    }
}
