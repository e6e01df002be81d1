using System;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Cloud.Commissioning;

/// <summary>
/// Street light: identify (the lamp blinks), then 100 % and 0 % held by a short override, each measured by the node's
/// own power meter after the settle time and a sample-now, then back to the schedule. Passes when the lamp draws at
/// least <see cref="SelfTestRunRequest.MinWatts"/> at 100 % (lamp present, relay closes) and at most a fifth of that
/// figure at 0 % (dimming follows).
/// </summary>
public sealed class StreetLightSelfTest : INodeSelfTest
{
    public const double DefaultMinWatts = 5;

    /// <summary>The node reads its meter every 10 s and a driver takes a moment to reach a new level.</summary>
    public const int DefaultSettleS = 12;

    /// <summary>How long each level is held: long enough to look up at the lamp, well under <see cref="CommissioningService.MaxOverrideS"/>.</summary>
    public const long OverrideS = 120;

    public string Type => "streetlight";

    private static string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);

    public async Task<SelfTestVerdict> RunAsync(SelfTestProbe probe, SelfTestRunRequest request, CancellationToken ct)
    {
        double minWatts = request.MinWatts ?? DefaultMinWatts;
        var settle = TimeSpan.FromSeconds(request.SettleS ?? DefaultSettleS);
        var figures = new JsonObject();
        string identify = await probe.RunAsync("identify", new JsonObject { ["durationS"] = 5 }, ct);
        figures["identify"] = identify;
        double? w100 = await LevelWattsAsync(probe, 100, settle, ct);
        double? w0 = await LevelWattsAsync(probe, 0, settle, ct);
        figures["wattsAt100"] = w100;
        figures["wattsAt0"] = w0;
        figures["minWatts"] = minWatts;
        figures["overrideClear"] = await probe.RunAsync("override.clear", null, ct);
        if (identify != "ok") return new(false, "identify was not carried out: " + identify, figures);
        if (w100 is null || w0 is null) return new(false, "no power reading at " + (w100 is null ? "100 %" : "0 %") + " (no telemetry with watts after the override)", figures);
        if (w100 < minWatts)
            return new(false, "lamp draws " + F(w100.Value) + " W at 100 % (expected at least " + F(minWatts) + " W): lamp missing or dead, or the relay does not close", figures);
        if (w0 > w100 / 5)
            return new(false, "lamp draws " + F(w0.Value) + " W at 0 % against " + F(w100.Value) + " W at 100 %: dimming does not follow (driver not wired to the dimming output?)", figures);
        return new(true, "lamp " + F(w100.Value) + " W at 100 %, " + F(w0.Value) + " W at 0 %; identify ok", figures);
    }

    // The figure is taken after the settle time, from telemetry the node sends on sample-now: the telemetry it sends at
    // once when the override begins shows the driver before it reached the level.
    private static async Task<double?> LevelWattsAsync(SelfTestProbe probe, int level, TimeSpan settle, CancellationToken ct)
    {
        if (await probe.RunAsync("override", new JsonObject { ["level"] = level, ["durationS"] = OverrideS, ["reason"] = "commissioning" }, ct) != "ok") return null;
        await probe.DelayAsync(settle, ct);
        var seen = await probe.TelemetrySeenAsync(ct);
        if (await probe.RunAsync("sample-now", null, ct) != "ok") return null;
        var t = await probe.TelemetryAsync(seen, p => p.Number("level") == level && p.Text("source") == "override" && p.Number("watts") is not null, ct);
        if (t is null) await probe.SayAsync("no telemetry with watts at " + level + " %");
        return t?.Number("watts");
    }
}
