using Edge.Cloud.Transit.Gtfs;

namespace Edge.Cloud.Transit;

/// <summary>Configuration section <c>Transit</c> (docs/transit.md).</summary>
public sealed class TransitOptions
{
    public const string Section = "Transit";

    public GtfsLimits Limits { get; set; } = new();

    public RealtimeOptions Realtime { get; set; } = new();

    public FeedFetchOptions Feed { get; set; } = new();
}

/// <summary><c>Transit:Feed</c>: where the agency publishes its GTFS zip, fetched daily.</summary>
public sealed class FeedFetchOptions
{
    /// <summary>The zip's URL; none: feeds come only by upload.</summary>
    public string? Url { get; set; }

    /// <summary>Hours between two fetches (the first is when the cloud starts).</summary>
    public double IntervalHours { get; set; } = 24;
}

/// <summary><c>Transit:Realtime</c>: the agency's GTFS-Realtime feeds.</summary>
public sealed class RealtimeOptions
{
    /// <summary>TripUpdates URL; none: scheduled times only.</summary>
    public string? TripUpdatesUrl { get; set; }

    /// <summary>VehiclePositions URL (held and shown in the feed status); none: not polled.</summary>
    public string? VehiclePositionsUrl { get; set; }

    /// <summary>ServiceAlerts URL (the stops' notices and banners); none: not polled.</summary>
    public string? ServiceAlertsUrl { get; set; }

    /// <summary>Content with live predictions is published again after this long even when nothing changed, so the
    /// sign (which trusts live times for its staleAfterS, 300 s by default) keeps showing them as live.</summary>
    public int RefreshSeconds { get; set; } = 120;

    public int IntervalSeconds { get; set; } = 30;

    /// <summary>A feed whose header timestamp is older than this is not shown: the signs fall back to the schedule.</summary>
    public int MaxAgeSeconds { get; set; } = 120;
}
