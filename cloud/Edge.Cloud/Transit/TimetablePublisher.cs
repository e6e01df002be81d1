using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Desired;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Edge.Cloud.Transit.Realtime;
using Edge.Firmware.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Edge.Cloud.Transit;

/// <summary>A stop's sign data of <see cref="TimetablePublisher.ArrivalsAsync"/>: the GTFS stops it shows (<see cref="StopIds"/>) and
/// the notices and banner of the service alerts that reach them.</summary>
public sealed record StopArrivals(long Feed, JsonObject Stop, DateTimeZone Zone, LocalDate Today, Instant Now, IReadOnlyList<SignDay> Days,
    IReadOnlyList<SignArrival> Arrivals, IReadOnlyList<string> StopIds, StopNotices Notices);

/// <summary>
/// Publishes each linked bus stop's timetable (today and tomorrow in the agency's time zone) with display
/// content of its next departures (live where GTFS-Realtime predicts them) and the notices and banner of the service
/// alerts that reach it, through <see cref="DisplayService"/>: the same desired-state path
/// as any display content, so the gateway sends it to the node (protocol.md §11).
/// </summary>
public sealed class TimetablePublisher
{
    public const string Actor = "transit";

    /// <summary>Content is published at least daily; a day and a margin keeps it valid until the next.</summary>
    private static readonly Duration ContentValidity = Duration.FromHours(26);

    /// <summary>The display envelope limit (protocol.md §11.2, enforced by <see cref="DisplayService"/>) and what the
    /// envelope adds around content and timetable (v, version, generated, the content's version).</summary>
    private const int MaxEnvelopeBytes = 16384;
    private const int EnvelopeOverheadBytes = 160;

    private readonly IStorageConnections _connections;
    private readonly DisplayService _displays;
    private readonly TimeProvider _time;
    private readonly ILogger<TimetablePublisher> _logger;
    private readonly TripUpdates _realtime;
    private readonly ServiceAlerts _alerts;
    private readonly Duration _maxRealtimeAge;
    private readonly Duration _refresh;
    // What was last published per node (arrivals, notices, banner) and when: a realtime round publishes the stops
    // whose content changed, and refreshes live content before the sign's staleness limit.
    private readonly ConcurrentDictionary<string, (string Content, Instant At)> _last = new(StringComparer.Ordinal);

    public TimetablePublisher(IStorageConnections connections, DisplayService displays, TripUpdates realtime, ServiceAlerts alerts, IOptions<TransitOptions> options,
        TimeProvider time, ILogger<TimetablePublisher> logger)
    {
        _connections = connections;
        _displays = displays;
        _realtime = realtime;
        _alerts = alerts;
        _maxRealtimeAge = Duration.FromSeconds(options.Value.Realtime.MaxAgeSeconds);
        _refresh = Duration.FromSeconds(Math.Max(1, options.Value.Realtime.RefreshSeconds));
        _time = time;
        _logger = logger;
    }

    /// <summary>The agency's zone of the active feed (null before any import).</summary>
    public async Task<DateTimeZone?> ZoneAsync(CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await GtfsStore.ActiveAsync(tx) is { } feed ? DateTimeZoneProviders.Tzdb[feed.Timezone] : null;
    }

    /// <summary>Publishes every linked bus stop (or only <paramref name="node"/>) with its timetable; returns the
    /// nodes published.</summary>
    public Task<IReadOnlyList<string>> PublishAsync(string? node = null, CancellationToken ct = default) => PublishAsync(node, true, ct);

    /// <summary>A realtime round: the display content (no timetable) of the stops whose arrivals changed.</summary>
    public Task<IReadOnlyList<string>> PublishRealtimeAsync(CancellationToken ct = default) => PublishAsync(null, false, ct);

