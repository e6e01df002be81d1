using System;
using QRCoder;

namespace Edge.Cloud.Web.Public;

/// <summary>QR codes for printing on a stop's pole, made on the server (QRCoder) as a PNG data URI: an image,
/// so the Content-Security-Policy needs no inline styles, and a print of the page prints it.</summary>
public static class QrCodes
{
    public static string PngDataUri(string text)
    {
        using var generator = new QRCodeGenerator();
        // Level M (15 % recovery): survives a scratched or weathered sticker at a size phones still read.
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(8);
        return "data:image/png;base64," + Convert.ToBase64String(png);
    }
}
