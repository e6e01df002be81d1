using System;
using System.Collections.Generic;

namespace Edge.Cloud.Transit.Gtfs;

public sealed record GtfsAgency(string? Id, string Name, string Url, string Timezone);

public sealed record GtfsStop(string Id, string? Name, string? ParentStation, int LocationType);

public sealed record GtfsRoute(string Id, string? AgencyId, string? ShortName, string? LongName, int Type);

public sealed record GtfsTrip(string Id, string RouteId, string ServiceId, string? Headsign, int? DirectionId);

/// <summary>Times are seconds from the service day's "noon minus 12 h" (<see cref="GtfsTime"/>); null where the
/// feed leaves an intermediate stop untimed.</summary>
public sealed record GtfsStopTime(string TripId, int Sequence, string StopId, int? Arrival, int? Departure, string? Headsign, int PickupType);

/// <summary>frequencies.txt: the trip runs every <see cref="Headway"/> seconds from <see cref="Start"/> (inclusive) to
/// <see cref="End"/> (exclusive); its stop_times are a template whose first departure is each run's start.</summary>
public sealed record GtfsFrequency(string TripId, int Start, int End, int Headway);

/// <summary><see cref="Days"/>: bit 0 Monday … bit 6 Sunday.</summary>
public sealed record GtfsCalendar(string ServiceId, int Days, DateOnly Start, DateOnly End);

/// <summary><see cref="ExceptionType"/>: 1 service added on <see cref="Date"/>, 2 removed.</summary>
public sealed record GtfsCalendarDate(string ServiceId, DateOnly Date, int ExceptionType);

public sealed record GtfsFeedInfo(string PublisherName, string Lang, string? Version, DateOnly? Start, DateOnly? End);

/// <summary>A translations.txt row (the current spec's form: table/field, then record_id or field_value).</summary>
public sealed record GtfsTranslation(string Table, string Field, string Language, string Translation, string? RecordId, string? RecordSubId, string? FieldValue);

/// <summary>A whole feed as read and validated; nothing in it refers to anything missing.</summary>
public sealed class GtfsFeed
{
    public List<GtfsAgency> Agencies { get; } = new();
    public List<GtfsStop> Stops { get; } = new();
    public List<GtfsRoute> Routes { get; } = new();
    public List<GtfsTrip> Trips { get; } = new();
    public List<GtfsStopTime> StopTimes { get; } = new();
    public List<GtfsCalendar> Calendars { get; } = new();
    public List<GtfsCalendarDate> CalendarDates { get; } = new();
    public List<GtfsTranslation> Translations { get; } = new();
    public List<GtfsFrequency> Frequencies { get; } = new();
    public GtfsFeedInfo? FeedInfo { get; set; }

    /// <summary>All agencies of a valid feed share one time zone (GTFS: agency_timezone).</summary>
    public string Timezone => Agencies[0].Timezone;
}
