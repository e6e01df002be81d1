using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Claims;
using System.Text.Json.Nodes;
using System.Threading;
using Edge.Cloud.ApiDocs;
using Edge.Cloud.Domain;
using Edge.Cloud.Requests;
using Edge.Cloud.Storage;
using Edge.Cloud.Storage.Migrations;
using Edge.Cloud.Transit.Realtime;
using Edge.Cloud.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Transit;

/// <summary>The active feed, the latest import attempts (refused ones with their problems) and the realtime feed
/// held: its header timestamp, its age in seconds (the RT lag) and why the last refused one was refused.</summary>
public sealed record FeedStatus(FeedVersion? Active, IReadOnlyList<FeedImport> Imports, RealtimeStatus Realtime, RealtimeStatus Vehicles, RealtimeStatus Alerts, FeedFetch? Fetch);

/// <summary>A GTFS-Realtime feed held: its header timestamp, its age (the RT lag), its entities used, why the last
/// refused one was refused, and (trip updates) how many of its trips the active timetable does not have, with the
/// first of their ids, then the trips named without trip_id that match no trip or several, each with the reason —
/// their updates are ignored; (alerts) the informed_entity trips named without trip_id that match no trip or several —
/// those selectors reach no stop.</summary>
public sealed record RealtimeStatus(long? Timestamp, long? AgeSeconds, int Entities, string? LastProblem, int? UnknownTripCount = null,
    IReadOnlyList<string>? UnknownTrips = null);

/// <summary>What a stop's sign shows: each departure with its source (<c>realtime</c> / <c>scheduled</c>).</summary>
public sealed record StopDepartures(string Node, long? RealtimeAgeSeconds, IReadOnlyList<StopDeparture> Departures, IReadOnlyList<SignText> Notices, SignBanner? Banner);

/// <summary>A text in Greek and English, as the sign shows it.</summary>
public sealed record SignText(string El, string En)
{
    public static SignText From(JsonNode node) => new(node["el"]!.GetValue<string>(), node["en"]!.GetValue<string>());
}

/// <summary>The banner a service alert puts over the sign (GTFS-Realtime severe effects).</summary>
public sealed record SignBanner(SignText Title, SignText Text);

public sealed record StopDeparture(string Route, string HeadsignEl, string HeadsignEn, string At, string Source, bool Cancelled);

public static class TransitEndpoints
{
    public static IServiceCollection AddEdgeTransit(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<TransitOptions>(configuration.GetSection(TransitOptions.Section));
        services.AddSingleton<IMigrationSource, TransitSchema>();
        services.AddSingleton<FeedImporter>();
        services.AddSingleton<StopLinks>();
        services.AddSingleton<TimetablePublisher>();
        services.AddHostedService<TimetableScheduler>();
        services.AddSingleton<TripUpdates>();
        services.AddSingleton<VehiclePositions>();
        services.AddSingleton<ServiceAlerts>();
        services.AddHttpClient(nameof(RealtimePoller), c => c.Timeout = TimeSpan.FromSeconds(20));
        services.AddHostedService<RealtimePoller>();
        services.AddHttpClient(nameof(FeedFetcher), c => c.Timeout = TimeSpan.FromMinutes(5));
        services.AddSingleton<FeedFetcher>();
        services.AddHostedService(sp => sp.GetRequiredService<FeedFetcher>());
        return services;
    }

