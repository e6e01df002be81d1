using System;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.Linq;

namespace Edge.Cloud.Benchmarks;

/// <summary>
/// <c>--alloc-types</c>: what a timed path allocated, by type, from the runtime's own sampling (its AllocationTick event,
/// one per ~100 KB allocated, naming the type of the object that crossed the mark) — in process, where
/// <c>dotnet-trace</c> is not installed. Types name their source well enough: e.g. <c>SqliteParameterBinder</c> is the
/// SQLite driver binding one parameter (docs/cloud.md §Where the HTTP path's CPU goes).
/// </summary>
internal sealed class AllocationTypes : EventListener
{
    private readonly Dictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    public static AllocationTypes? Instance { get; set; }

    protected override void OnEventSourceCreated(EventSource source)
    {
        // 0x1: the GC keyword; AllocationTick is raised at Verbose.
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || e.PayloadNames is null || e.Payload is null) return;
        var type = e.PayloadNames.IndexOf("TypeName") is var t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
        var bytes = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload[a]) : 100_000;
        lock (_lock) _bytes[type] = _bytes.GetValueOrDefault(type) + bytes;
    }

    public void Reset()
    {
        lock (_lock) _bytes.Clear();
    }

    /// <summary>The types that took most, per batch of the path since <see cref="Reset"/>.</summary>
    public void Print(string path, int batches)
    {
        lock (_lock)
        {
            Console.Error.WriteLine($"# allocated by type, {path}: {_bytes.Values.Sum() / 1048576.0 / batches:F2} MB a batch (sampled)");
            foreach (var (type, bytes) in _bytes.OrderByDescending(x => x.Value).Take(20)) Console.Error.WriteLine($"#   {bytes / 1024.0 / batches,8:F1} KB  {type}");
        }
    }
}
