using System;
using System.Collections.Generic;
using System.Linq;
using Edge.Firmware.Protocol;

namespace Edge.Cloud.OpenData;

/// <summary>
/// Every node as a FIWARE <c>Device</c> (dataModel.Device): what it is, what it measures or controls, its firmware,
/// battery (gauges with a battery configured: 0..1 between its empty and full voltages), Wi-Fi signal (dBm) and state.
/// </summary>
public static class DeviceEntities
{
    public const string Type = "Device";

    public static IEnumerable<NgsiEntity> Devices(OpenDataSnapshot snapshot, string provider)
    {
        foreach (var node in snapshot.Nodes)
        {
            var (category, controlled) = node.Type switch
            {
                Wire.TypeStreetLight => (new[] { "actuator", "meter" }, new[] { "light", "electricityConsumption" }),
                Wire.TypeWaterLevel => (new[] { "sensor" }, new[] { "waterLevel" }),
                Wire.TypeBusStop => (new[] { "actuator" }, new[] { "display" }),
                _ => (new[] { "sensor" }, Array.Empty<string>()),
            };
            yield return new NgsiEntity(Type, node.Id, node.Point, new[] { node.UpdatedAt, node.LastSeen ?? 0, node.StateAt ?? 0, node.Latest?.Ts ?? 0 }.Max())
                .Property("name", node.Id)
                .Property("dataProvider", provider)
                .Property("deviceCategory", category)
                .Property("controlledProperty", controlled)
                .Property("refDeviceModel", node.Model)
                .Property("firmwareVersion", node.ReportedFirmware ?? node.Firmware)
                .Property("batteryLevel", Battery(node))
                .Property("rssi", node.Rssi)
                .Property("deviceState", node.Status ?? "unknown")
                .Time("dateInstalled", node.InstalledAt)
                .Time("dateLastValueReported", node.LastSeen);
        }
    }

    private static double? Battery(PublicNode node)
    {
        if (node.Type != Wire.TypeWaterLevel || node.Latest?.BatteryV is not { } volts) return null;
        if (GaugeLevels.From(node.GaugeConfig) is not { EmptyMv: { } empty, FullMv: { } full }) return null;
        return Math.Round(Math.Clamp((volts * 1000 - empty) / (full - empty), 0, 1), 3);
    }
}
