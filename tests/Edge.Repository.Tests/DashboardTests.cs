using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace Edge.Repository.Tests;

/// <summary>
/// The Grafana dashboard (<c>deploy/grafana/edge-dashboard.json</c>) queries only metrics the gateway and the cloud
/// export: a renamed instrument would otherwise leave its panel silently empty. An Edge metric in a query is the
/// instrument's name with dots as underscores, plus the suffixes the OpenTelemetry Prometheus exporter adds (unit,
/// <c>_total</c>, a histogram's <c>_bucket</c> / <c>_count</c> / <c>_sum</c>).
/// </summary>
public sealed partial class DashboardTests
{
    private static readonly string[] Suffixes = ["_bucket", "_count", "_sum", "_total", "_seconds", "_bytes", "_ratio"];

    [Fact]
    public void Every_Edge_metric_the_dashboard_queries_is_an_instrument_of_the_gateway_or_the_cloud()
    {
        var instruments = Instruments();
        var queried = QueriedMetrics(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "deploy", "grafana", "edge-dashboard.json")));

        Assert.Contains("edge_cloud_ingestion_records_total", queried);
        Assert.Contains("edge_gateway_outbox_depth", queried);
        var unknown = queried.Where(m => !Exported(m, instruments)).ToList();
        Assert.True(unknown.Count == 0, "queried but exported by neither service: " + string.Join(", ", unknown));
    }

    [Fact]
    public void A_query_of_a_metric_no_service_exports_is_found()
    {
        var instruments = Instruments();
        Assert.True(Exported("edge_cloud_feed_lag_seconds_bucket", instruments));
        Assert.False(Exported("edge_cloud_feed_lags_seconds_bucket", instruments));
        Assert.False(Exported("edge_gateway_outbox", instruments));
    }

    /// <summary>Every <c>edge.gateway.…</c> / <c>edge.cloud.…</c> name in the two services' sources, dots as underscores.</summary>
    private static HashSet<string> Instruments()
    {
        var names = new HashSet<string>();
        foreach (var folder in new[] { "gateway", "cloud" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, folder), "*.cs", SearchOption.AllDirectories))
            {
                if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")) continue;
                foreach (Match m in InstrumentName().Matches(File.ReadAllText(file))) names.Add(m.Groups[1].Value.Replace('.', '_'));
            }
        }
        Assert.True(names.Count > 20, $"only {names.Count} instrument names found");
        return names;
    }

    private static HashSet<string> QueriedMetrics(string dashboard) => EdgeMetric().Matches(dashboard).Select(m => m.Value).ToHashSet();

    /// <summary>The metric, or what is left of it after the exporter's suffixes, is an instrument's name.</summary>
    private static bool Exported(string metric, HashSet<string> instruments)
    {
        while (!instruments.Contains(metric))
        {
            var suffix = Suffixes.FirstOrDefault(metric.EndsWith);
            if (suffix is null) return false;
            metric = metric[..^suffix.Length];
        }
        return true;
    }

    [GeneratedRegex("\"(edge\\.(?:gateway|cloud)\\.[a-z0-9_.]+)\"")]
    private static partial Regex InstrumentName();

    [GeneratedRegex("\\bedge_(?:gateway|cloud)_[a-z0-9_]+")]
    private static partial Regex EdgeMetric();
}
