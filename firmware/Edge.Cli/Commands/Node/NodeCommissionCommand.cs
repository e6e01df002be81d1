using System;
using System.ComponentModel;
using System.Globalization;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cli.Cloud;
using Edge.Cli.Commissioning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Edge.Cli.Commands.Node;

/// <summary>
/// `edge node commission`: waits until the cloud sees the node's first message, runs its type's self-test through the
/// real command path (cloud → gateway → node → ack and telemetry back), prints pass or fail with the figures, and
/// stores the result on the node (audited; a failure opens an alarm for the technicians).
/// </summary>
public sealed class NodeCommissionCommand : AsyncCommand<NodeCommissionCommand.Settings>
{
    /// <summary>Exit code of a self-test that ran and failed (its result is stored).</summary>
    public const int SelfTestFailed = 3;

    public sealed class Settings : NodeSelection
    {
        [CommandOption("--wait <SECONDS>")]
        [Description("How long to wait for the node's first message (default 300).")]
        public int WaitS { get; init; } = 300;

        [CommandOption("--command-timeout <SECONDS>")]
        [Description("How long to wait for each self-test command's answer (default 120).")]
        public int CommandTimeoutS { get; init; } = 120;

        [CommandOption("--min-watts <WATTS>")]
        [Description("Street light: least power at 100 % for a working lamp (default 5).")]
        public double MinWatts { get; init; } = 5;

        [CommandOption("--settle <SECONDS>")]
        [Description("Street light: wait this long at each level before reading the power (default 12: the node reads its meter every 10 s).")]
        public int SettleS { get; init; } = 12;

        [CommandOption("--measured-mm <MM>")]
        [Description("Gauge: the water level you measured with tape or the gauge board, in mm above the datum.")]
        public int? MeasuredMm { get; init; }

        [CommandOption("--tolerance-mm <MM>")]
        [Description("Gauge: largest difference to the tape measurement that passes (default 20).")]
        public int ToleranceMm { get; init; } = 20;

        [CommandOption("--set-datum")]
        [Description("Gauge: change the gauge config's datumOffsetMm so the gauge reads the tape measurement.")]
        public bool SetDatum { get; init; }

        [CommandOption("--lat <DEGREES>")]
        [Description("Where you stand (recorded with the result).")]
        public string? Latitude { get; init; }

        [CommandOption("--lon <DEGREES>")]
        [Description("Where you stand (recorded with the result).")]
        public string? Longitude { get; init; }

        [CommandOption("--accuracy-m <METRES>")]
        [Description("Accuracy of --lat/--lon, as the GPS reports it.")]
        public double? AccuracyM { get; init; }

        public override ValidationResult Validate()
        {
            if (base.Validate() is { Successful: false } selection) return selection;
            if (SettleS < 0 || SettleS > 600) return ValidationResult.Error("node commission: --settle must be 0..600 seconds");
            if (WaitS < 1 || CommandTimeoutS < 1) return ValidationResult.Error("node commission: --wait and --command-timeout must be at least 1 second");
            if (SetDatum && MeasuredMm is null) return ValidationResult.Error("node commission: --set-datum needs --measured-mm");
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings s, CancellationToken ct)
    {
        CliArguments.RejectUnknown(context, "node commission");
        double? lat = CliArguments.Degrees("--lat", s.Latitude, 90), lon = CliArguments.Degrees("--lon", s.Longitude, 180);
        using var cloud = CloudClient.SignedIn();
        var node = await NodeLookup.RequireAsync(cloud, s.Node, s.Pole, s.Site ?? cloud.Config.Site, ct);
        string id = node.Text("id")!, type = node.Text("type")!;
        var session = new SelfTestSession(cloud, id, TimeSpan.FromSeconds(s.CommandTimeoutS), line => Console.Out.WriteLine("  " + line));

        Console.Out.WriteLine("waiting for the first message of " + id + " (" + type + ") …");
        if (!await session.WaitForFirstMessageAsync(TimeSpan.FromSeconds(s.WaitS), ct))
            throw new CloudException("node '" + id + "' sent nothing within " + s.WaitS + " s: " + NodeStatusCommand.State(node)
                + " — is it powered, flashed with its record, in Wi-Fi range of its gateway?");

        await session.WaitForConfigAsync(ct);
        Console.Out.WriteLine("self-test of " + id + ":");
        var result = type switch
        {
            "streetlight" => await SelfTests.StreetLightAsync(session, s.MinWatts, TimeSpan.FromSeconds(s.SettleS), ct),
            "waterlevel" => await SelfTests.GaugeAsync(session, s.MeasuredMm, s.ToleranceMm, ct),
            "busstop" => await SelfTests.BusStopAsync(session, ct),
            _ => throw new CloudException("node '" + id + "' has type '" + type + "', which has no self-test"),
        };
        foreach (var figure in result.Figures)
            Console.Out.WriteLine($"  {figure.Key,-16} {figure.Value?.ToJsonString() ?? "—"}");

        var stored = await cloud.SendAsync(HttpMethod.Post, "nodes/" + Uri.EscapeDataString(id) + "/commissioning", new
        {
            passed = result.Passed, summary = result.Summary, figures = result.Figures, lat, lon, accuracyM = s.AccuracyM,
        }, ct);
        Console.Out.WriteLine((result.Passed ? "PASS " : "FAIL ") + id + ": " + result.Summary);
        Console.Out.WriteLine("stored on the node by " + stored.Text("actor") + (result.Passed ? "" : "; an alarm is open for the technicians"));

        if (type == "waterlevel" && s.MeasuredMm is { } measured && result.Figures["levelMm"] is JsonValue levelValue)
            await OfferDatumAsync(cloud, node, levelValue.GetValue<double>(), measured, s.SetDatum, ct);
        return result.Passed ? 0 : SelfTestFailed;
    }

    /// <summary>The gauge config change that makes the gauge read the tape: datumOffsetMm moves by the difference (level = mounting height − distance − datum).</summary>
    private static async Task OfferDatumAsync(CloudClient cloud, JsonElement node, double levelMm, int measuredMm, bool apply, CancellationToken ct)
    {
        if (!node.TryGetProperty("gaugeConfig", out var config) || config.ValueKind != JsonValueKind.Object)
        {
            Console.Out.WriteLine("datum: the node has no gauge config in the cloud (it runs its defaults); set one with PUT /api/v1/nodes/{id}/gauge-config");
            return;
        }
        var document = JsonNode.Parse(config.GetRawText())!.AsObject();
        long datum = document["datumOffsetMm"] is JsonValue d ? d.GetValue<long>() : 0;
        long proposed = datum + (long)Math.Round(levelMm - measuredMm);
        if (proposed == datum) return;
        if (!apply)
        {
            Console.Out.WriteLine($"datum: datumOffsetMm {datum} → {proposed} would make the gauge read {measuredMm} mm; add --set-datum to apply it");
            return;
        }
        document["datumOffsetMm"] = proposed;
        await cloud.SendAsync(HttpMethod.Put, "nodes/" + Uri.EscapeDataString(node.Text("id")!) + "/gauge-config", document, ct);
        Console.Out.WriteLine($"datum: datumOffsetMm {datum} → {proposed} stored; the node applies it with its next config");
    }
}
