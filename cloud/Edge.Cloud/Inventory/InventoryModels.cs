using System.Text.Json;

namespace Edge.Cloud.Inventory;

public sealed record SiteInfo(string Id, string Name, string Tz);

public sealed record SiteRequest(string Name, string? Tz);

public sealed record ZoneInfo(string Id, string Site, string Name);

public sealed record ZoneRequest(string Site, string Name);

/// <summary>A group of nodes (usually street lights of one road) and the lighting profile assigned to it.</summary>
public sealed record GroupInfo(string Id, string Site, string Name, string? Profile);

public sealed record GroupRequest(string Site, string Name);

/// <summary>
/// A node as the inventory knows it. <see cref="Profile"/> is the node's own assignment (overrides the
/// group's); <see cref="EffectiveProfile"/> is the one its config uses. <see cref="Status"/>, <see cref="LastSeen"/>,
/// <see cref="AppliedConfigVersion"/> come from what the node reported (node_state); <see cref="DesiredConfigVersion"/>
/// is what the cloud wants it to run.
/// </summary>
public sealed record NodeInfo(
    string Id, string Site, string Type, string? Gateway, string? Model, string? Firmware, double? Lat, double? Lon,
    string? Pole, string? Zone, string? Group, string? InstalledBy, long? InstalledAt, string? Profile, string? EffectiveProfile,
    bool HasSecret, JsonElement? GaugeConfig, JsonElement? BusStopConfig, long UpdatedAt,
    long? DesiredConfigVersion, string? Status, long? LastSeen, long? AppliedConfigVersion, long? AppliedDisplayVersion, string? ReportedFirmware)
{
    /// <summary>The node's latest reported condition (level and source, faults, gauge, shown content); null
    /// until it sent telemetry.</summary>
    public NodeCondition? Condition { get; init; }
    /// <summary>A street lamp's rated power in W (the luminaire's nameplate); null when not recorded.</summary>
    public double? RatedWatts { get; init; }
}

/// <summary>Create or replace a node's inventory data. <see cref="InstalledBy"/> / <see cref="InstalledAt"/> default
/// to the acting user and now when the node is new. <see cref="RatedWatts"/>: a street lamp's rated power in W
/// (<see cref="InventoryService.MinRatedWatts"/>–<see cref="InventoryService.MaxRatedWatts"/>; street lights only).</summary>
public sealed record NodeRequest(
    string Site, string Type, string? Gateway, string? Model, string? Firmware, double? Lat, double? Lon, string? Pole,
    string? Zone, string? Group, string? InstalledBy, long? InstalledAt, double? RatedWatts = null);

/// <summary>The node secret, shown once: write it to the node with <c>edge node provision</c>.</summary>
public sealed record NodeSecret(string Node, string Secret);
