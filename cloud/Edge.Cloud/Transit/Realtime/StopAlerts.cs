using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using NodaTime;
using TransitRealtime;

namespace Edge.Cloud.Transit.Realtime;

/// <summary>What a sign serves, for matching alerts: its GTFS stops (and their parent stations), the routes, their
/// agencies and route types, and the trips that call there.</summary>
public sealed record StopContext(IReadOnlySet<string> Stops, IReadOnlySet<string> Routes, IReadOnlySet<string> Agencies, IReadOnlySet<int> RouteTypes,
    IReadOnlySet<string> Trips);

/// <summary>A stop's notices (bilingual) and banner (or null) from the service alerts that reach it.</summary>
public sealed record StopNotices(IReadOnlyList<JsonObject> Notices, JsonObject? Banner)
{
    public static readonly StopNotices None = new([], null);
}

/// <summary>
/// ServiceAlerts for one sign, by the GTFS-Realtime rules: an alert reaches the stop when one of its
/// informed_entity selectors does — the fields of one selector all hold (AND): <c>stop_id</c> is a linked stop or its
/// parent station, <c>route_id</c> a route calling there, <c>agency_id</c> its agency, <c>route_type</c> its type,
/// <c>trip.trip_id</c> a trip calling there (<c>direction_id</c> is not narrowed on); a <c>trip</c> named without
/// trip_id must have been found in the timetable (<see cref="ServiceAlerts.ResolveAsync"/>), else the selector reaches
/// nothing. It is shown while now is in
/// one of its active_periods (none: always; a missing start or end is open). Text is header_text in Greek and
/// English from its translations (language tags by their primary subtag, e.g. <c>el-GR</c>; a missing language uses
/// the untagged or first translation). Severe alerts — effect NO_SERVICE, DETOUR, STOP_MOVED or SIGNIFICANT_DELAYS,
/// or severity_level SEVERE — make the banner (the first one; header as title, description as text); the others,
/// and further severe ones, are notices (at most the firmware's 8).
/// </summary>
public static class StopAlerts
{
    /// <summary>The firmware's limit on a banner title (DisplayContentParser reads at most 60 characters).</summary>
    public const int MaxTitle = 60;
    private const int MaxBannerText = Firmware.Transit.DisplayContentParser.MaxBannerTextLength;
    private const int MaxNotices = Firmware.Transit.DisplayContent.MaxNotices;

    public static StopNotices For(IEnumerable<Alert> alerts, StopContext stop, Instant now)
    {
        var notices = new List<JsonObject>();
        JsonObject? banner = null;
        foreach (var alert in alerts.Where(a => Active(a, now) && a.InformedEntity.Any(e => Reaches(e, stop))))
        {
            var header = Bilingual(alert.HeaderText, Firmware.Transit.DisplayContentParser.MaxTextLength);
            if (header is null) continue;
            if (banner is null && Severe(alert))
            {
                banner = new JsonObject
                {
                    ["title"] = Bilingual(alert.HeaderText, MaxTitle),
                    ["text"] = Bilingual(alert.DescriptionText, MaxBannerText) ?? Bilingual(alert.HeaderText, MaxBannerText),
                };
            }
            else if (notices.Count < MaxNotices) notices.Add(header);
        }
        return new StopNotices(notices, banner);
    }

    private static bool Active(Alert alert, Instant now)
    {
        if (alert.ActivePeriod.Count == 0) return true;
        var t = (ulong)Math.Max(0, now.ToUnixTimeSeconds());
        return alert.ActivePeriod.Any(p => (!p.HasStart || p.Start <= t) && (!p.HasEnd || t < p.End));
    }

    private static bool Reaches(EntitySelector e, StopContext stop)
    {
        // A trip named without trip_id that the timetable lookup could not tell (ServiceAlerts.ResolveAsync; listed in
        // the feed status) is not guessed: the selector reaches no stop.
        if (e.Trip is { HasTripId: false }) return false;
        var any = e.HasAgencyId || e.HasRouteId || e.HasRouteType || e.HasStopId || e.Trip is { HasTripId: true };
        return any
               && (!e.HasAgencyId || stop.Agencies.Contains(e.AgencyId))
               && (!e.HasRouteId || stop.Routes.Contains(e.RouteId))
               && (!e.HasRouteType || stop.RouteTypes.Contains(e.RouteType))
               && (!e.HasStopId || stop.Stops.Contains(e.StopId))
               && (e.Trip is not { HasTripId: true } trip || stop.Trips.Contains(trip.TripId));
    }

    private static bool Severe(Alert alert) =>
        alert.Effect is Alert.Types.Effect.NoService or Alert.Types.Effect.Detour or Alert.Types.Effect.StopMoved or Alert.Types.Effect.SignificantDelays
        || alert.SeverityLevel == Alert.Types.SeverityLevel.Severe;

    /// <summary>{"el", "en"} from a TranslatedString, each cut to <paramref name="max"/>; null when it has no text.</summary>
    private static JsonObject? Bilingual(TranslatedString? text, int max)
    {
        if (text is null || text.Translation.Count == 0) return null;
        var fallback = text.Translation.FirstOrDefault(t => !t.HasLanguage || t.Language.Length == 0) ?? text.Translation[0];
        string Pick(string language) => (text.Translation.FirstOrDefault(t => Primary(t.Language) == language) ?? fallback).Text;
        return new JsonObject { ["el"] = TransitNames.Fit(Pick("el"), max), ["en"] = TransitNames.Fit(Pick("en"), max) };
    }

    private static string Primary(string tag) => tag.Split('-', 2)[0].ToLowerInvariant();
}