    private async Task<IReadOnlyList<string>> PublishAsync(string? node, bool withTimetable, CancellationToken ct)
    {
        List<string> nodes;
        await using (var tx = await Tx.ReadAsync(_connections, ct))
        {
            // One node is published even without links: unlinking it then clears the departures it showed.
            nodes = await tx.QueryAsync(node is null
                    ? "SELECT DISTINCT l.node FROM transit_stop_links l JOIN nodes n ON n.id = l.node WHERE n.removed = 0 AND n.type = @t ORDER BY l.node"
                    : "SELECT id FROM nodes WHERE id = @node AND removed = 0 AND type = @t",
                r => r.GetString(0), ("@t", Wire.TypeBusStop), ("@node", node ?? ""));
        }
        var published = new List<string>();
        foreach (var id in nodes)
        {
            var request = await BuildAsync(id, ct);
            if (request is null) continue;
            var shown = new JsonArray(request.Content["arrivals"]!.DeepClone(), request.Content["notices"]!.DeepClone(), request.Content["banner"]?.DeepClone()).ToJsonString();
            var now = Instant.FromDateTimeOffset(_time.GetUtcNow());
            if (!withTimetable)
            {
                var live = request.Content["arrivals"]!.AsArray().Any(a => a!["realtime"]!.GetValue<bool>());
                if (_last.TryGetValue(id, out var last) && last.Content == shown && (!live || now - last.At < _refresh)) continue;
                request = request with { Timetable = null };
            }
            try
            {
                await _displays.PutAsync(Actor, id, request, ct);
                _last[id] = (shown, now);
                published.Add(id);
            }
            catch (DomainException e)
            {
                // One stop's refusal (e.g. over the envelope size) must not keep the others from their timetables.
                _logger.LogWarning("Timetable of {Node} not published: {Problem}", id, e.Message);
            }
        }
        return published;
    }

    /// <summary>The node's display content and timetable from the active feed, or null without a feed.</summary>
    public async Task<DisplayRequest?> BuildAsync(string node, CancellationToken ct = default)
    {
        var next = await ArrivalsAsync(node, ct);
        if (next is null) return null;
        var (today, now) = (next.Today, next.Now);
        var version = (long)(today.Year * 10000 + today.Month * 100 + today.Day) * 1000 + next.Feed % 1000;
        var content = TimetableBuilder.Content(next.Stop, next.Zone, next.Arrivals, now, now.Plus(ContentValidity), next.Notices);
        var room = MaxEnvelopeBytes - EnvelopeOverheadBytes - Encoding.UTF8.GetByteCount(content.ToJsonString());
        return new DisplayRequest(content, TimetableBuilder.Timetable(version, next.Stop, next.Zone, next.Days, room));
    }

