using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace Edge.Cloud.OpenData;

/// <summary>
/// The DCAT-AP 2 catalogue (<c>GET /catalog</c>, JSON-LD) a CKAN or national portal harvests: one <c>dcat:Dataset</c>
/// per dataset switched on, each with title, description, keywords, publisher, licence, update frequency and its
/// distributions (the NGSI-LD query, and the daily CSV and GeoJSON dumps). Frequencies, file types and licences
/// use the EU Publications Office vocabularies DCAT-AP asks for; media types are IANA IRIs.
/// </summary>
public static class DcatCatalog
{
    private const string Frequency = "http://publications.europa.eu/resource/authority/frequency/";
    private const string FileType = "http://publications.europa.eu/resource/authority/file-type/";
    private const string MediaType = "https://www.iana.org/assignments/media-types/";

    public static readonly JsonObject Context = new()
    {
        ["dcat"] = "http://www.w3.org/ns/dcat#",
        ["dct"] = "http://purl.org/dc/terms/",
        ["foaf"] = "http://xmlns.com/foaf/0.1/",
        ["rdfs"] = "http://www.w3.org/2000/01/rdf-schema#",
    };

    /// <summary>SPDX ids of the common open licences → the EU licence vocabulary; any other id → its SPDX IRI.</summary>
    public static string LicenseIri(string spdx) => spdx switch
    {
        "CC-BY-4.0" => "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
        "CC-BY-SA-4.0" => "http://publications.europa.eu/resource/authority/licence/CC_BYSA_4_0",
        "CC0-1.0" => "http://publications.europa.eu/resource/authority/licence/CC0",
        "ODbL-1.0" => "http://publications.europa.eu/resource/authority/licence/ODBL",
        _ => "http://spdx.org/licenses/" + spdx,
    };

    private static JsonObject Id(string iri) => new() { ["@id"] = iri };

    private static JsonObject En(string text) => new() { ["@language"] = "en", ["@value"] = text };

    public static JsonObject Build(string baseUrl, OpenDataOptions options)
    {
        var publisher = new JsonObject { ["@id"] = options.PublisherUrl, ["@type"] = "foaf:Agent", ["foaf:name"] = options.Publisher };
        var license = LicenseIri(options.License);
        var datasets = new JsonArray();
        foreach (var dataset in OpenDatasets.All.Where(d => options.IsOn(d.Id)))
        {
            var distributions = new JsonArray();
            if (dataset.EntityTypes.Count > 0)
            {
                var types = string.Join(",", dataset.EntityTypes);
                distributions.Add(Distribution($"{baseUrl}/catalog/datasets/{dataset.Id}/ngsi-ld", $"{dataset.Title}: NGSI-LD entities ({types})",
                    $"{baseUrl}{OpenDataEndpoints.NgsiPrefix}/entities?type={types}", "JSON_LD", "application/ld+json", license,
                    dataset.EntityTypes.Select(SchemaUrl)));
            }
            if (dataset.Dump is { } dump)
            {
                distributions.Add(Distribution($"{baseUrl}/catalog/datasets/{dataset.Id}/csv", $"{dataset.Title}: daily CSV dump",
                    $"{baseUrl}{OpenDataEndpoints.DumpPrefix}/{dump}.csv", "CSV", "text/csv", license, []));
                distributions.Add(Distribution($"{baseUrl}/catalog/datasets/{dataset.Id}/geojson", $"{dataset.Title}: daily GeoJSON dump",
                    $"{baseUrl}{OpenDataEndpoints.DumpPrefix}/{dump}.geojson", "GEOJSON", "application/geo+json", license, []));
            }
            datasets.Add(new JsonObject
            {
                ["@id"] = $"{baseUrl}/catalog/datasets/{dataset.Id}",
                ["@type"] = "dcat:Dataset",
                ["dct:identifier"] = dataset.Id,
                ["dct:title"] = En(dataset.Title),
                ["dct:description"] = En(dataset.Description),
                ["dcat:keyword"] = new JsonArray(dataset.Keywords.Select(k => (JsonNode)En(k)).ToArray()),
                ["dct:publisher"] = publisher.DeepClone(),
                ["dct:accrualPeriodicity"] = Id(Frequency + (dataset.EntityTypes.Count > 0 ? "CONT" : "DAILY")),
                ["dcat:landingPage"] = Id(baseUrl + OpenDataEndpoints.PagePath),
                ["dcat:distribution"] = distributions,
            });
        }
        return new JsonObject
        {
            ["@context"] = Context.DeepClone(),
            ["@id"] = baseUrl + "/catalog",
            ["@type"] = "dcat:Catalog",
            ["dct:title"] = En($"Open data of {options.Publisher}"),
            ["dct:description"] = En("Street lights, stream water levels, bus stops and field devices of the town, published by its Edge system."),
            ["dct:publisher"] = publisher,
            ["dct:license"] = Id(license),
            ["foaf:homepage"] = Id(baseUrl + OpenDataEndpoints.PagePath),
            ["dcat:dataset"] = datasets,
        };
    }

    private static JsonObject Distribution(string id, string title, string url, string fileType, string mediaType, string license, IEnumerable<string> conformsTo)
    {
        var distribution = new JsonObject
        {
            ["@id"] = id,
            ["@type"] = "dcat:Distribution",
            ["dct:title"] = En(title),
            ["dcat:accessURL"] = Id(url),
            ["dcat:downloadURL"] = Id(url),
            ["dct:format"] = Id(FileType + fileType),
            ["dcat:mediaType"] = Id(MediaType + mediaType),
            ["dct:license"] = Id(license),
        };
        var standards = conformsTo.Select(s => (JsonNode)Id(s)).ToArray();
        if (standards.Length > 0) distribution["dct:conformsTo"] = new JsonArray(standards);
        return distribution;
    }

    /// <summary>The Smart Data Models schema each entity type follows.</summary>
    public static string SchemaUrl(string type) => type switch
    {
        "Streetlight" or "StreetlightGroup" => $"https://smart-data-models.github.io/dataModel.Streetlighting/{type}/schema.json",
        "WaterObserved" or "FloodMonitoring" => $"https://smart-data-models.github.io/dataModel.Environment/{type}/schema.json",
        "ArrivalEstimation" => $"https://smart-data-models.github.io/dataModel.UrbanMobility/{type}/schema.json",
        _ => $"https://smart-data-models.github.io/dataModel.Device/{type}/schema.json",
    };
}
