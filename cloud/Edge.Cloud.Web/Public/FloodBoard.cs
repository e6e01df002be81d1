using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.History;
using Edge.Cloud.Inventory;
using Edge.Firmware.Protocol;

namespace Edge.Cloud.Web.Public;

/// <summary>One gauge as citizens see it: where, its flood state (<c>normal → watch → warning → alarm</c>,
/// docs/water-gauge.md; <c>unknown</c> before its first reading), level, rate of rise and when it last reported.</summary>
public sealed record GaugeReading(string Node, string? Zone, double? Lat, double? Lon, string State, long? LevelMm, long? RateMmH, long? At);

/// <summary>Every water-level gauge of the inventory with its latest telemetry.</summary>
public sealed class FloodBoard(InventoryService inventory, HistoryService history)
{
    public static readonly string[] States = { "normal", "watch", "warning", "alarm" };

    public async Task<IReadOnlyList<GaugeReading>> ReadAsync(CancellationToken ct = default)
    {
        var gauges = await inventory.ListNodesAsync(null, null, null, null, Wire.TypeWaterLevel, ct);
        var readings = new List<GaugeReading>();
        foreach (var gauge in gauges)
        {
            // The newest row carries the rate of rise the gauge computed (the condition keeps level and state only).
            var latest = (await history.TelemetryAsync(gauge.Id, null, null, 1, ct)).FirstOrDefault();
            var state = latest?.FloodState is { } s && States.Contains(s) ? s : "unknown";
            readings.Add(new GaugeReading(gauge.Id, gauge.Zone, gauge.Lat, gauge.Lon, state, latest?.LevelMm, latest?.RateMmH, latest?.Ts));
        }
        return readings;
    }
}
