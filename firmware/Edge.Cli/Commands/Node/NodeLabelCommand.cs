using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cli.Cloud;
using Edge.Cli.Labels;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Edge.Cli.Commands.Node;

/// <summary>`edge node label`: printable pole labels (SVG for one, PDF A4 sheets for many) with the QR code of each node's public page.</summary>
public sealed class NodeLabelCommand : AsyncCommand<NodeLabelCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[NODES]")]
        [Description("The node ids to label.")]
        public string[] Nodes { get; init; } = Array.Empty<string>();

        [CommandOption("--all")]
        [Description("Label every node of the site (sorted by pole, then id).")]
        public bool All { get; init; }

        [CommandOption("--site <SITE>")]
        [Description("The site (default: the one given to `edge login`).")]
        public string? Site { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("labels.pdf (A4 sheets of 3 × 8 labels of 70 × 37 mm) or label.svg (one label) (required).")]
        public string? Out { get; init; }

        [CommandOption("--base-url <URL>")]
        [Description("Public address of the node pages, {base}/n/{id} (default: the cloud's address from `edge login`).")]
        public string? BaseUrl { get; init; }

        [CommandOption("--font <TTF>")]
        [Description("TrueType font for the PDF's text (default: DejaVu Sans from fonts-dejavu-core, or Liberation Sans, or Arial).")]
        public string? Font { get; init; }

        public override ValidationResult Validate()
        {
            if (Out is null) return ValidationResult.Error("node label: --out <file.pdf|file.svg> is required");
            string ext = Path.GetExtension(Out).ToLowerInvariant();
            if (ext is not (".pdf" or ".svg")) return ValidationResult.Error("node label: --out must end in .pdf or .svg");
            if (Nodes.Length == 0 && !All) return ValidationResult.Error("node label: give node ids or --all");
            if (Nodes.Length > 0 && All) return ValidationResult.Error("node label: give node ids or --all, not both");
            if (BaseUrl != null && !Uri.TryCreate(BaseUrl, UriKind.Absolute, out _)) return ValidationResult.Error("node label: --base-url must be an absolute URL");
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings s, CancellationToken ct)
    {
        CliArguments.RejectUnknown(context, "node label");
        bool svg = Path.GetExtension(s.Out!).Equals(".svg", StringComparison.OrdinalIgnoreCase);
        string? font = null;
        if (!svg)
        {
            font = s.Font ?? LabelSheet.FindFont()
                ?? throw new FileNotFoundException("no TrueType font found for the PDF's text: install fonts-dejavu-core (Debian/Ubuntu) or give --font <file.ttf>");
            if (!File.Exists(font)) throw new FileNotFoundException("--font: '" + font + "' does not exist");
        }
        using var cloud = CloudClient.SignedIn();
        string site = s.Site ?? cloud.Config.Site ?? "";
        string baseUrl = s.BaseUrl ?? cloud.Config.Url;
        var nodes = new List<JsonElement>();
        if (s.All)
        {
            if (site.Length == 0) throw new ArgumentException("--all needs a site (--site, or `edge login --site`)");
            nodes.AddRange((await cloud.GetAsync("nodes?site=" + Uri.EscapeDataString(site), false, ct))!.Value.EnumerateArray()
                .OrderBy(n => n.Text("pole") ?? "\uffff", StringComparer.Ordinal).ThenBy(n => n.Text("id"), StringComparer.Ordinal));
            if (nodes.Count == 0) throw new CloudException("site '" + site + "' has no nodes");
        }
        else
        {
            foreach (var id in s.Nodes) nodes.Add(await NodeLookup.RequireAsync(cloud, id, null, site.Length > 0 ? site : null, ct));
        }
        var labels = nodes.Select(n => new PoleLabel(n.Text("id")!, n.Text("pole"), n.Text("type")!, PoleLabel.PublicUrl(baseUrl, n.Text("id")!))).ToList();
        if (svg)
        {
            if (labels.Count != 1) throw new ArgumentException("an SVG holds one label; for " + labels.Count + " labels write a PDF (--out labels.pdf)");
            File.WriteAllText(s.Out!, LabelSheet.Svg(labels[0]));
        }
        else
        {
            LabelSheet.Pdf(labels, s.Out!, font!);
        }
        int pages = svg ? 1 : (labels.Count + LabelSheet.PerPage - 1) / LabelSheet.PerPage;
        Console.Out.WriteLine($"{labels.Count} label(s) on {pages} {(svg ? "SVG" : "A4 page(s)")}: {Path.GetFullPath(s.Out!)}");
        foreach (var label in labels) Console.Out.WriteLine("  " + label.NodeId + "  " + label.Url);
        return 0;
    }
}
