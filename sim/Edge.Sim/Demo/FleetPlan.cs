using System.Collections.Generic;
using Edge.Firmware.Host.Hardware;

namespace Edge.Sim.Demo;

/// <summary>A zone of the site: one per village; flood rules act per zone.</summary>
public sealed record ZonePlan(string Id, string NameEl, string NameEn);

/// <summary>A group of street lights (usually one road) that shares a lighting profile.</summary>
public sealed record GroupPlan(string Id, string Name, string Zone);

/// <summary>A bilingual bus route serving a stop, for the stop's generated content and timetable.</summary>
public sealed record RoutePlan(string Route, string HeadsignEl, string HeadsignEn, int HeadwayMinutes, int OffsetMinutes);

/// <summary>A bilingual notice a stop shows in its ticker (docs/display-content.md <c>notices</c>).</summary>
public sealed record NoticePlan(string El, string En);

/// <summary>
/// One virtual node: where it stands and what its virtual hardware does. <see cref="LampMode"/> injects a
/// lamp fault; <see cref="WaterCurve"/> scripts the stream under a gauge (node-clock seconds since boot);
/// <see cref="Notices"/> are a stop's own notices, shown only there (after the site-wide demo notice).
/// </summary>
public sealed record NodePlan(
    string Id, string Type, string Zone, string? Group, double Lat, double Lon, string? Pole,
    string? Description = null,
    LampMode LampMode = LampMode.Normal, float RatedWatts = 60,
    IReadOnlyList<LevelPoint>? WaterCurve = null, string? Scenario = null,
    string? StopNameEl = null, string? StopNameEn = null, IReadOnlyList<RoutePlan>? Routes = null,
    IReadOnlyList<NoticePlan>? Notices = null);

/// <summary>Everything the demo seeds and runs: site, gateway, zones, groups, nodes, and their documents.</summary>
public sealed class FleetPlan
{
    public required string Site { get; init; }
    public required string SiteName { get; init; }
    public required string Gateway { get; init; }
    public required string Profile { get; init; }
    public required IReadOnlyList<ZonePlan> Zones { get; init; }
    public required IReadOnlyList<GroupPlan> Groups { get; init; }
    public required List<NodePlan> Nodes { get; init; }
}
