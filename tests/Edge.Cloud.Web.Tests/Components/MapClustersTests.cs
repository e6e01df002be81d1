using System;
using System.Linq;
using Edge.Cloud.Inventory;
using Edge.Cloud.Web.Technicians;

namespace Edge.Cloud.Web.Tests.Components;

/// <summary>The map stays drawable with 10,000 nodes: nearby nodes become numbered clusters, none is lost.</summary>
public sealed class MapClustersTests
{
    private static NodeInfo Node(string id, double lat, double lon, string? zone, string? status) => new(
        id, "igoumenitsa", "streetlight", "gw", null, null, lat, lon, null, zone, null, null, null, null, null, false, null, null, 0,
        null, status, null, null, null, null);

    [Fact]
    public void Ten_thousand_nodes_are_drawn_as_at_most_one_dot_per_cell_and_every_node_is_counted()
    {
        var random = new Random(7);
        var nodes = Enumerable.Range(0, 10_000)
            .Select(i => Node($"sl-{i:00000}", 39.45 + random.NextDouble() * 0.1, 20.20 + random.NextDouble() * 0.15, i % 2 == 0 ? "east" : "west", "online"))
            .ToList();
        var (dots, zones) = MapClusters.Build(nodes, 960, 640, 30);
        Assert.Equal(10_000, dots.Sum(d => d.Count));
        Assert.True(dots.Count <= (int)(960 / MapClusters.Cell + 1) * (int)(640 / MapClusters.Cell + 1), dots.Count + " dots");
        Assert.All(dots, d => Assert.InRange(d.X, 0, 960));
        Assert.Equal(new[] { "east", "west" }, zones.Select(z => z.Zone).OrderBy(z => z));
    }

    [Fact]
    public void A_lone_node_stays_a_link_and_a_cluster_takes_its_worst_state()
    {
        var nodes = new[]
        {
            Node("sl-far", 39.40, 20.10, null, "online"),
            Node("sl-a", 39.50, 20.30, null, "online"),
            Node("sl-b", 39.50, 20.30, null, "offline"),
        };
        var (dots, _) = MapClusters.Build(nodes, 960, 640, 30);
        Assert.Equal("sl-far", Assert.Single(dots, d => d.Count == 1).Node);
        var cluster = Assert.Single(dots, d => d.Count == 2);
        Assert.Null(cluster.Node);
        Assert.Equal("offline", cluster.State);
    }
}