    /// <summary>GTFS feeds (technicians and admins import, anyone signed in reads the status) and the stop links
    /// of bus-stop nodes (installers, as the rest of the inventory).</summary>
    public static IEndpointRouteBuilder MapEdgeTransit(this IEndpointRouteBuilder endpoints)
    {
        var limits = endpoints.ServiceProvider.GetRequiredService<IOptions<TransitOptions>>().Value.Limits;
        var api = endpoints.MapApiGroup("Transit");
        api.MapPost("/transit/feeds", async (HttpRequest request, ClaimsPrincipal user, FeedImporter importer) =>
            {
                var ct = request.HttpContext.RequestAborted;
                // The upload goes to a temporary file, not memory: a feed may be tens of megabytes.
                await using var zip = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
                await request.Body.CopyToAsync(zip, ct);
                zip.Position = 0;
                var result = await importer.ImportAsync(user.Actor(), zip, ct);
                if (result.Problems is { } problems)
                {
                    return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "GTFS feed refused",
                        detail: $"the feed has {problems.Total} problem(s); the active feed is unchanged. First: {problems.List[0]}",
                        extensions: new Dictionary<string, object?> { ["importId"] = result.ImportId, ["problemCount"] = problems.Total, ["problems"] = problems.List });
                }
                return Results.Created($"{Api.Prefix}/transit/feeds", new { importId = result.ImportId, feed = result.Feed, sha256 = result.Sha256 });
            })
            .RequireAuthorization(Policies.Technician).WithBodyLimit(_ => limits.MaxZipBytes)
            .Accepts<byte[]>("application/zip").ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithSummary("Import a GTFS feed zip (body: the zip, Content-Type application/zip); a refused feed lists every problem (file, line, field)");
        api.MapGet("/transit/feeds", async (IStorageConnections connections, TripUpdates realtime, VehiclePositions vehicles, ServiceAlerts alerts, FeedFetcher fetcher,
                TimeProvider time, CancellationToken ct) =>
            {
                await using var tx = await Tx.ReadAsync(connections, ct);
                return new FeedStatus(await GtfsStore.ActiveAsync(tx), await GtfsStore.RecentImportsAsync(tx, 10),
                    Status(realtime, time) with { UnknownTripCount = realtime.UnknownTrips.Count, UnknownTrips = Listed(realtime.UnknownTrips) }, Status(vehicles, time),
                    Status(alerts, time) with { UnknownTripCount = alerts.Current.Unmatched.Count, UnknownTrips = Listed(alerts.Current.Unmatched) }, fetcher.Last);
            })
            .RequireAuthorization(Policies.Viewer).WithSummary("The active GTFS feed and the latest import attempts").Produces<FeedStatus>();
        api.MapGet("/nodes/{id}/gtfs-stops", (string id, StopLinks links, CancellationToken ct) => links.GetAsync(id, ct))
            .RequireAuthorization(Policies.Viewer).Produces<StopLinksInfo>();
        api.MapPut("/nodes/{id}/gtfs-stops", async (string id, HttpRequest request, ClaimsPrincipal user, StopLinks links) =>
                await links.PutAsync(user.Actor(), id, await Api.BodyAsync<StopLinksRequest>(request), request.HttpContext.RequestAborted))
            .RequireAuthorization(Policies.Installer).Body<StopLinksRequest>(new { stopIds = new[] { "igm-port", "igm-port-2" }, name = new { el = "Λιμάνι Ηγουμενίτσας", en = "Igoumenitsa Port" } })
            .WithSummary("Link a bus-stop node to the GTFS stop_ids whose departures it shows; name: its Greek and English name where the feed has no translation").Produces<StopLinksInfo>();
        api.MapGet("/nodes/{id}/departures", async (string id, TimetablePublisher publisher, TripUpdates realtime, TimeProvider time, IStorageConnections connections, CancellationToken ct) =>
            {
                await using (var tx = await Tx.ReadAsync(connections, ct)) await Inventory.InventoryService.GetNodeAsync(tx, id);
                var request = await publisher.BuildAsync(id, ct) ?? throw DomainException.Conflict("no GTFS feed is active yet");
                var departures = request.Content["arrivals"]!.AsArray().Select(a => new StopDeparture(
                    a!["route"]!.GetValue<string>(), a["headsign"]!["el"]!.GetValue<string>(), a["headsign"]!["en"]!.GetValue<string>(), a["at"]!.GetValue<string>(),
                    a["realtime"]!.GetValue<bool>() ? "realtime" : "scheduled", a.AsObject().ContainsKey("cancelled"))).ToList();
                var notices = request.Content["notices"]!.AsArray().Select(n => SignText.From(n!)).ToList();
                var banner = request.Content["banner"] is { } b ? new SignBanner(SignText.From(b["title"]!), SignText.From(b["text"]!)) : null;
                return new StopDepartures(id, Age(realtime, time), departures, notices, banner);
            })
            .RequireAuthorization(Policies.Viewer).WithSummary("The next departures a bus stop's sign shows, each realtime or scheduled, with its notices and banner from service alerts").Produces<StopDepartures>();
        return endpoints;
    }

    private static RealtimeStatus Status<T>(RealtimeFeed<T> feed, TimeProvider time) where T : class =>
        new(Timestamp(feed), Age(feed, time), feed.Entities, feed.LastProblem);

    private static List<string> Listed(IReadOnlyList<string> unknown) => unknown.Take(Edge.Cloud.Transit.Realtime.UnknownTrips.MaxListed).ToList();

    private static long? Timestamp<T>(RealtimeFeed<T> feed) where T : class => feed.Timestamp == 0 ? null : (long)feed.Timestamp;

    private static long? Age<T>(RealtimeFeed<T> feed, TimeProvider time) where T : class =>
        Timestamp(feed) is { } ts ? time.GetUtcNow().ToUnixTimeSeconds() - ts : null;
}
