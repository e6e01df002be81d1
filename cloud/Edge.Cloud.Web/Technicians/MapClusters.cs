using System.Collections.Generic;
using System.Linq;
using Edge.Cloud.Inventory;
using Edge.Cloud.Web.Public;

namespace Edge.Cloud.Web.Technicians;

/// <summary>A dot on the map: one node, or a cluster of nodes that fall in one grid cell (then <see cref="Node"/> is
/// null and the colour is the worst state among them).</summary>
public sealed record MapDot(double X, double Y, string State, int Count, string? Node);

/// <summary>A zone's extent on the map: the box around its nodes (zones carry no outline in the inventory).</summary>
public sealed record MapZone(string Zone, double X, double Y, double Width, double Height);

/// <summary>
/// Places nodes on an SVG and keeps it drawable with 10,000 of them: nodes closer than <see cref="Cell"/> pixels share
/// one grid cell and are drawn as one numbered cluster, so the drawing has at most (width / cell) × (height / cell)
/// dots however many nodes there are.
/// </summary>
public static class MapClusters
{
    public const double Cell = 14;

    /// <summary>Worst first: a cluster takes the colour of its worst member.</summary>
    private static readonly string[] Severity = { "alarm", "offline", "warning", "asleep", "unknown", "ok" };

    /// <summary>The map's projection: the placed nodes' box fitted in the drawing (null when none has a position).</summary>
    public static MapProjection? ProjectionOf(IEnumerable<NodeInfo> nodes, double width, double height, double margin)
    {
        var placed = nodes.Where(n => n.Lat is not null && n.Lon is not null).Select(n => (n.Lat!.Value, n.Lon!.Value)).ToList();
        return placed.Count == 0 ? null : new MapProjection(placed, width, height, margin);
    }

    public static (IReadOnlyList<MapDot> Dots, IReadOnlyList<MapZone> Zones) Build(IReadOnlyList<NodeInfo> nodes, double width, double height, double margin)
    {
        var placed = nodes.Where(n => n.Lat is not null && n.Lon is not null).ToList();
        if (placed.Count == 0) return (new List<MapDot>(), new List<MapZone>());
        var projection = ProjectionOf(placed, width, height, margin)!;
        var points = placed.Select(n => (Node: n, P: projection.Project(n.Lat!.Value, n.Lon!.Value), State: NodeStates.Of(n))).ToList();
        var dots = points.GroupBy(p => ((int)(p.P.X / Cell), (int)(p.P.Y / Cell))).Select(cell =>
        {
            var members = cell.ToList();
            var state = members.Select(m => m.State).OrderBy(s => System.Array.IndexOf(Severity, s)).First();
            return members.Count == 1
                ? new MapDot(members[0].P.X, members[0].P.Y, state, 1, members[0].Node.Id)
                : new MapDot(members.Average(m => m.P.X), members.Average(m => m.P.Y), state, members.Count, null);
        }).ToList();
        var zones = points.Where(p => p.Node.Zone is not null).GroupBy(p => p.Node.Zone!).Select(z =>
        {
            double minX = z.Min(p => p.P.X) - 10, maxX = z.Max(p => p.P.X) + 10, minY = z.Min(p => p.P.Y) - 10, maxY = z.Max(p => p.P.Y) + 10;
            return new MapZone(z.Key, minX, minY, maxX - minX, maxY - minY);
        }).ToList();
        return (dots, zones);
    }
}
