using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Firmware.Tests;
using Json.Schema;

namespace Edge.Cloud.Tests.OpenData;

/// <summary>
/// The official FIWARE Smart Data Models schemas from <c>tests/reference/fiware</c> (copied unchanged, sources in its
/// README), with
/// <c>common-schema.json</c> registered under the URL their <c>$ref</c>s use. Formats (date-time, uri) are checked.
/// </summary>
public static class FiwareSchemas
{
    private const string CommonUrl = "https://smart-data-models.github.io/data-models/common-schema.json";

    public static string Folder => Repo.File("tests/reference/fiware");

    private static readonly Lazy<Dictionary<string, JsonSchema>> Schemas = new(() =>
    {
        // Built first: JsonSchema.Net registers a schema by its $id, which is the URL the models refer to.
        var common = JsonSchema.FromText(File.ReadAllText(Path.Combine(Folder, "common-schema.json")));
        if (common.BaseUri.ToString() != CommonUrl) throw new InvalidOperationException($"common-schema.json has $id {common.BaseUri}");
        var schemas = new Dictionary<string, JsonSchema>();
        foreach (var type in new[] { "Streetlight", "StreetlightGroup", "WaterObserved", "FloodMonitoring" })
        {
            schemas[type] = JsonSchema.FromText(File.ReadAllText(Path.Combine(Folder, type + ".schema.json")));
        }
        // ArrivalEstimation refers to hasStop and hasTrip in the UrbanMobility gtfs-schema.json, which tests/reference
        // lacks and whose published versions define neither: those two $refs resolve to "anything" here, and the
        // tests check hasStop and hasTrip themselves. Everything else of the schema applies.
        JsonSchema.FromText("""
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://smart-data-models.github.io/dataModel.UrbanMobility/gtfs-schema.json",
             "definitions": {"GTFS-Stop-Commons": {"properties": {"hasStop": true, "hasTrip": true}}}}
            """);
        schemas["ArrivalEstimation"] = JsonSchema.FromText(File.ReadAllText(Path.Combine(Folder, "ArrivalEstimation.schema.json")));
        // tests/reference has no Device schema: a Device is checked against the common definitions every model
        // (Device's too) is built from, GSMA-Commons and Location-Commons, and the test checks its own members.
        schemas["Device"] = JsonSchema.FromText($$"""
            {"allOf": [{"$ref": "{{CommonUrl}}#/definitions/GSMA-Commons"}, {"$ref": "{{CommonUrl}}#/definitions/Location-Commons"}],
             "required": ["id", "type", "location"]}
            """);
        return schemas;
    });

    public static IReadOnlyCollection<string> Types => Schemas.Value.Keys;

    /// <summary>The schema's complaints about <paramref name="entity"/> (a keyValues entity); empty when valid.</summary>
    public static List<string> Errors(string type, JsonNode entity)
    {
        using var document = JsonDocument.Parse(entity.ToJsonString());
        var result = Schemas.Value[type].Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (result.IsValid) return [];
        IEnumerable<EvaluationResults> details = result.Details ?? (IEnumerable<EvaluationResults>)[];
        var errors = details.Where(d => d.Errors != null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Value}")).ToList();
        return errors.Count > 0 ? errors : ["invalid"];
    }
}

/// <summary>
/// Reads the NGSI-LD normalized form back to key-values by the spec's simplification rule (ETSI GS CIM 009 §4.5.4:
/// a Property or GeoProperty becomes its <c>value</c>, a Relationship its <c>object</c>), checking each attribute is
/// one of those three; a <c>{"@type": "DateTime", "@value": v}</c> value becomes <c>v</c>.
/// </summary>
public static class Normalized
{
    public static JsonObject ToKeyValues(JsonObject entity)
    {
        var result = new JsonObject();
        foreach (var (name, node) in entity)
        {
            if (name is "id" or "type" or "@context")
            {
                result[name] = node?.DeepClone();
                continue;
            }
            var attribute = node as JsonObject ?? throw new InvalidOperationException($"{name}: a normalized attribute is an object");
            var kind = attribute["type"]?.GetValue<string>();
            var value = kind switch
            {
                "Property" or "GeoProperty" => attribute["value"],
                "Relationship" => attribute["object"],
                _ => throw new InvalidOperationException($"{name}: type '{kind}' is not Property, GeoProperty or Relationship"),
            } ?? throw new InvalidOperationException($"{name}: no value");
            if (value is JsonObject typed && typed["@type"]?.GetValue<string>() == "DateTime") value = typed["@value"]!;
            result[name] = value.DeepClone();
        }
        return result;
    }
}
