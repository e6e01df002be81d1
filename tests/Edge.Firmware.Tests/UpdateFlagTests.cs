using System.Collections.Generic;
using Xunit.Sdk;

namespace Edge.Firmware.Tests;

public class UpdateFlagTests
{
    private static System.Func<string, string?> Environment(params (string Name, string Value)[] variables)
    {
        var all = new Dictionary<string, string>();
        foreach (var (name, value) in variables) all[name] = value;
        return name => all.TryGetValue(name, out var value) ? value : null;
    }

    [Fact]
    public void An_update_flag_rewrites_on_a_developers_machine_and_fails_the_run_under_CI()
    {
        Assert.False(UpdateFlag.IsSet("EDGE_UPDATE_GOLDENS", Environment()));
        Assert.False(UpdateFlag.IsSet("EDGE_UPDATE_GOLDENS", Environment(("CI", "true"))));
        Assert.True(UpdateFlag.IsSet("EDGE_UPDATE_GOLDENS", Environment(("EDGE_UPDATE_GOLDENS", "1"))));
        var failure = Assert.Throws<TrueException>(() => UpdateFlag.IsSet("EDGE_UPDATE_PINS", Environment(("EDGE_UPDATE_PINS", "1"), ("CI", "true"))));
        Assert.Contains("EDGE_UPDATE_PINS=1 under CI", failure.Message);
    }
}
