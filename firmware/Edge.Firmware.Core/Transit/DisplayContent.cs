namespace Edge.Firmware.Transit;

/// <summary>
/// What the gateway wants a stop to show: the <c>display</c> MQTT payload (docs/display-content.md),
/// parsed by <see cref="DisplayContentParser"/>. Immutable once parsed; a new document replaces it.
/// </summary>
public sealed class DisplayContent
{
    public const int MaxArrivals = 16;
    public const int MaxNotices = 8;

    internal DisplayContent(long version, long generatedAt, long validUntil, int utcOffsetSeconds, BilingualText stopName,
        Arrival[] arrivals, BilingualText[] notices, EmergencyBanner? banner)
    {
        Version = version;
        GeneratedAt = generatedAt;
        ValidUntil = validUntil;
        UtcOffsetSeconds = utcOffsetSeconds;
        StopName = stopName;
        Arrivals = arrivals;
        Notices = notices;
        Banner = banner;
    }

    /// <summary>Increases with every document the gateway publishes; an older version is ignored.</summary>
    public long Version { get; }

    /// <summary>When the gateway built this document (UTC seconds); live arrivals age from here.</summary>
    public long GeneratedAt { get; }

    /// <summary>After this instant (UTC seconds) nothing in the document is shown.</summary>
    public long ValidUntil { get; }

    /// <summary>Local time − UTC at the stop, for the clock.</summary>
    public int UtcOffsetSeconds { get; }

    public BilingualText StopName { get; }

    /// <summary>Arrivals in ascending time order.</summary>
    public Arrival[] Arrivals { get; }

    public BilingualText[] Notices { get; }

    /// <summary>The emergency banner, or null.</summary>
    public EmergencyBanner? Banner { get; }
}
