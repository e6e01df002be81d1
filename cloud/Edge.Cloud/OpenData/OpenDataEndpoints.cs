using System;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.OpenData;

/// <summary>
/// The public open-data surface (docs/open-data.md), no sign-in: the NGSI-LD read API and its temporal subset under
/// <c>/ngsi-ld/v1</c>, the DCAT-AP catalogue at <c>/catalog</c>, the daily dumps and the open-data page. Every route
/// shares one per-address rate limit and answers errors as NGSI-LD problem details.
/// </summary>
public static class OpenDataEndpoints
{
    public const string NgsiPrefix = "/ngsi-ld/v1";
    public const string DumpPrefix = "/opendata/dumps";
    public const string PagePath = "/opendata";

    public static IServiceCollection AddEdgeOpenData(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<OpenDataOptions>(configuration.GetSection(OpenDataOptions.Section));
        services.AddSingleton<ArrivalEntities>();
        services.AddSingleton<OpenDataEntities>();
        services.AddSingleton<OpenDataRateLimit>();
        services.AddSingleton<TemporalAggregates>();
        services.AddSingleton<DailyDumps>();
        return services;
    }

    public static IEndpointRouteBuilder MapEdgeOpenData(this IEndpointRouteBuilder endpoints)
    {
        var limit = endpoints.ServiceProvider.GetRequiredService<OpenDataRateLimit>();
        // Not in the cloud's own OpenAPI document: these routes follow the NGSI-LD and DCAT-AP standards and are
        // described in docs/open-data.md.
        var open = endpoints.MapGroup("").WithTags("Open data").AllowAnonymous().ExcludeFromDescription();
        open.AddEndpointFilter(limit.FilterAsync);

        open.MapGet(NgsiPrefix + "/entities", async (HttpContext context, OpenDataEntities data, string? options, CancellationToken ct) =>
        {
            var mediaType = NgsiRepresentation.Negotiate(context.Request);
            var keyValues = NgsiRepresentation.KeyValues(options);
            var query = NgsiQuery.Parse(context.Request.Query, data.ServedTypes, data.Options.MaxPageSize);
            var (page, total) = query.Run(await data.EntitiesAsync(query.Types, ct));
            if (query.Count) context.Response.Headers["NGSILD-Results-Count"] = total.ToString(CultureInfo.InvariantCulture);
            var body = new JsonArray(page.Select(e => (JsonNode)NgsiRepresentation.Entity(e, keyValues, mediaType)).ToArray());
            return NgsiRepresentation.Write(context, body, mediaType, page.Count == 0 ? null : page.Max(e => e.ModifiedAt), data.Options.CacheSeconds);
        });
        open.MapGet(NgsiPrefix + "/entities/{id}", async (string id, HttpContext context, OpenDataEntities data, string? options, CancellationToken ct) =>
        {
            var mediaType = NgsiRepresentation.Negotiate(context.Request);
            var keyValues = NgsiRepresentation.KeyValues(options);
            var entity = await data.EntityAsync(id, ct);
            return NgsiRepresentation.Write(context, NgsiRepresentation.Entity(entity, keyValues, mediaType), mediaType, entity.ModifiedAt, data.Options.CacheSeconds);
        });
        open.MapGet(NgsiPrefix + "/temporal/entities/{id}", async (string id, HttpContext context, OpenDataEntities data, TemporalAggregates temporal, CancellationToken ct) =>
        {
            var mediaType = NgsiRepresentation.Negotiate(context.Request);
            var request = TemporalAggregates.Parse(context.Request.Query, DateTimeOffset.FromUnixTimeSeconds(data.Now));
            var entity = await data.EntityAsync(id, ct);
            var body = await temporal.BuildAsync(entity, request, ct);
            if (mediaType == NgsiRepresentation.LdJson) body["@context"] = new JsonArray(NgsiRepresentation.SmartDataModelsContext, NgsiRepresentation.CoreContext);
            return NgsiRepresentation.Write(context, body, mediaType, entity.ModifiedAt, data.Options.CacheSeconds);
        });
        open.MapGet("/catalog", (HttpContext context, OpenDataEntities data) =>
        {
            var catalog = DcatCatalog.Build(BaseUrl(context, data.Options), data.Options);
            return HttpCaching.Write(context, Encoding.UTF8.GetBytes(catalog.ToJsonString()), NgsiRepresentation.LdJson, null, data.Options.CacheSeconds);
        });
        open.MapGet(DumpPrefix + "/{file}", async (string file, string? date, HttpContext context, OpenDataEntities data, DailyDumps dumps, CancellationToken ct) =>
        {
            var dot = file.LastIndexOf('.');
            var (name, format) = dot < 0 ? (file, "") : (file[..dot], file[(dot + 1)..]);
            var dataset = OpenDatasets.All.FirstOrDefault(d => d.Dump == name);
            if (dataset is null || !data.Options.IsOn(dataset.Id) || format is not ("csv" or "geojson"))
            {
                throw NgsiProblem.NotFound($"no dump '{file}'; dumps: " + string.Join(", ", OpenDatasets.All.Where(d => d.Dump is not null && data.Options.IsOn(d.Id)).Select(d => d.Dump + ".csv, " + d.Dump + ".geojson")));
            }
            var day = Day(date, data.Now);
            var table = await dumps.BuildAsync(name, day, ct);
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}-{day:yyyy-MM-dd}.{format}\"";
            return format == "csv"
                ? HttpCaching.Write(context, DailyDumps.Csv(table), "text/csv; charset=utf-8", null, data.Options.CacheSeconds)
                : HttpCaching.Write(context, DailyDumps.GeoJson(table), "application/geo+json", null, data.Options.CacheSeconds);
        });
        open.MapGet(PagePath, (HttpContext context, OpenDataEntities data) =>
            HttpCaching.Write(context, Encoding.UTF8.GetBytes(OpenDataPage.Render(data.Options)), "text/html; charset=utf-8", null, data.Options.CacheSeconds));
        return endpoints;
    }

    /// <summary>A dump is of one whole UTC day: <c>date</c> (yyyy-MM-dd), by default yesterday; today and later are
    /// not complete yet.</summary>
    private static DateOnly Day(string? date, long now)
    {
        var today = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(now).UtcDateTime);
        if (date is null) return today.AddDays(-1);
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            throw NgsiProblem.BadRequest($"date: '{date}' is not yyyy-MM-dd");
        }
        if (day >= today) throw NgsiProblem.BadRequest($"date: {date} is not over yet; the latest complete day is {today.AddDays(-1):yyyy-MM-dd}");
        return day;
    }

    private static string BaseUrl(HttpContext context, OpenDataOptions options) =>
        (options.BaseUrl ?? $"{context.Request.Scheme}://{context.Request.Host}").TrimEnd('/');
}
