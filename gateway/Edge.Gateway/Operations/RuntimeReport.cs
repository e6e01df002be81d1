using System;
using System.Linq;
using System.Runtime;

namespace Edge.Gateway.Operations;

/// <summary>
/// The garbage collector's settings in effect, logged once at start: they come from the runtimeconfig, the
/// environment (the systemd unit sets some, docs/scale.md) or the runtime's defaults, and memory per connected node
/// depends on them.
/// </summary>
public static class RuntimeReport
{
    static readonly string[] Shown = ["GCHeapCount", "GCDynamicAdaptationMode", "GCGen0MaxBudget", "GCgen0size", "GCConserveMemory"];

    public static string Describe()
    {
        var variables = GC.GetConfigurationVariables();
        var shown = Shown.Where(variables.ContainsKey).Select(name => $"{name}={variables[name]}");
        return string.Join(", ", new[] { GCSettings.IsServerGC ? "server GC" : "workstation GC", GCSettings.LatencyMode == GCLatencyMode.Batch ? "non-concurrent" : "concurrent", $"{Environment.ProcessorCount} cores" }.Concat(shown));
    }
}
