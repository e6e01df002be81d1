using System;
using System.Globalization;
using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cli.Cloud;

namespace Edge.Cli.Commissioning;

/// <summary>What a self-test found: pass or fail, one sentence, and the figures behind it.</summary>
public sealed record SelfTestResult(bool Passed, string Summary, JsonObject Figures);

/// <summary>The self-test of each node type (docs/provisioning.md §Commissioning).</summary>
public static class SelfTests
{
    private static string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>
    /// Street light: identify (the lamp blinks), then 100 % and 0 % held by a short override, each measured by the
    /// node's own power meter after a sample-now. Passes when the lamp draws at least <paramref name="minWatts"/> at
    /// 100 % (lamp present, relay closes) and at most a fifth of that at 0 % (dimming follows).
    /// </summary>
    public static async Task<SelfTestResult> StreetLightAsync(SelfTestSession s, double minWatts, TimeSpan settle, CancellationToken ct)
    {
        var figures = new JsonObject();
        string identify = await s.RunAsync("identify", new { durationS = 5 }, ct);
        figures["identify"] = identify;
        double? w100 = await LevelWattsAsync(s, 100, settle, ct);
        double? w0 = await LevelWattsAsync(s, 0, settle, ct);
        figures["wattsAt100"] = w100;
        figures["wattsAt0"] = w0;
        figures["minWatts"] = minWatts;
        figures["overrideClear"] = await s.RunAsync("override.clear", null, ct);
        if (identify != "ok") return new(false, "identify was not carried out: " + identify, figures);
        if (w100 is null || w0 is null) return new(false, "no power reading at " + (w100 is null ? "100 %" : "0 %") + " (no telemetry with watts after the override)", figures);
        if (w100 < minWatts)
            return new(false, "lamp draws " + F(w100.Value) + " W at 100 % (expected at least " + F(minWatts) + " W): lamp missing or dead, or the relay does not close", figures);
        if (w0 > w100 / 5)
            return new(false, "lamp draws " + F(w0.Value) + " W at 0 % against " + F(w100.Value) + " W at 100 %: dimming does not follow (driver not wired to the dimming output?)", figures);
        return new(true, "lamp " + F(w100.Value) + " W at 100 %, " + F(w0.Value) + " W at 0 %; identify ok", figures);
    }

    // The node reads its power meter every 10 s and a driver takes a moment to reach a new level: the figure is
    // taken after the settle time, from telemetry the node sends on sample-now.
    private static async Task<double?> LevelWattsAsync(SelfTestSession s, int level, TimeSpan settle, CancellationToken ct)
    {
        if (await s.RunAsync("override", new { level, durationS = 120, reason = "commissioning" }, ct) != "ok") return null;
        await Task.Delay(settle, ct);
        if (await s.RunAsync("sample-now", null, ct) != "ok") return null;
        var t = await s.TelemetryAsync(p => p.Number("level") == level && p.Text("source") == "override" && p.Number("watts") is not null, ct);
        return t?.Number("watts");
    }

    /// <summary>
    /// Gauge: one burst now; the computed level next to the installer's tape measurement. Passes when the sensor is
    /// ok and, with a measurement, the two agree within <paramref name="toleranceMm"/>.
    /// </summary>
    public static async Task<SelfTestResult> GaugeAsync(SelfTestSession s, int? measuredMm, int toleranceMm, CancellationToken ct)
    {
        var figures = new JsonObject();
        var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5;
        string sample = await s.RunAsync("sample-now", null, ct);
        figures["sampleNow"] = sample;
        if (sample != "ok") return new(false, "sample-now was not carried out: " + sample, figures);
        var t = await s.TelemetryAsync(p => p.Number("ts") >= since && p.Text("sensor") is not null, ct);
        if (t is null) return new(false, "no telemetry after sample-now", figures);
        string sensor = t.Value.Text("sensor")!;
        double? level = t.Value.Number("levelMm");
        figures["sensor"] = sensor;
        figures["levelMm"] = level;
        if (sensor != "ok" || level is null) return new(false, "sensor reports '" + sensor + "'" + (level is null ? " and no level" : ""), figures);
        if (measuredMm is null) return new(true, "level " + level + " mm, sensor ok (no tape measurement given)", figures);
        double diff = level.Value - measuredMm.Value;
        figures["measuredMm"] = measuredMm;
        figures["differenceMm"] = diff;
        if (Math.Abs(diff) > toleranceMm)
            return new(false, "gauge reads " + level + " mm, tape " + measuredMm + " mm: " + diff.ToString("+0;-0", CultureInfo.InvariantCulture) + " mm, more than ±" + toleranceMm + " mm (set the datum with --set-datum, or check the mounting height)", figures);
        return new(true, "gauge " + level + " mm, tape " + measuredMm + " mm (" + diff.ToString("+0;-0;0", CultureInfo.InvariantCulture) + " mm)", figures);
    }

    /// <summary>Bus stop: identify (the panel shows the node id over its header, with the departures under it), a full refresh, and the shown content.</summary>
    public static async Task<SelfTestResult> BusStopAsync(SelfTestSession s, CancellationToken ct)
    {
        var figures = new JsonObject();
        string identify = await s.RunAsync("identify", new { durationS = 30 }, ct);
        string refresh = await s.RunAsync("display.refresh", null, ct);
        figures["identify"] = identify;
        figures["displayRefresh"] = refresh;
        if (await s.RunAsync("sample-now", null, ct) == "ok" && await s.TelemetryAsync(p => p.TryGetProperty("stale", out _), ct) is { } t)
        {
            figures["contentVersion"] = t.Number("contentVersion");
            figures["stale"] = t.TryGetProperty("stale", out var stale) && stale.ValueKind == JsonValueKind.True;
        }
        if (identify != "ok" || refresh != "ok") return new(false, "test pattern not shown: identify " + identify + ", display.refresh " + refresh, figures);
        return new(true, "test pattern shown (node id over the departures), panel refreshed" + (figures["contentVersion"] is { } v ? ", content version " + v : ", no content yet"), figures);
    }
}
