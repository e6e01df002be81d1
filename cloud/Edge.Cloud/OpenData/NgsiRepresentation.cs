using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Edge.Cloud.OpenData;

/// <summary>
/// How an NGSI-LD answer is written (ETSI GS CIM 009 §6.3): <c>application/ld+json</c> carries the <c>@context</c> in
/// each entity; <c>application/json</c> carries none and names the context in a <c>Link</c> header instead. The
/// context is the Smart Data Models one (the NGSI-LD core context is implied, and named too in the ld+json body).
/// </summary>
public static class NgsiRepresentation
{
    public const string SmartDataModelsContext = "https://smartdatamodels.org/context.jsonld";
    public const string CoreContext = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld";
    public const string LdJson = "application/ld+json";
    public const string Json = "application/json";
    public const string ContextRel = "http://www.w3.org/ns/json-ld#context";

    public static string LinkHeader => $"<{SmartDataModelsContext}>; rel=\"{ContextRel}\"; type=\"{LdJson}\"";

    /// <summary>The media type the client accepts: ld+json when it names it, else JSON; a 406 when it accepts neither.</summary>
    public static string Negotiate(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0) return Json;
        var acceptable = accept.Where(a => a.Quality is not 0).Select(a => a.MediaType.Value?.ToLowerInvariant()).ToList();
        if (acceptable.Contains(LdJson)) return LdJson;
        if (acceptable.Any(a => a is Json or "application/*" or "*/*")) return Json;
        throw NgsiProblem.NotAcceptable($"this API answers {Json} or {LdJson}");
    }

    /// <summary><c>options=keyValues</c> (or <c>simplified</c>) or <c>normalized</c> (the default).</summary>
    public static bool KeyValues(string? options)
    {
        var keyValues = false;
        foreach (var option in (options ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            keyValues = option switch
            {
                "keyValues" or "simplified" => true,
                "normalized" => false,
                _ => throw NgsiProblem.BadRequest($"options: '{option}' is not supported here (keyValues, normalized)"),
            };
        }
        return keyValues;
    }

    public static JsonObject Entity(NgsiEntity entity, bool keyValues, string mediaType)
    {
        var json = keyValues ? entity.ToKeyValues() : entity.ToNormalized();
        if (mediaType == LdJson) json["@context"] = new JsonArray(SmartDataModelsContext, CoreContext);
        return json;
    }

    /// <summary>Writes <paramref name="body"/> with the Link header (JSON only) and the caching headers of
    /// <see cref="HttpCaching"/>; a 304 when the client's copy is current.</summary>
    public static IResult Write(HttpContext context, JsonNode body, string mediaType, long? lastModified, int cacheSeconds)
    {
        if (mediaType == Json) context.Response.Headers.Link = LinkHeader;
        return HttpCaching.Write(context, Encoding.UTF8.GetBytes(body.ToJsonString()), mediaType, lastModified, cacheSeconds);
    }
}

/// <summary>
/// Conditional GET for public answers: a strong ETag (a hash of the exact bytes and their media type) and, where an
/// answer has a newest data instant, <c>Last-Modified</c>; <c>If-None-Match</c> wins over <c>If-Modified-Since</c>
/// (RFC 9110 §13.2.2). Answers without one (catalogue, page, dumps, empty lists: what changes them has no time of
/// its own) carry only the ETag. Answers may be cached publicly for a short while.
/// </summary>
public static class HttpCaching
{
    public static IResult Write(HttpContext context, byte[] body, string mediaType, long? lastModified, int cacheSeconds)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(mediaType).Concat(body).ToArray());
        var etag = new EntityTagHeaderValue("\"" + Convert.ToHexString(hash, 0, 16).ToLowerInvariant() + "\"");
        var modified = lastModified is { } at ? DateTimeOffset.FromUnixTimeSeconds(at) : (DateTimeOffset?)null;
        var request = context.Request.GetTypedHeaders();
        var response = context.Response.GetTypedHeaders();
        response.ETag = etag;
        response.LastModified = modified;
        response.CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromSeconds(cacheSeconds) };
        context.Response.Headers.Vary = "Accept";
        var notModified = request.IfNoneMatch.Count > 0
            ? request.IfNoneMatch.Any(t => t.Tag == etag.Tag || t == EntityTagHeaderValue.Any)
            : request.IfModifiedSince is { } since && modified is { } m && m <= since;
        return notModified ? Results.StatusCode(StatusCodes.Status304NotModified) : Results.Bytes(body, mediaType);
    }
}
