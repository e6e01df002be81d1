using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security;
using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace Edge.Cli.Labels;

/// <summary>
/// Pole labels of 70 × 37 mm — the common A4 sheet of 3 × 8 — with the QR code on the left (33 mm, readable from a
/// ladder) and the node id, pole and type on the right. SVG: one label; PDF: A4 pages of up to 24 labels, each with
/// a link to its URL.
/// </summary>
public static class LabelSheet
{
    public const double WidthMm = 70, HeightMm = 37, QrMm = 33, MarginMm = 2;
    public const int Columns = 3, Rows = 8, PerPage = Columns * Rows;
    private const double A4WidthMm = 210, A4HeightMm = 297;
    private static string N(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    public static string Svg(PoleLabel label)
    {
        var modules = label.QrModules();
        double scale = QrMm / modules.GetLength(0);
        var path = new StringBuilder();
        foreach (var (row, column, length) in PoleLabel.Runs(modules)) path.Append('M').Append(column).Append(' ').Append(row).Append('h').Append(length).Append("v1h-").Append(length).Append('z');
        string E(string s) => SecurityElement.Escape(s);
        double tx = MarginMm + QrMm + 1.5;
        return $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="{N(WidthMm)}mm" height="{N(HeightMm)}mm" viewBox="0 0 {N(WidthMm)} {N(HeightMm)}">
              <title>{E(label.NodeId)} — {E(label.Url)}</title>
              <rect width="{N(WidthMm)}" height="{N(HeightMm)}" fill="#fff"/>
              <g transform="translate({N(MarginMm)} {N(MarginMm)}) scale({N(scale)})" fill="#000" shape-rendering="crispEdges">
                <path d="{path}"/>
              </g>
              <g font-family="DejaVu Sans, Arial, sans-serif" fill="#000">
                <text x="{N(tx)}" y="10" font-size="5" font-weight="bold">{E(label.NodeId)}</text>
                <text x="{N(tx)}" y="17" font-size="3.5">{E(label.Pole is null ? "" : "pole " + label.Pole)}</text>
                <text x="{N(tx)}" y="22.5" font-size="3.5">{E(label.Type)}</text>
                <text x="{N(tx)}" y="33" font-size="1.9">{E(label.Url)}</text>
              </g>
            </svg>
            """ + "\n";
    }

    /// <summary>A4 pages of labels, left to right, top to bottom; the text in the TrueType font at <paramref name="fontFile"/>.</summary>
    public static void Pdf(IReadOnlyList<PoleLabel> labels, string path, string fontFile)
    {
        FontFile.Use(fontFile);
        var document = new PdfDocument();
        document.Info.Title = "Edge pole labels";
        var bold = new XFont(FontFile.Family, 11, XFontStyleEx.Bold);
        var regular = new XFont(FontFile.Family, 8, XFontStyleEx.Regular);
        var small = new XFont(FontFile.Family, 4.5, XFontStyleEx.Regular);
        for (int first = 0; first < labels.Count; first += PerPage)
        {
            var page = document.AddPage();
            page.Width = XUnit.FromMillimeter(A4WidthMm);
            page.Height = XUnit.FromMillimeter(A4HeightMm);
            using var gfx = XGraphics.FromPdfPage(page);
            double top = (A4HeightMm - Rows * HeightMm) / 2, left = (A4WidthMm - Columns * WidthMm) / 2;
            for (int i = first; i < Math.Min(first + PerPage, labels.Count); i++)
            {
                int cell = i - first;
                double x = left + cell % Columns * WidthMm, y = top + cell / Columns * HeightMm;
                Draw(gfx, page, labels[i], x, y, bold, regular, small);
            }
        }
        document.Save(path);
    }

    private static XUnit Mm(double mm) => XUnit.FromMillimeter(mm);

    private static void Draw(XGraphics gfx, PdfPage page, PoleLabel label, double x, double y, XFont bold, XFont regular, XFont small)
    {
        var modules = label.QrModules();
        double module = QrMm / modules.GetLength(0);
        double qx = x + MarginMm, qy = y + MarginMm;
        foreach (var (row, column, length) in PoleLabel.Runs(modules))
            gfx.DrawRectangle(XBrushes.Black, Mm(qx + column * module).Point, Mm(qy + row * module).Point, Mm(length * module).Point, Mm(module).Point);
        double tx = x + MarginMm + QrMm + 1.5;
        gfx.DrawString(label.NodeId, bold, XBrushes.Black, Mm(tx).Point, Mm(y + 10).Point);
        if (label.Pole != null) gfx.DrawString("pole " + label.Pole, regular, XBrushes.Black, Mm(tx).Point, Mm(y + 17).Point);
        gfx.DrawString(label.Type, regular, XBrushes.Black, Mm(tx).Point, Mm(y + 22.5).Point);
        gfx.DrawString(label.Url, small, XBrushes.Black, Mm(tx).Point, Mm(y + 33).Point);
        // A link over the QR code, so the PDF itself opens the node's page.
        double h = page.Height.Point;
        page.AddWebLink(new PdfSharp.Pdf.PdfRectangle(new XPoint(Mm(qx).Point, h - Mm(qy + QrMm).Point), new XPoint(Mm(qx + QrMm).Point, h - Mm(qy).Point)), label.Url);
    }

    /// <summary>PDFsharp has no access to system fonts on Linux: the label font is read from a TrueType file.</summary>
    private sealed class FontFile : IFontResolver
    {
        public const string Family = "EdgeLabel";
        private static byte[] _bytes = Array.Empty<byte>();
        private static bool _installed;

        // Set once, before PDFsharp touches any font: even reading GlobalFontSettings.FontResolver first makes
        // PDFsharp 6.2 refuse a later resolver.
        public static void Use(string path)
        {
            _bytes = File.ReadAllBytes(path);
            if (_installed) return;
            GlobalFontSettings.FontResolver = new FontFile();
            _installed = true;
        }

        public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
            familyName == Family ? new FontResolverInfo(Family, bold, false) : null;

        public byte[]? GetFont(string faceName) => faceName == Family ? _bytes : null;
    }

    /// <summary>The first TrueType font found in the usual places (Debian fonts-dejavu-core, Liberation, Windows Arial).</summary>
    public static string? FindFont() => new[]
    {
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/Library/Fonts/Arial.ttf",
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.Fonts), "arial.ttf"),
    }.FirstOrDefault(File.Exists);
}
