using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Edge.Cloud.OpenData;

namespace Edge.Cloud.Tests.OpenData;

/// <summary>The DCAT-AP catalogue and the open-data page.</summary>
public abstract partial class OpenDataSuite
{
    private const string Dcat = "http://www.w3.org/ns/dcat#";
    private const string Dct = "http://purl.org/dc/terms/";

    [Fact]
    public async Task The_catalogue_is_JSON_LD_naming_every_dataset_with_licence_publisher_frequency_and_working_distributions()
    {
        var (response, body) = await GetAsync("/catalog", "application/ld+json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/ld+json", response.Content.Headers.ContentType!.MediaType);
        var catalog = JsonLd.Expand(body.AsObject());
        Assert.Equal([Dcat + "Catalog"], JsonLd.Types(catalog));
        var datasets = catalog[Dcat + "dataset"]!.AsArray().Select(d => d!.AsObject()).ToList();
        Assert.Equal(OpenDatasets.All.Select(d => d.Id).Order(), datasets.Select(d => d[Dct + "identifier"]!.GetValue<string>()).Order());
        foreach (var dataset in datasets)
        {
            var id = dataset[Dct + "identifier"]!.GetValue<string>();
            Assert.Equal([Dcat + "Dataset"], JsonLd.Types(dataset));
            Assert.False(string.IsNullOrWhiteSpace(dataset[Dct + "title"]!["@value"]!.GetValue<string>()), id);
            Assert.False(string.IsNullOrWhiteSpace(dataset[Dct + "description"]!["@value"]!.GetValue<string>()), id);
            Assert.Equal("Municipality of Igoumenitsa", dataset[Dct + "publisher"]!["http://xmlns.com/foaf/0.1/name"]!.GetValue<string>());
            Assert.StartsWith("http://publications.europa.eu/resource/authority/frequency/", dataset[Dct + "accrualPeriodicity"]!["@id"]!.GetValue<string>());
            var distributions = dataset[Dcat + "distribution"]!.AsArray().Select(d => d!.AsObject()).ToList();
            Assert.NotEmpty(distributions);
            foreach (var distribution in distributions)
            {
                Assert.Equal([Dcat + "Distribution"], JsonLd.Types(distribution));
                // CC-BY-4.0 by default, in the EU licence vocabulary DCAT-AP recommends.
                Assert.Equal("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0", distribution[Dct + "license"]!["@id"]!.GetValue<string>());
                var url = new Uri(distribution[Dcat + "accessURL"]!["@id"]!.GetValue<string>());
                Assert.True(url.IsAbsoluteUri);
                var (fetched, _) = await GetAsync(url.PathAndQuery, "*/*");
                Assert.True(fetched.StatusCode == HttpStatusCode.OK, $"{id}: {url} answers {fetched.StatusCode}");
                Assert.StartsWith("https://www.iana.org/assignments/media-types/", distribution[Dcat + "mediaType"]!["@id"]!.GetValue<string>());
            }
        }
    }

    [Fact]
    public async Task The_open_data_page_lists_every_dataset_and_every_link_on_it_works()
    {
        var response = await _site.Server.Client.GetAsync("/opendata");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        foreach (var dataset in OpenDatasets.All) Assert.Contains($"<h2>{dataset.Title}</h2>", html);
        Assert.Contains("CC-BY-4.0", html);
        var links = Regex.Matches(html, "href=\"(/[^\"]*)\"").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).Distinct().ToList();
        Assert.Contains("/catalog", links);
        Assert.True(links.Count >= 8, string.Join(", ", links));
        foreach (var link in links)
        {
            var (fetched, _) = await GetAsync(link, "*/*");
            Assert.True(fetched.StatusCode == HttpStatusCode.OK, $"{link}: {fetched.StatusCode}");
        }
    }
}

/// <summary>
/// The part of JSON-LD 1.1 expansion (W3C JSON-LD 1.1 API §5.1, IRI expansion) the catalogue relies on: a context of
/// prefix definitions; every key, <c>@type</c> and <c>@id</c>-valued term is a keyword, an absolute IRI or
/// <c>prefix:suffix</c> with a defined prefix. Anything else — an undefined prefix, a bare term the context does not
/// define (which a JSON-LD processor would drop) — fails. No JSON-LD processor is available as a package here.
/// </summary>
public static class JsonLd
{
    public static JsonObject Expand(JsonObject document)
    {
        var context = document["@context"] as JsonObject ?? throw new InvalidOperationException("no @context object");
        var prefixes = new Dictionary<string, string>();
        foreach (var (prefix, iri) in context)
        {
            var value = iri?.GetValue<string>() ?? throw new InvalidOperationException($"@context.{prefix}: not an IRI");
            if (!Uri.TryCreate(value, UriKind.Absolute, out _)) throw new InvalidOperationException($"@context.{prefix}: '{value}' is not an absolute IRI");
            prefixes[prefix] = value;
        }
        return (JsonObject)Node(document, prefixes)!;
    }

    private static string Iri(string term, Dictionary<string, string> prefixes)
    {
        if (term.StartsWith('@')) return term;
        var colon = term.IndexOf(':');
        if (colon > 0 && prefixes.TryGetValue(term[..colon], out var iri)) return iri + term[(colon + 1)..];
        if (Uri.TryCreate(term, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return term;
        throw new InvalidOperationException($"'{term}' is neither a keyword, an absolute IRI nor a defined prefix");
    }

    private static JsonNode? Node(JsonNode? node, Dictionary<string, string> prefixes)
    {
        switch (node)
        {
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (key == "@context") continue;
                    var iri = Iri(key, prefixes);
                    result[iri] = key == "@type"
                        ? value is JsonArray types ? new JsonArray(types.Select(t => (JsonNode)Iri(t!.GetValue<string>(), prefixes)).ToArray()) : Iri(value!.GetValue<string>(), prefixes)
                        : Node(value, prefixes);
                }
                return result;
            case JsonArray array:
                return new JsonArray(array.Select(item => Node(item, prefixes)).ToArray());
            default:
                return node?.DeepClone();
        }
    }

    public static List<string> Types(JsonObject expanded) => expanded["@type"] switch
    {
        JsonArray array => array.Select(t => t!.GetValue<string>()).ToList(),
        JsonValue one => [one.GetValue<string>()],
        _ => [],
    };
}
