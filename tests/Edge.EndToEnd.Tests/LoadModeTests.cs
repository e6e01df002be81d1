using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Sim.Load;

namespace Edge.EndToEnd.Tests;

/// <summary>
/// `edge-sim load` for a few seconds with a few nodes: the real cloud and gateway programs as their own processes,
/// PostgreSQL from EDGE_TEST_POSTGRES (scripts/test.sh starts one). Checks that the figures are real: every
/// published message arrives and is timed, commands are acked and timed, every component's usage is read.
/// </summary>
public sealed class LoadModeTests
{
    [Fact]
    public async Task A_short_scale_run_delivers_every_message_and_reports_lag_commands_and_resources_per_component()
    {
        var postgres = Environment.GetEnvironmentVariable("EDGE_TEST_POSTGRES");
        Assert.False(string.IsNullOrWhiteSpace(postgres), "EDGE_TEST_POSTGRES is not set: run ./scripts/test.sh, which starts a throwaway PostgreSQL");
        var options = LoadOptions.Parse(["--postgres", postgres!, "--nodes", "6", "--gateways", "2", "--minutes", "0.1", "--interval", "1", "--command-every", "1"], out var error);
        Assert.True(options is not null, error);
        var log = new StringWriter();

        var report = await new LoadRun(options!, log).RunAsync(CancellationToken.None);

        Assert.Equal((6, 2), (report.Nodes, report.Gateways));
        Assert.True(report.TelemetryPublished > 0, log.ToString());
        // Each message was PUBACKed after the gateway's outbox commit: all of them must reach the cloud, each timed once.
        Assert.Equal((report.TelemetryPublished, 0L), (report.TelemetryArrived, report.TelemetryNotArrived));
        Assert.Equal(report.TelemetryArrived, report.IngestLag.Samples);
        Assert.True(report.IngestLag.P50Ms > 0 && report.IngestLag.P50Ms <= report.IngestLag.P99Ms && report.IngestLag.P99Ms <= report.IngestLag.MaxMs);
        Assert.True(report.CommandsIssued > 0, log.ToString());
        Assert.Equal((report.CommandsIssued, 0), (report.CommandsAcked, report.CommandErrors));
        Assert.True(report.CommandLatency.P99Ms > 0);
        Assert.Equal(["cloud", "edge-sim (virtual nodes)", "gw-load-1", "gw-load-2"],
            report.Components.Select(c => c.Component).Where(c => !c.StartsWith("postgresql", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.All(report.Components, c => Assert.True(c.CpuCores > 0 && c.RssMb > 0, $"{c.Component}: CPU {c.CpuCores}, RSS {c.RssMb} MB"));
        // The cloud's own /metrics over the window: batches with records in them, each stored in measured time, and the
        // record feed's transactions that applied them.
        var pipeline = report.Pipeline;
        Assert.True(pipeline.Batches > 0 && pipeline.Records >= pipeline.Batches, $"{pipeline}");
        Assert.True(pipeline.StoreSeconds > 0 && pipeline.FeedTransactions > 0 && pipeline.FeedSeconds > 0, $"{pipeline}");

        var printed = new StringWriter();
        LoadRun.Print(report, printed);
        Assert.Contains("ingest lag (node publish → stored in the cloud): p50", printed.ToString());
        Assert.Contains($"cloud pipeline over the measured window (its /metrics): {pipeline.Batches} batches accepted", printed.ToString());
    }

    [Fact]
    public void Wrong_usage_is_refused_with_a_reason()
    {
        Assert.Null(LoadOptions.Parse(["--nodes", "10"], out var missing));
        Assert.Contains("--postgres is required", missing);
        Assert.Null(LoadOptions.Parse(["--postgres", "Host=x", "--nodes", "2", "--gateways", "3"], out var tooMany));
        Assert.Equal("--gateways must not exceed --nodes", tooMany);
        Assert.Null(LoadOptions.Parse(["--postgres", "Host=x", "--minutes", "soon"], out var bad));
        Assert.Equal("--minutes: 'soon' is not a valid value", bad);
    }
}
