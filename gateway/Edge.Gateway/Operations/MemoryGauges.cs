using System;
using System.Diagnostics.Metrics;

namespace Edge.Gateway.Operations;

/// <summary>
/// Gauges that split the gateway's resident memory into managed and native (docs/scale.md "Where the memory goes").
/// The runtime's own instruments report the GC heap only as of the last collection; these read it now, how much young
/// garbage the last collection found (what the gen0 budget lets pile up between collections) and what SQLite's
/// allocator holds (its page caches: native memory outside the GC heap). Each is read only when scraped.
/// </summary>
static class MemoryGauges
{
    public static void Add(Meter meter)
    {
        meter.CreateObservableGauge("edge.gateway.gc.heap.now", () => GC.GetTotalMemory(forceFullCollection: false), "By",
            "Bytes in the GC heap now: live objects and garbage allocated since the last collection.");
        meter.CreateObservableGauge("edge.gateway.gc.gen0.before_collection", () => GenerationBefore(0), "By",
            "Size of generation 0 when the last collection began (the young garbage allowed to accumulate).");
        meter.CreateObservableGauge("edge.gateway.sqlite.memory", () => SQLitePCL.raw.sqlite3_memory_used(), "By",
            "Bytes SQLite's allocator holds now, every database file together (page caches, prepared statements).");
    }

    static long GenerationBefore(int generation)
    {
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        return info.GenerationInfo.Length > generation ? info.GenerationInfo[generation].SizeBeforeBytes : 0;
    }
}
