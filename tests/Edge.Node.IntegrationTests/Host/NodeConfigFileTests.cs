using System;
using System.IO;
using System.Linq;
using Edge.Firmware.Host.Configuration;
using Edge.Firmware.Host.Hardware;

namespace Edge.Node.IntegrationTests.Host;

public sealed class NodeConfigFileTests
{
    private static string ExamplesDir => Path.Combine(AppContext.BaseDirectory, "examples");

    [Theory]
    [InlineData("streetlight.json", "sl-0042", "streetlight")]
    [InlineData("waterlevel.json", "wl-0003", "waterlevel")]
    [InlineData("busstop.json", "bs-0007", "busstop")]
    public void Every_example_loads(string file, string nodeId, string type)
    {
        var nodes = NodeConfigFile.Load(Path.Combine(ExamplesDir, file));

        NodeSettings node = Assert.Single(nodes);
        Assert.Equal(nodeId, node.NodeId);
        Assert.Equal(type, node.Type);
        Assert.Equal(Path.Combine(ExamplesDir, "data", nodeId), node.DataDir);
    }

    [Fact]
    public void A_fleet_file_holds_many_nodes_with_their_own_hardware()
    {
        var nodes = NodeConfigFile.Load(Path.Combine(ExamplesDir, "fleet.json"));

        Assert.Equal(new[] { "sl-0001", "sl-0002", "wl-0001", "bs-0001" }, nodes.Select(n => n.NodeId));
        Assert.Equal(LampMode.Fail, nodes[1].Lamp!.Mode);
        Assert.Equal(new LevelPoint(1800, 900), nodes[2].Water!.Curve[1]);
        Assert.Equal((296, 128), (nodes[3].Display!.Width, nodes[3].Display!.Height));
    }

    [Fact]
    public void Errors_say_what_and_where()
    {
        const string json = """
            [
              { "nodeId": "SL_1", "site": "kalamaki", "type": "streetlight", "secret": "s", "location": { "lat": 95, "lon": 23 } },
              { "nodeId": "wl-1", "site": "kalamaki", "type": "waterlevel", "secret": "", "secert": "x",
                "water": { "mountMm": 1000, "curve": [[0, 100], [0, 200]] } },
              { "nodeId": "sl-2", "site": "kalamaki", "type": "streetlight", "secret": "s" },
              { "nodeId": "wl-1", "site": "kalamaki", "type": "lamp", "secret": "s", "broker": { "port": 70000 } }
            ]
            """;

        var error = Assert.Throws<NodeConfigException>(() => NodeConfigFile.Parse(json, "node.json", "/tmp"));

        Assert.Contains("nodes[0].nodeId: 'SL_1' must be 1-32 lower-case letters, digits or '-', starting with a letter or digit (protocol §2.1)", error.Errors);
        Assert.Contains("nodes[0].lat: 95 is out of range -90..90", error.Errors.Select(e => e.Replace("location.", "")));
        Assert.Contains("nodes[1].secret: must not be empty", error.Errors);
        Assert.Contains("nodes[1].secert: unknown member", error.Errors);
        Assert.Contains("nodes[1].water.curve[1]: time 0 s must be after 0 s", error.Errors);
        Assert.Contains(error.Errors, e => e.StartsWith("nodes[2].location: a street light needs its position", StringComparison.Ordinal));
        Assert.Contains("nodes[3].type: 'lamp' is not one of streetlight, waterlevel, busstop", error.Errors);
        Assert.Contains("nodes[3].broker.port: 70000 is out of range 1..65535", error.Errors);
        Assert.Contains(error.Errors, e => e.StartsWith("nodes[3].nodeId: 'wl-1' is also nodes[1]'s id", StringComparison.Ordinal));
        Assert.StartsWith("node.json: " + error.Errors.Count + " error(s):", error.Message);
    }

    [Fact]
    public void Not_json_is_reported_as_such()
    {
        var error = Assert.Throws<NodeConfigException>(() => NodeConfigFile.Parse("{ nodeId: ", "x.json", "/tmp"));
        Assert.StartsWith("not valid JSON:", Assert.Single(error.Errors));
    }
}
