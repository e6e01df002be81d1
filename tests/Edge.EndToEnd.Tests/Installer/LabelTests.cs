using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace Edge.EndToEnd.Tests.Installer;

/// <summary>`edge node label`: the QR codes decode back (ZXing.Net) to each node's public URL; the PDF sheets open and hold every label.</summary>
[Collection(InstallerCollection.Name)]
public sealed class LabelTests
{
    private readonly InstallerSite _site;

    public LabelTests(InstallerSite site) => _site = site;

    [Fact]
    public async Task An_svg_label_carries_a_qr_code_that_decodes_to_the_node_page_and_its_ids()
    {
        await _site.PutAsync("nodes/sl-lab-01", new { site = _site.Fleet.Site, type = "streetlight", lat = 39.5, lon = 20.26, pole = "PA-33" });
        var result = _site.Edge(null, "node", "label", "sl-lab-01", "--out", "sl-lab-01.svg", "--base-url", "https://edge.igoumenitsa.gr/");
        Assert.True(result.ExitCode == 0, result.ToString());
        string svg = File.ReadAllText(Path.Combine(_site.WorkDir, "sl-lab-01.svg"));
        Assert.Equal("https://edge.igoumenitsa.gr/n/sl-lab-01", Decode(svg));
        Assert.Contains(">sl-lab-01</text>", svg);
        Assert.Contains(">pole PA-33</text>", svg);
        Assert.Contains(">streetlight</text>", svg);

        // Without --base-url the cloud's own address is the base.
        Assert.Equal(0, _site.Edge(null, "node", "label", "sl-lab-01", "--out", "default.svg").ExitCode);
        Assert.Equal(_site.Site.CloudUrl + "n/sl-lab-01", Decode(File.ReadAllText(Path.Combine(_site.WorkDir, "default.svg"))));
    }

    [Fact]
    public async Task A_pdf_of_a_site_holds_every_label_on_a4_sheets_of_24()
    {
        await _site.PutAsync("sites/lbl", new { name = "Label test site" });
        for (int i = 1; i <= 25; i++)
            await _site.PutAsync("nodes/wl-lbl-" + i.ToString("00", CultureInfo.InvariantCulture), new { site = "lbl", type = "waterlevel", pole = "P" + i.ToString("00", CultureInfo.InvariantCulture) });
        var result = _site.Edge(null, "node", "label", "--all", "--site", "lbl", "--out", "labels.pdf", "--base-url", "https://edge.example.gr");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("25 label(s) on 2 A4 page(s)", result.StandardOutput);

        using var pdf = PdfReader.Open(Path.Combine(_site.WorkDir, "labels.pdf"), PdfDocumentOpenMode.Import);
        Assert.Equal(2, pdf.PageCount);
        Assert.Equal(595, (int)Math.Round(pdf.Pages[0].Width.Point)); // A4: 210 mm
        var links = pdf.Pages.Cast<PdfPage>().Select(p => p.Annotations.Cast<PdfSharp.Pdf.Annotations.PdfAnnotation>()
            .Select(a => a.Elements.GetDictionary("/A")!.Elements.GetString("/URI")).ToArray()).ToArray();
        Assert.Equal(24, links[0].Length);
        Assert.Single(links[1]);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => "https://edge.example.gr/n/wl-lbl-" + i.ToString("00", CultureInfo.InvariantCulture)), links.SelectMany(l => l));
    }

    [Fact]
    public void Unknown_nodes_and_an_svg_of_many_are_refused()
    {
        var unknown = _site.Edge(null, "node", "label", "sl-nowhere", "--out", "x.svg");
        Assert.True(unknown.ExitCode == 1, unknown.ToString());
        Assert.Contains("node 'sl-nowhere' does not exist", unknown.StandardError);
        var usage = _site.Edge(null, "node", "label", "sl-a", "--out", "x.png");
        Assert.True(usage.ExitCode == 2, usage.ToString());
        Assert.False(File.Exists(Path.Combine(_site.WorkDir, "x.svg")));
    }

    /// <summary>Rasterises the label's QR path (module units, 4 px a module) and decodes it with ZXing.Net.</summary>
    private static string Decode(string svg)
    {
        var runs = Regex.Matches(svg, @"M(\d+) (\d+)h(\d+)v1h-\d+z").Select(m => (X: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
            Y: int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), L: int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture))).ToList();
        Assert.NotEmpty(runs);
        int modules = runs.Max(r => Math.Max(r.X + r.L, r.Y + 1)) + 4; // the quiet zone on the right and bottom
        const int px = 4;
        int size = modules * px;
        var gray = Enumerable.Repeat((byte)255, size * size).ToArray();
        foreach (var (x, y, l) in runs)
            for (int dy = 0; dy < px; dy++)
                for (int dx = 0; dx < l * px; dx++) gray[(y * px + dy) * size + x * px + dx] = 0;
        var bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(gray, size, size, RGBLuminanceSource.BitmapFormat.Gray8)));
        var decoded = new QRCodeReader().decode(bitmap);
        Assert.NotNull(decoded);
        return decoded.Text;
    }
}
