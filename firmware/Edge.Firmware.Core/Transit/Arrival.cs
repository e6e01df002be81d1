namespace Edge.Firmware.Transit;

/// <summary>
/// One upcoming departure from the stop: predicted (realtime) or from the timetable (scheduled). Immutable once
/// handed out, except the few row objects the display refills from the compact <see cref="Timetable"/>.
/// </summary>
public sealed class Arrival
{
    public Arrival(string route, BilingualText headsign, long at, bool realtime, bool cancelled)
    {
        Route = route;
        Headsign = headsign;
        At = at;
        Realtime = realtime;
        Cancelled = cancelled;
    }

    internal void Set(string route, BilingualText headsign, long at, bool realtime, bool cancelled)
    {
        Route = route;
        Headsign = headsign;
        At = at;
        Realtime = realtime;
        Cancelled = cancelled;
    }

    /// <summary>Route short name as printed on the bus ("2", "X95", "2Α").</summary>
    public string Route { get; private set; }

    public BilingualText Headsign { get; private set; }

    /// <summary>Predicted or scheduled departure, seconds since the Unix epoch (UTC).</summary>
    public long At { get; private set; }

    /// <summary>True when the time comes from a vehicle's live position, false when from the timetable.</summary>
    public bool Realtime { get; private set; }

    public bool Cancelled { get; private set; }
}
