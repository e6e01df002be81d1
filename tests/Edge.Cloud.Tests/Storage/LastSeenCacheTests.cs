using System;
using System.Linq;
using Edge.Cloud.Storage;

namespace Edge.Cloud.Tests.Storage;

/// <summary>What <see cref="LastSeenCache"/> keeps of the rows the record feed wrote.</summary>
public sealed class LastSeenCacheTests
{
    // Every row brings its own copy of each name, as rows parsed from a batch or read from the database do.
    private static string Copy(string name) => new(name.AsSpan());

    private static NodeStateRow Row(int node, long lastSeen, string gateway = "gw-igoumenitsa-1", string? type = "streetlight") =>
        new(Copy("igoumenitsa"), $"sl-{node:D4}", Copy(gateway), lastSeen, null, null, type is null ? null : Copy(type));

    [Fact]
    public void Nodes_remembered_share_one_instance_of_each_site_gateway_and_type()
    {
        var cache = new LastSeenCache(60, 1000);
        cache.Remember(Enumerable.Range(1, 3).Select(n => Row(n, 1000)).ToList());
        cache.Remember([Row(1, 1100), Row(4, 1100, type: null)]);

        Assert.True(cache.TryGetWritten("igoumenitsa", "sl-0001", out var seen, out var gateway, out var type));
        Assert.Equal((1100L, "gw-igoumenitsa-1", "streetlight"), (seen, gateway, type));
        foreach (var node in new[] { "sl-0002", "sl-0003", "sl-0004" })
        {
            Assert.True(cache.TryGetWritten("igoumenitsa", node, out _, out var other, out var otherType));
            Assert.Same(gateway, other);
            if (node != "sl-0004") Assert.Same(type, otherType);
        }
        // A row without a type keeps none of its own: sl-0004 was never told one.
        Assert.True(cache.TryGetWritten("igoumenitsa", "sl-0004", out _, out _, out var none));
        Assert.Null(none);
    }

    [Fact]
    public void Names_past_the_limit_are_shared_again_from_scratch_and_nothing_remembered_is_lost()
    {
        var cache = new LastSeenCache(60, 10_000);
        var gateways = LastSeenCache.MaxSharedNames + 10;
        cache.Remember(Enumerable.Range(1, gateways).Select(n => Row(n, 1000, gateway: $"gw-{n}")).OrderBy(r => r.Node).ToList());
        Assert.Equal(gateways, cache.Count);
        Assert.InRange(cache.SharedNameCount, 1, LastSeenCache.MaxSharedNames);
        Assert.True(cache.TryGetWritten("igoumenitsa", $"sl-{gateways:D4}", out var seen, out var gateway, out _));
        Assert.Equal((1000L, $"gw-{gateways}"), (seen, gateway));
        Assert.True(cache.TryGetWritten("igoumenitsa", "sl-0001", out _, out var first, out _));
        Assert.Equal("gw-1", first);
    }
}
