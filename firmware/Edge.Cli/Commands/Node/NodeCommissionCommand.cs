using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.IO;
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
/// `edge node commission`: waits until the cloud sees the node's first message, then has the cloud run and judge its
/// type's self-test through the real command path (cloud → gateway → node → ack and telemetry back; the same run the
/// phone page starts), prints the steps, pass or fail and the figures; the cloud stores the result on the node (audited;
/// a failure opens an alarm for the technicians). An optional photo goes with the result.
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

        [CommandOption("--photo <FILE>")]
        [Description("A JPEG to store with the result (the pole, the lamp; at most the cloud's Commissioning:MaxPhotoBytes, 2 MiB by default; its Exif position is removed).")]
        public string? Photo { get; init; }

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
        byte[]? photo = ReadPhoto(s.Photo);
        using var cloud = CloudClient.SignedIn();
        var node = await NodeLookup.RequireAsync(cloud, s.Node, s.Pole, s.Site ?? cloud.Config.Site, ct);
        string id = node.Text("id")!, type = node.Text("type")!;
        var session = new SelfTestSession(cloud, id, line => Console.Out.WriteLine("  " + line));

        Console.Out.WriteLine("waiting for the first message of " + id + " (" + type + ") …");
        if (!await session.WaitForFirstMessageAsync(TimeSpan.FromSeconds(s.WaitS), ct))
            throw new CloudException("node '" + id + "' sent nothing within " + s.WaitS + " s: " + NodeStatusCommand.State(node)
                + " — is it powered, flashed with its record, in Wi-Fi range of its gateway?");

        Console.Out.WriteLine("self-test of " + id + " (run and judged by the cloud):");
        var request = new Dictionary<string, object?> { ["commandTimeoutS"] = s.CommandTimeoutS, ["lat"] = lat, ["lon"] = lon, ["accuracyM"] = s.AccuracyM };
        if (type == "streetlight") { request["minWatts"] = s.MinWatts; request["settleS"] = s.SettleS; }
        if (type == "waterlevel") { request["measuredMm"] = s.MeasuredMm; request["toleranceMm"] = s.ToleranceMm; }
        else if (s.MeasuredMm is not null) throw new CloudException("node commission: --measured-mm is for a water-level gauge; '" + id + "' is a " + type);
        var run = await session.RunAsync(request, ct);
        string status = run.Text("status")!;
        if (status is not ("passed" or "failed"))
            throw new CloudException("the self-test of '" + id + "' did not finish (" + status + "): " + run.Text("summary") + " — nothing was stored; run it again");
        bool passed = status == "passed";
        var figures = run.GetProperty("figures");
        foreach (var figure in figures.EnumerateObject())
            Console.Out.WriteLine($"  {figure.Name,-16} {(figure.Value.ValueKind == JsonValueKind.Null ? "—" : figure.Value.GetRawText())}");
        Console.Out.WriteLine((passed ? "PASS " : "FAIL ") + id + ": " + run.Text("summary"));
        Console.Out.WriteLine("stored on the node by " + run.Text("actor") + (passed ? "" : "; an alarm is open for the technicians"));

        if (photo is not null)
        {
            long result = run.GetProperty("result").GetInt64();
            await cloud.SendAsync(HttpMethod.Put, "nodes/" + Uri.EscapeDataString(id) + "/commissioning/" + result.ToString(CultureInfo.InvariantCulture) + "/photo",
                new { photo = Convert.ToBase64String(photo) }, ct);
            Console.Out.WriteLine("photo " + Path.GetFileName(s.Photo) + " stored with the result (without its metadata)");
        }

        if (type == "waterlevel" && s.MeasuredMm is { } measured && figures.Number("levelMm") is { } level)
            await OfferDatumAsync(cloud, node, level, measured, s.SetDatum, ct);
        return passed ? 0 : SelfTestFailed;
    }

    /// <summary>The photo, read before anything is sent: a missing or non-JPEG file fails at once, not after the self-test.</summary>
    private static byte[]? ReadPhoto(string? path)
    {
        if (path is null) return null;
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CloudException("node commission: --photo " + path + ": " + e.Message);
        }
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8) throw new CloudException("node commission: --photo " + path + " is not a JPEG");
        return data;
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
