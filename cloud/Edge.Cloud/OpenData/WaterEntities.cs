using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Edge.Firmware.Protocol;

namespace Edge.Cloud.OpenData;

/// <summary>
/// Stream gauges as FIWARE <c>WaterObserved</c> (the measured height) and <c>FloodMonitoring</c> (the flood state
/// against the gauge's thresholds), both dataModel.Environment. Lengths are metres; the measured distance follows
/// from the schema's own relation (current level = reference level − measured distance). A gauge that has not reported yet
/// has no observation and is left out (WaterObserved requires <c>dateObserved</c>).
/// </summary>
public static class WaterEntities
{
    public const string ObservedType = "WaterObserved";
    public const string FloodType = "FloodMonitoring";

    private static IEnumerable<PublicNode> Gauges(OpenDataSnapshot snapshot) =>
        snapshot.Nodes.Where(n => n.Type == Wire.TypeWaterLevel && n.Latest is not null);

    public static IEnumerable<NgsiEntity> Observed(OpenDataSnapshot snapshot, string provider)
    {
        foreach (var gauge in Gauges(snapshot))
        {
            var latest = gauge.Latest!;
            yield return new NgsiEntity(ObservedType, gauge.Id, gauge.Point, Math.Max(gauge.UpdatedAt, latest.Ts))
                .Property("name", gauge.Id)
                .Property("dataProvider", provider)
                .Time("dateObserved", latest.Ts)
                // The schema's height is never negative; a level below the gauge's datum is left out rather than bent.
                .Property("height", latest.LevelMm is >= 0 ? latest.LevelMm / 1000.0 : null)
                .Relationship("refDevice", NgsiEntity.Urn(DeviceEntities.Type, gauge.Id));
        }
    }

    public static IEnumerable<NgsiEntity> Flood(OpenDataSnapshot snapshot, string provider)
    {
        foreach (var gauge in Gauges(snapshot))
        {
            var latest = gauge.Latest!;
            var config = GaugeLevels.From(gauge.GaugeConfig);
            yield return new NgsiEntity(FloodType, gauge.Id, gauge.Point, Math.Max(gauge.UpdatedAt, latest.Ts))
                .Property("name", gauge.Id)
                .Property("dataProvider", provider)
                .Property("stationID", gauge.Id)
                .Property("currentLevel", latest.LevelMm / 1000.0)
                .Property("measuredDistance", (config?.ReferenceMm - latest.LevelMm) / 1000.0)
                .Property("referenceLevel", config?.ReferenceMm / 1000.0)
                .Property("alertLevel", config?.WarningMm / 1000.0)
                .Property("dangerLevel", config?.AlarmMm / 1000.0)
                .Property("floodLevelStatus", latest.FloodState)
                .Time("observationDateTime", latest.Ts);
        }
    }
}

/// <summary>What a gauge's configuration (docs/water-gauge.md) says about levels: the sensor face above the
/// reporting datum (FloodMonitoring's <c>referenceLevel</c>, so current level = reference − measured distance) and
/// the warning and alarm thresholds; the battery's empty and full voltages, when configured.</summary>
public sealed record GaugeLevels(long? ReferenceMm, long? WarningMm, long? AlarmMm, long? EmptyMv, long? FullMv)
{
    public static GaugeLevels? From(string? config)
    {
        if (config is null) return null;
        using var document = JsonDocument.Parse(config);
        var root = document.RootElement;
        long? Int(JsonElement e, params string[] path)
        {
            foreach (var name in path)
            {
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out e)) return null;
            }
            return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var v) ? v : null;
        }
        var mounting = Int(root, "mountingHeightMm");
        return new GaugeLevels(mounting - (Int(root, "datumOffsetMm") ?? 0), Int(root, "thresholds", "warning", "level"), Int(root, "thresholds", "alarm", "level"),
            Int(root, "battery", "emptyMv"), Int(root, "battery", "fullMv"));
    }
}
