using System.Linq;
using System.Net;
using System.Text;

namespace Edge.Cloud.OpenData;

/// <summary>
/// The open-data page (<c>GET /opendata</c>): one static HTML page, English only, that lists each dataset switched on
/// with its licence and links to the same things the catalogue names. It stands in until the public web app has
/// its own open-data page; every value from settings is HTML-encoded.
/// </summary>
public static class OpenDataPage
{
    public static string Render(OpenDataOptions options)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>Open data — ").Append(E(options.Publisher)).Append("</title>\n")
            .Append("<link rel=\"alternate\" type=\"application/ld+json\" href=\"/catalog\" title=\"DCAT-AP catalogue\">\n</head>\n<body>\n")
            .Append("<h1>Open data of ").Append(E(options.Publisher)).Append("</h1>\n")
            .Append("<p>Published under <strong>").Append(E(options.License)).Append("</strong> by <a href=\"").Append(E(options.PublisherUrl)).Append("\">")
            .Append(E(options.Publisher)).Append("</a>. No sign-in. The machine-readable catalogue (DCAT-AP 2, JSON-LD) is at <a href=\"/catalog\">/catalog</a>.</p>\n");
        foreach (var dataset in OpenDatasets.All.Where(d => options.IsOn(d.Id)))
        {
            html.Append("<section id=\"").Append(E(dataset.Id)).Append("\">\n<h2>").Append(E(dataset.Title)).Append("</h2>\n<p>").Append(E(dataset.Description)).Append("</p>\n<ul>\n");
            foreach (var type in dataset.EntityTypes)
            {
                html.Append("<li><a href=\"").Append(OpenDataEndpoints.NgsiPrefix).Append("/entities?type=").Append(type).Append("&amp;options=keyValues\">")
                    .Append(type).Append("</a> (NGSI-LD, FIWARE Smart Data Model <a href=\"").Append(E(DcatCatalog.SchemaUrl(type))).Append("\">").Append(type).Append("</a>)</li>\n");
            }
            if (dataset.Dump is { } dump)
            {
                html.Append("<li>Daily dump: <a href=\"").Append(OpenDataEndpoints.DumpPrefix).Append('/').Append(dump).Append(".csv\">CSV</a>, <a href=\"")
                    .Append(OpenDataEndpoints.DumpPrefix).Append('/').Append(dump).Append(".geojson\">GeoJSON</a></li>\n");
            }
            html.Append("</ul>\n</section>\n");
        }
        return html.Append("</body>\n</html>\n").ToString();
    }
}