    /// <summary>What a stop's sign is built from (also published as open data): the stop, the service days of
    /// its timetable, its arrivals of yesterday's, today's and tomorrow's service days (realtime applied, added trips
    /// included) and the alerts that reach it; null without a feed.</summary>
    public async Task<StopArrivals?> ArrivalsAsync(string node, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        var feed = await GtfsStore.ActiveAsync(tx);
        if (feed is null) return null;
        var zone = DateTimeZoneProviders.Tzdb[feed.Timezone];
        var now = Instant.FromDateTimeOffset(_time.GetUtcNow());
        var today = now.InZone(zone).Date;
        var stopIds = await StopLinks.StopIdsAsync(tx, node);
        var names = await TransitNames.LoadAsync(tx, feed.Feed);

        var stopName = (await tx.QueryAsync("SELECT stop_id, name FROM transit_stops WHERE feed = @f AND stop_id = @s",
            r => (Id: r.GetString(0), Name: r.Str(1) ?? r.GetString(0)), ("@f", feed.Feed), ("@s", stopIds.FirstOrDefault() ?? ""))).FirstOrDefault();
        var stop = new JsonObject { ["id"] = node, ["name"] = SignName(names, stopName.Id, stopName.Name, await StopLinks.NameAsync(tx, node), node) };

        var days = new List<SignDay>();
        var arrivals = new List<SignArrival>();
        var realtime = _realtime.Current;
        var schedules = new Dictionary<string, IReadOnlyDictionary<int, int>>(StringComparer.Ordinal);
        foreach (var date in new[] { today.PlusDays(-1), today, today.PlusDays(1) })
        {
            var scheduled = await ScheduledDepartures.ForDayAsync(tx, feed.Feed, stopIds, new DateOnly(date.Year, date.Month, date.Day));
            var signs = scheduled.ToDictionary(d => d, d => new SignDeparture(
                Route(d.Route),
                names.Bilingual("trips", "trip_headsign", d.TripId, d.Headsign ?? d.RouteLongName ?? d.Route),
                d.Time));
            // Yesterday's service day only for its trips after midnight still to come (content, not the timetable).
            if (date != today.PlusDays(-1)) days.Add(new SignDay(date, scheduled.Select(d => signs[d]).ToList()));
            await LoadSchedulesAsync(tx, feed.Feed, scheduled.Select(d => d.TripId).Distinct().Where(t => realtime.ByTrip.ContainsKey(t) && !schedules.ContainsKey(t)).ToList(), schedules);
            arrivals.AddRange(RealtimeDepartures.Apply(scheduled, zone, date, realtime, now, _maxRealtimeAge,
                    trip => schedules.TryGetValue(trip, out var times) ? times : new Dictionary<int, int>())
                .Select(l => new SignArrival(signs[l.Scheduled], l.At, l.Realtime, l.Cancelled) { Scheduled = l.Scheduled }));
        }
        arrivals.AddRange(await AddedDepartures.ForStopsAsync(tx, feed.Feed, names, realtime, stopIds, now, _maxRealtimeAge));
        var alerts = _alerts.Current.Alerts;
        var notices = alerts.Count == 0 || stopIds.Count == 0
            ? StopNotices.None
            : StopAlerts.For(alerts, await StopContexts.LoadAsync(tx, feed.Feed, stopIds), now);
        return new StopArrivals(feed.Feed, stop, zone, today, now, days, arrivals, stopIds, notices);
    }

    /// <summary>The scheduled departures by stop_sequence of the trips a realtime feed updates (to carry a delay from
    /// an absolute time at an earlier stop), a few hundred trips per query rather than one query each.</summary>
    private static async Task LoadSchedulesAsync(Tx tx, long feed, List<string> trips, Dictionary<string, IReadOnlyDictionary<int, int>> schedules)
    {
        foreach (var chunk in trips.Chunk(500))
        {
            var (names, tripParameters) = Tx.InList("@t", chunk);
            var rows = await tx.QueryAsync(
                $"SELECT trip_id, stop_sequence, departure FROM transit_stop_times WHERE feed = @f AND departure IS NOT NULL AND trip_id IN ({names})",
                r => (Trip: r.GetString(0), Seq: Convert.ToInt32(r.GetValue(1)), Time: Convert.ToInt32(r.GetValue(2))), [("@f", feed), .. tripParameters]);
            var loaded = chunk.ToDictionary(t => t, _ => new Dictionary<int, int>(), StringComparer.Ordinal);
            foreach (var row in rows) loaded[row.Trip][row.Seq] = row.Time;
            foreach (var (trip, times) in loaded) schedules[trip] = times;
        }
    }

    /// <summary>The sign's name in each language: the feed's translation of its first stop, else the name the
    /// inventory keeps for the node, else the feed's stop_name (else the node id).</summary>
    private static JsonObject SignName(TransitNames names, string? stopId, string? feedName, StopName? inventory, string node)
    {
        string Name(string language, string? fromInventory) =>
            (stopId is not null ? names.Find("stops", "stop_name", language, stopId, feedName!) : null) ?? fromInventory ?? feedName ?? node;
        return new JsonObject { ["el"] = TransitNames.Fit(Name("el", inventory?.El)), ["en"] = TransitNames.Fit(Name("en", inventory?.En)) };
    }

    /// <summary>The sign's route label: the short name, cut to the firmware's 6 characters.</summary>
    private static string Route(string name) => TransitNames.Fit(name, Firmware.Transit.DisplayContentParser.MaxRouteLength);
}
