using System;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Cloud.Commissioning;

/// <summary>
/// Water-level gauge: one burst now (sample-now), the measured distance and the computed level next to the installer's
/// tape measurement (<see cref="SelfTestRunRequest.MeasuredMm"/>, mm above the datum). Passes when the sensor is ok
/// with a level and, given a tape measurement, the two agree within <see cref="SelfTestRunRequest.ToleranceMm"/>.
/// </summary>
public sealed class GaugeSelfTest : INodeSelfTest
{
    public const int DefaultToleranceMm = 20;

    public string Type => "waterlevel";

    public async Task<SelfTestVerdict> RunAsync(SelfTestProbe probe, SelfTestRunRequest request, CancellationToken ct)
    {
        int tolerance = request.ToleranceMm ?? DefaultToleranceMm;
        var figures = new JsonObject();
        var seen = await probe.TelemetrySeenAsync(ct);
        string sample = await probe.RunAsync("sample-now", null, ct);
        figures["sampleNow"] = sample;
        if (sample != "ok") return new(false, "sample-now was not carried out: " + sample, figures);
        var t = await probe.TelemetryAsync(seen, p => p.Text("sensor") is not null, ct);
        if (t is null) return new(false, "no telemetry after sample-now", figures);
        string sensor = t.Value.Text("sensor")!;
        double? level = t.Value.Number("levelMm");
        figures["sensor"] = sensor;
        figures["distanceMm"] = t.Value.Number("distanceMm");
        figures["levelMm"] = level;
        if (sensor != "ok" || level is null) return new(false, "sensor reports '" + sensor + "'" + (level is null ? " and no level" : ""), figures);
        if (request.MeasuredMm is not { } measured) return new(true, "level " + Mm(level.Value) + " mm, sensor ok (no tape measurement given)", figures);
        double diff = level.Value - measured;
        figures["measuredMm"] = measured;
        figures["toleranceMm"] = tolerance;
        figures["differenceMm"] = diff;
        if (Math.Abs(diff) > tolerance)
            return new(false, "gauge reads " + Mm(level.Value) + " mm, tape " + measured + " mm: " + diff.ToString("+0;-0", CultureInfo.InvariantCulture)
                + " mm, more than ±" + tolerance + " mm (set the datum, or check the mounting height)", figures);
        return new(true, "gauge " + Mm(level.Value) + " mm, tape " + measured + " mm (" + diff.ToString("+0;-0;0", CultureInfo.InvariantCulture) + " mm)", figures);
    }

    private static string Mm(double v) => v.ToString("0", CultureInfo.InvariantCulture);
}
