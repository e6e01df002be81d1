using System;
using System.Collections.Generic;
using System.Linq;
using NodaTime;

namespace Edge.Cloud.Transit.Gtfs;

/// <summary>
/// Reads the files Edge uses from a feed zip and validates them as the GTFS reference does: required files
/// and columns, value formats, unknown references, duplicate keys. Every problem is collected (file, line,
/// field); a feed with any is refused as a whole (<see cref="GtfsFeedException"/>). Files Edge does not use
/// (shapes, fares, transfers, …) are left alone.
/// </summary>
public static class GtfsReader
{
    public static GtfsFeed Read(GtfsZip zip)
    {
        var problems = new GtfsProblems();
        var feed = new GtfsFeed();
        foreach (var file in new[] { "agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt" })
        {
            if (!zip.Has(file)) problems.Add(file, 0, null, "required file is missing");
        }
        if (!zip.Has("calendar.txt") && !zip.Has("calendar_dates.txt"))
        {
            problems.Add("calendar.txt", 0, null, "required file is missing (calendar.txt or calendar_dates.txt, or both)");
        }

        void Table(string file, string[] required, Action<GtfsRow> each)
        {
            if (zip.Has(file)) GtfsTable.Read(zip.Read(file), file, required, problems, each);
        }

        var agencyIds = new HashSet<string>(StringComparer.Ordinal);
        Table("agency.txt", ["agency_name", "agency_url", "agency_timezone"], r =>
        {
            var id = r.Optional("agency_id");
            if (id is not null && !agencyIds.Add(id)) r.Problem("agency_id", $"duplicate key \"{id}\"");
            var tz = r.Required("agency_timezone");
            if (tz is not null && DateTimeZoneProviders.Tzdb.GetZoneOrNull(tz) is null) r.Problem("agency_timezone", $"\"{tz}\" is not a time zone of the tz database");
            feed.Agencies.Add(new GtfsAgency(id, r.Required("agency_name") ?? "", r.Required("agency_url") ?? "", tz ?? ""));
        });
        if (feed.Agencies.Count > 1 && feed.Agencies.Any(a => a.Id is null)) problems.Add("agency.txt", 0, "agency_id", "required when the feed has more than one agency");
        if (feed.Agencies.Select(a => a.Timezone).Distinct().Count() > 1) problems.Add("agency.txt", 0, "agency_timezone", "all agencies of a feed must have the same time zone");
        if (zip.Has("agency.txt") && feed.Agencies.Count == 0) problems.Add("agency.txt", 0, null, "no agency");

        var stopIds = new HashSet<string>(StringComparer.Ordinal);
        var parents = new List<(int Line, string Parent)>();
        Table("stops.txt", ["stop_id"], r =>
        {
            var id = r.Required("stop_id");
            var type = r.Integer("location_type", 0, 4) ?? 0;
            var name = r.Optional("stop_name");
            if (type <= 2)
            {
                if (name is null) r.Problem("stop_name", "required for location_type 0-2");
                Coordinate(r, "stop_lat", 90);
                Coordinate(r, "stop_lon", 180);
            }
            var parent = r.Optional("parent_station");
            if (parent is not null) parents.Add((r.Line, parent));
            if (id is null) return;
            if (!stopIds.Add(id)) r.Problem("stop_id", $"duplicate key \"{id}\"");
            else feed.Stops.Add(new GtfsStop(id, name, parent, type));
        });
        foreach (var (line, parent) in parents)
        {
            if (!stopIds.Contains(parent)) problems.Add("stops.txt", line, "parent_station", $"unknown stop \"{parent}\"");
        }

        var routeIds = new HashSet<string>(StringComparer.Ordinal);
        Table("routes.txt", ["route_id", "route_type"], r =>
        {
            var id = r.Required("route_id");
            var agency = r.Optional("agency_id");
            if (agency is not null && !agencyIds.Contains(agency)) r.Problem("agency_id", $"unknown agency \"{agency}\"");
            if (agency is null && feed.Agencies.Count > 1) r.Problem("agency_id", "required when the feed has more than one agency");
            var shortName = r.Optional("route_short_name");
            var longName = r.Optional("route_long_name");
            if (shortName is null && longName is null) r.Problem("route_short_name", "route_short_name or route_long_name is required");
            var type = r.Integer("route_type", 0, 1702, required: true) ?? 3;
            if (id is null) return;
            if (!routeIds.Add(id)) r.Problem("route_id", $"duplicate key \"{id}\"");
            else feed.Routes.Add(new GtfsRoute(id, agency, shortName, longName, type));
        });

        var serviceIds = new HashSet<string>(StringComparer.Ordinal);
        Table("calendar.txt", ["service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "start_date", "end_date"], r =>
        {
            var id = r.Required("service_id");
            var days = 0;
            var names = new[] { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday" };
            for (var i = 0; i < 7; i++) days |= (r.Integer(names[i], 0, 1, required: true) ?? 0) << i;
            var start = r.Date("start_date", required: true);
            var end = r.Date("end_date", required: true);
            if (start > end) r.Problem("end_date", "is before start_date");
            if (id is null || start is null || end is null) return;
            if (!serviceIds.Add(id)) r.Problem("service_id", $"duplicate key \"{id}\"");
            else feed.Calendars.Add(new GtfsCalendar(id, days, start.Value, end.Value));
        });
        var exceptions = new HashSet<(string, DateOnly)>();
        Table("calendar_dates.txt", ["service_id", "date", "exception_type"], r =>
        {
            var id = r.Required("service_id");
            var date = r.Date("date", required: true);
            var type = r.Integer("exception_type", 1, 2, required: true);
            if (id is null || date is null || type is null) return;
            if (!exceptions.Add((id, date.Value))) r.Problem("date", $"duplicate key (\"{id}\", {GtfsTime.FormatDate(date.Value)})");
            else feed.CalendarDates.Add(new GtfsCalendarDate(id, date.Value, type.Value));
        });
        serviceIds.UnionWith(feed.CalendarDates.Select(d => d.ServiceId));

        var tripIds = new HashSet<string>(StringComparer.Ordinal);
        Table("trips.txt", ["route_id", "service_id", "trip_id"], r =>
        {
            var id = r.Required("trip_id");
            var route = r.Required("route_id");
            var service = r.Required("service_id");
            if (route is not null && !routeIds.Contains(route)) r.Problem("route_id", $"unknown route \"{route}\"");
            if (service is not null && !serviceIds.Contains(service)) r.Problem("service_id", $"unknown service \"{service}\" (not in calendar.txt or calendar_dates.txt)");
            var direction = r.Integer("direction_id", 0, 1);
            if (id is null || route is null || service is null) return;
            if (!tripIds.Add(id)) r.Problem("trip_id", $"duplicate key \"{id}\"");
            else feed.Trips.Add(new GtfsTrip(id, route, service, r.Optional("trip_headsign"), direction));
        });

        var stopTimeKeys = new HashSet<(string, int)>();
        var lines = new Dictionary<GtfsStopTime, int>(ReferenceEqualityComparer.Instance);
        Table("stop_times.txt", ["trip_id", "stop_id", "stop_sequence"], r =>
        {
            var trip = r.Required("trip_id");
            var stop = r.Required("stop_id");
            var sequence = r.Integer("stop_sequence", 0, int.MaxValue, required: true);
            var arrival = r.Time("arrival_time");
            var departure = r.Time("departure_time");
            if (arrival is not null && departure is not null && departure < arrival) r.Problem("departure_time", "is before arrival_time");
            if (trip is not null && !tripIds.Contains(trip)) r.Problem("trip_id", $"unknown trip \"{trip}\"");
            if (stop is not null && !stopIds.Contains(stop)) r.Problem("stop_id", $"unknown stop \"{stop}\"");
            var pickup = r.Integer("pickup_type", 0, 3) ?? 0;
            if (trip is null || stop is null || sequence is null) return;
            if (!stopTimeKeys.Add((trip, sequence.Value))) { r.Problem("stop_sequence", $"duplicate key (\"{trip}\", {sequence})"); return; }
            var stopTime = new GtfsStopTime(trip, sequence.Value, stop, arrival ?? departure, departure ?? arrival, r.Optional("stop_headsign"), pickup);
            feed.StopTimes.Add(stopTime);
            lines[stopTime] = r.Line;
        });
        CheckTripTimes(feed, lines, problems);

        Table("frequencies.txt", ["trip_id", "start_time", "end_time", "headway_secs"], r =>
        {
            var trip = r.Required("trip_id");
            if (trip is not null && !tripIds.Contains(trip)) r.Problem("trip_id", $"unknown trip \"{trip}\"");
            var start = r.Time("start_time");
            var end = r.Time("end_time");
            var headway = r.Integer("headway_secs", 1, 86400, required: true);
            if (start is not null && end is not null && end <= start) r.Problem("end_time", "is not after start_time");
            if (trip is null || start is null || end is null || headway is null) return;
            feed.Frequencies.Add(new GtfsFrequency(trip, start.Value, end.Value, headway.Value));
        });

        Table("feed_info.txt", ["feed_publisher_name", "feed_publisher_url", "feed_lang"], r =>
        {
            if (feed.FeedInfo is not null) { r.Problem(null, "feed_info.txt has more than one row"); return; }
            r.Required("feed_publisher_url");
            feed.FeedInfo = new GtfsFeedInfo(r.Required("feed_publisher_name") ?? "", r.Required("feed_lang") ?? "",
                r.Optional("feed_version"), r.Date("feed_start_date", false), r.Date("feed_end_date", false));
        });
        Table("translations.txt", ["table_name", "field_name", "language", "translation"], r =>
        {
            var table = r.Required("table_name");
            var field = r.Required("field_name");
            var language = r.Required("language");
            var text = r.Required("translation");
            var recordId = r.Optional("record_id");
            var fieldValue = r.Optional("field_value");
            if (recordId is null && fieldValue is null && table != "feed_info") r.Problem("record_id", "record_id or field_value is required");
            if (table is null || field is null || language is null || text is null) return;
            feed.Translations.Add(new GtfsTranslation(table, field, language, text, recordId, r.Optional("record_sub_id"), fieldValue));
        });

        if (problems.Any) throw new GtfsFeedException(problems);
        return feed;
    }

    /// <summary>Each trip: its first and last stops are timed, and times never go back along the sequence.</summary>
    private static void CheckTripTimes(GtfsFeed feed, Dictionary<GtfsStopTime, int> lines, GtfsProblems problems)
    {
        foreach (var trip in feed.StopTimes.GroupBy(s => s.TripId))
        {
            var ordered = trip.OrderBy(s => s.Sequence).ToList();
            foreach (var end in new[] { ordered[0], ordered[^1] }.Distinct())
            {
                if (end.Arrival is null) problems.Add("stop_times.txt", lines[end], "arrival_time", "required for the first and last stop of a trip");
            }
            int? previous = null;
            foreach (var stopTime in ordered)
            {
                if (stopTime.Arrival is { } arrival && previous is { } before && arrival < before)
                {
                    problems.Add("stop_times.txt", lines[stopTime], "arrival_time", "is before the previous stop's departure_time");
                }
                previous = stopTime.Departure ?? previous;
            }
        }
    }

    private static void Coordinate(GtfsRow r, string field, double limit)
    {
        var text = r.Required(field);
        if (text is null) return;
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) || Math.Abs(value) > limit)
        {
            r.Problem(field, $"\"{text}\" is not a coordinate in -{limit}..{limit}");
        }
    }
}
