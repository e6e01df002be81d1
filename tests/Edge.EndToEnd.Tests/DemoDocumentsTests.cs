using System.Linq;
using System.Text.Json.Nodes;
using Edge.Sim.Demo;

namespace Edge.EndToEnd.Tests;

/// <summary>What the demo's stand-in transit feed puts on each stop (no site needed).</summary>
public sealed class DemoDocumentsTests
{
    [Fact]
    public void The_ferry_notice_is_shown_only_at_the_port_stop()
    {
        var now = System.DateTimeOffset.Parse("2026-11-26T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var stops = IgoumenitsaFleet.Create().Nodes.Where(n => n.Type == "busstop").ToList();
        Assert.Equal(4, stops.Count);
        foreach (var stop in stops)
        {
            var notices = ((JsonArray)DemoDocuments.StopContent(stop, now)["notices"]!).Select(n => n!["en"]!.GetValue<string>()).ToList();
            Assert.Contains("Demo site: simulated departures.", notices);
            Assert.Equal(stop.Id == "bs-port", notices.Any(n => n.Contains("Ferries", System.StringComparison.Ordinal)));
        }
    }
}
