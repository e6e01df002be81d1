using System;
using System.Collections.Generic;
using System.Linq;
using Edge.Firmware.Protocol;

namespace Edge.Cloud.OpenData;

/// <summary>
/// Street lights as FIWARE <c>Streetlight</c> and their groups as <c>StreetlightGroup</c> (dataModel.Streetlighting).
/// Level 0 is <c>off</c>, 100 <c>on</c>, anything between <c>low</c>; a light whose latest telemetry reports a lamp
/// fault is <c>defectiveLamp</c> (a supply loss <c>columnIssue</c>).
/// </summary>
public static class StreetlightEntities
{
    public const string Type = "Streetlight";
    public const string GroupType = "StreetlightGroup";

    public static IEnumerable<NgsiEntity> Lights(OpenDataSnapshot snapshot, string provider)
    {
        foreach (var node in snapshot.Nodes.Where(n => n.Type == Wire.TypeStreetLight))
        {
            var latest = node.Latest;
            var switching = snapshot.Switching.GetValueOrDefault(node.Id);
            yield return new NgsiEntity(Type, node.Id, node.Point, Math.Max(node.UpdatedAt, latest?.Ts ?? 0))
                .Property("name", node.Id)
                .Property("dataProvider", provider)
                .Property("status", Status(latest))
                .Property("powerState", PowerState(latest?.Level))
                .Property("illuminanceLevel", latest?.Level / 100.0)
                .Property("powerConsumption", latest?.Watts)
                .Property("voltage", latest?.Volts)
                .Property("lifetimePowerConsumption", latest?.EnergyWh / 1000.0)
                .Property("controllingMethod", "individual")
                .Property("streetPoleNum", node.Pole)
                .Time("dateLastSwitchingOn", switching?.LastOn)
                .Time("dateLastSwitchingOff", switching?.LastOff)
                .Time("dateServiceStarted", node.InstalledAt)
                .Time("observationDateTime", latest?.Ts)
                .Relationship("refStreetlightGroup", node.Group is null ? null : NgsiEntity.Urn(GroupType, node.Group))
                .Relationships("refDevice", [NgsiEntity.Urn(DeviceEntities.Type, node.Id)]);
        }
    }

    /// <summary>A group's location is the centre of its lights (groups without a located light are not published);
    /// its power state the brightest of its lights', its level their mean.</summary>
    public static IEnumerable<NgsiEntity> Groups(OpenDataSnapshot snapshot, string provider)
    {
        foreach (var group in snapshot.Groups)
        {
            var lights = snapshot.Nodes.Where(n => n.Type == Wire.TypeStreetLight && n.Group == group.Id).ToList();
            if (lights.Count == 0) continue;
            var centre = new GeoPoint(lights.Average(l => l.Point.Lon), lights.Average(l => l.Point.Lat));
            var levels = lights.Where(l => l.Latest?.Level is not null).Select(l => l.Latest!.Level!.Value).ToList();
            var switching = lights.Select(l => snapshot.Switching.GetValueOrDefault(l.Id)).Where(s => s is not null).ToList();
            var modified = Math.Max(group.UpdatedAt, lights.Max(l => Math.Max(l.UpdatedAt, l.Latest?.Ts ?? 0)));
            yield return new NgsiEntity(GroupType, group.Id, centre, modified)
                .Property("name", group.Name)
                .Property("dataProvider", provider)
                .Property("powerState", levels.Count == 0 ? null : PowerState(levels.Max()))
                .Property("illuminanceLevel", levels.Count == 0 ? null : Math.Round(levels.Average() / 100.0, 4))
                .Property("activeProgramId", group.Profile)
                .Time("dateLastSwitchingOn", switching.Max(s => s!.LastOn))
                .Time("dateLastSwitchingOff", switching.Max(s => s!.LastOff))
                .Relationships("refStreetlight", lights.Select(l => NgsiEntity.Urn(Type, l.Id)).ToList());
        }
    }

    public static string? PowerState(long? level) => level switch
    {
        null => null,
        <= 0 => "off",
        >= 100 => "on",
        _ => "low",
    };

    /// <summary>The schema's four statuses; <c>ok</c> until telemetry reports a fault (protocol §7.2).</summary>
    public static string Status(LatestReading? latest)
    {
        if (latest is null || latest.Faults.Count == 0) return "ok";
        return latest.Faults.All(f => f == "supply-loss") ? "columnIssue" : "defectiveLamp";
    }
}
