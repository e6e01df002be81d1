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

    /// <summary>Settings of the server collector alone: the runtime reports them under workstation GC too (a heap count,
    /// dynamic adaptation on), where they do nothing, and a technician reading the line would take them for in effect.</summary>
    static readonly string[] ServerOnly = ["GCHeapCount", "GCDynamicAdaptationMode"];

    public static string Describe()
    {
        var variables = GC.GetConfigurationVariables();
        var shown = Shown.Where(variables.ContainsKey).Where(name => GCSettings.IsServerGC || !ServerOnly.Contains(name)).Select(name => $"{name}={variables[name]}");
        return string.Join(", ", new[] { GCSettings.IsServerGC ? "server GC" : "workstation GC", GCSettings.LatencyMode == GCLatencyMode.Batch ? "non-concurrent" : "concurrent", $"{Environment.ProcessorCount} cores" }.Concat(shown));
    }
}
