using System;
using System.IO;
using System.Text.Json.Nodes;

namespace Edge.EndToEnd.Tests;

/// <summary>The demo program as the README starts it (<c>edge-sim demo</c>), not only its composition in-process.</summary>
public sealed class DemoProgramTests
{
    [Fact]
    public void The_demo_program_runs_with_cultures_so_the_console_can_serve_its_Greek_pages()
    {
        // The tests host the composition in their own process; the program runs with its own runtime settings, and in
        // globalization-invariant mode CultureInfo("el") throws and the demo does not start.
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "edge-sim.runtimeconfig.json")));
        var invariant = config?["runtimeOptions"]?["configProperties"]?["System.Globalization.Invariant"];
        Assert.True(invariant is null || !invariant.GetValue<bool>(), "edge-sim runs globalization-invariant: " + config);
    }
}
