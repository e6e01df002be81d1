using Edge.Firmware.Hydro;
using Edge.Firmware.Lighting;
using Edge.Firmware.Time;

namespace Edge.Firmware.Protocol;

/// <summary>The <c>busstop</c> part of a bus-stop config (docs/protocol.md §9.7).</summary>
public sealed class BusStopSettings
{
    public string Panel = "epd-7in5";
    public int Width = 800;
    public int Height = 480;
    public int Rotation;
    public int StaleAfterS = 300;
    public int FullRefreshS = 3600;
    /// <summary>Quiet hours as minutes after local midnight; -1 when none.</summary>
    public int QuietFromMin = -1;
    public int QuietToMin = -1;

    /// <summary>Whether local minute-of-day <paramref name="minute"/> falls in the quiet hours (which may wrap midnight).</summary>
    public bool IsQuiet(int minute)
    {
        if (QuietFromMin < 0 || QuietFromMin == QuietToMin) return false;
        if (QuietFromMin < QuietToMin) return minute >= QuietFromMin && minute < QuietToMin;
        return minute >= QuietFromMin || minute < QuietToMin;
    }
}

/// <summary>
/// A validated <c>config</c> document (docs/protocol.md §9): the envelope, the common <c>node</c>
/// settings, and the one type-specific part, already parsed by its own parser.
/// </summary>
public sealed class NodeConfig
{
    public const string DefaultTz = "EET-2EEST,M3.5.0/3,M10.5.0/4";

    public long Version;
    public string Type = "";
    public long Issued;

    // node (§9.3)
    public int TelemetryS = 300;
    public int StateS = 3600;
    public string Tz = DefaultTz;
    public PosixTimeZone? Zone;
    public bool HasPosition;
    public double Latitude;
    public double Longitude;
    public string[] Ntp = new string[] { "pool.ntp.org" };

    /// <summary>streetlight: docs/dimming-profiles.md.</summary>
    public LightingSchedule? Lighting;
    /// <summary>waterlevel: docs/water-gauge.md.</summary>
    public GaugeConfig? Water;
    /// <summary>busstop: §9.7.</summary>
    public BusStopSettings? BusStop;
}
