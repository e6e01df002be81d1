using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using Edge.Cloud.Storage;

namespace Edge.Cloud.Benchmarks;

/// <summary>
/// <c>-- lastseen [nodes=100000]</c>: the managed memory the record feed's <see cref="LastSeenCache"/> keeps per node
/// remembered (docs/cloud.md <c>Alarms:LastSeenCacheNodes</c>). Each row brings its own copies of the site, gateway and
/// type names, as rows parsed from a batch or read from the database do; the figure is what stays reachable from the
/// cache after a full collection, the node id strings included.
/// </summary>
public static class LastSeenCacheMemory
{
    public static int Run(string[] args)
    {
        var nodes = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var cache = new LastSeenCache(60, nodes);
        Fill(cache, nodes);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"LastSeenCache: {cache.Count} nodes remembered, {(after - before) / (double)cache.Count:F0} bytes a node ({(after - before) / 1e6:F1} MB)");
        GC.KeepAlive(cache);
        return 0;
    }

    // Not inlined: the rows must be unreachable once it returns, so the second measurement counts the cache alone.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Fill(LastSeenCache cache, int nodes)
    {
        var rows = new List<NodeStateRow>(nodes);
        for (var i = 0; i < nodes; i++)
            rows.Add(new NodeStateRow(Copy("igoumenitsa"), $"sl-{i:D6}", Copy("gw-igoumenitsa-1"), 1767304800 + i, null, null, Copy("streetlight")));
        cache.Remember(rows);
    }

    private static string Copy(string name) => new(name.AsSpan());
}
