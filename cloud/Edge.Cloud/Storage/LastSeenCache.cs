using System;
using System.Collections.Generic;

namespace Edge.Cloud.Storage;

/// <summary>
/// What the record feed last wrote to each node's <c>node_state</c> row (<c>last_seen</c>, gateway, type), so that
/// <see cref="NodeStateFeed.ApplyAsync"/> rewrites a row only when it says something new: a state record (always: its
/// status, versions and time are what the offline alarms and the inventory read), a new gateway, a new type, or
/// <c>last_seen</c> moved forward by at least <see cref="ResolutionSeconds"/> since the last write. A node sending
/// telemetry every 10 s then costs one row write a minute, not six; its <c>last_seen</c> lags the truth by less than the
/// resolution. A node not remembered (after a start, or evicted) is written.
/// </summary>
/// <remarks>
/// Rows are remembered only after the transaction that wrote them commits (<see cref="Remember"/>, called by the feed
/// after its commit): a pass rolled back leaves this as it was, or the next pass would skip a write that never happened.
/// Not thread-safe: the record feed uses it only inside its one-pass-at-a-time gate. Another cloud process has its own,
/// and may write a row meanwhile; that is harmless: the upsert never moves <c>last_seen</c> back, and this process
/// writes again at its next resolution step or change.
/// </remarks>
public sealed class LastSeenCache
{
    /// <summary>Most distinct site, gateway and type names kept shared; past it they are forgotten and shared again.</summary>
    internal const int MaxSharedNames = 1024;

    private readonly Dictionary<(string Site, string Node), Written> _written = new();
    // Sites, gateways and types repeat across thousands of nodes, but every row brings its own copies (parsed from a
    // batch or read from the database): the cache keeps one instance of each name. Measured with 100,000 nodes whose
    // rows each had their own copies: 245 bytes a node remembered, 108 with the names shared (Edge.Cloud.Benchmarks -- lastseen: 121).
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly int _capacity;

    /// <param name="resolutionSeconds">0: every row is written (nothing is skipped)</param>
    /// <param name="capacity">most nodes remembered</param>
    public LastSeenCache(int resolutionSeconds, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(resolutionSeconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ResolutionSeconds = resolutionSeconds;
        _capacity = capacity;
    }

    public int ResolutionSeconds { get; }

    /// <summary>Nodes remembered now.</summary>
    public int Count => _written.Count;

    /// <summary>Whether <paramref name="row"/> must be written: it carries a state, a gateway or type other than the
    /// one written, or a <c>last_seen</c> at least the resolution past the one written; or the node is not remembered.</summary>
    public bool MustWrite(NodeStateRow row)
    {
        if (ResolutionSeconds == 0 || row.LatestState is not null) return true;
        if (!_written.TryGetValue((row.Site, row.Node), out var written)) return true;
        return row.Gateway != written.Gateway
            || (row.Type is not null && row.Type != written.Type)
            || row.LastSeen - written.LastSeen >= ResolutionSeconds;
    }

    /// <summary>Notes rows a committed transaction wrote.</summary>
    public void Remember(IReadOnlyList<NodeStateRow> rows)
    {
        if (ResolutionSeconds == 0) return;
        foreach (var row in rows)
        {
            var key = (Shared(row.Site), row.Node);
            var known = _written.TryGetValue(key, out var before);
            // Full: forget every node and start again, rather than evict one by one. Each node then costs one write
            // more (as after a restart) and the table drops nodes that stopped reporting; a least-recently-used order
            // would cost a list node and its upkeep per record to save that one write per node per fill. A fleet larger
            // than the capacity fills it again and again, and is written about as often as with no cache: no worse
            // than before, never unbounded memory.
            if (!known && _written.Count >= _capacity) _written.Clear();
            // As the upsert keeps them: last_seen never backwards, a type only replaced by another.
            var type = row.Type is null ? null : Shared(row.Type);
            _written[key] = known
                ? new Written(Math.Max(before.LastSeen, row.LastSeen), Shared(row.Gateway), type ?? before.Type)
                : new Written(row.LastSeen, Shared(row.Gateway), type);
        }
    }

    /// <summary>What the cache remembers of a node (for tests): its last written <c>last_seen</c>, gateway and type.</summary>
    internal bool TryGetWritten(string site, string node, out long lastSeen, out string gateway, out string? type)
    {
        var found = _written.TryGetValue((site, node), out var written);
        (lastSeen, gateway, type) = (written.LastSeen, written.Gateway, written.Type);
        return found;
    }

    /// <summary>Names kept shared now (for tests).</summary>
    internal int SharedNameCount => _names.Count;

    /// <summary>The one instance kept of <paramref name="name"/>.</summary>
    private string Shared(string name)
    {
        if (_names.TryGetValue(name, out var shared)) return shared;
        if (_names.Count >= MaxSharedNames) _names.Clear();
        _names[name] = name;
        return name;
    }

    private readonly record struct Written(long LastSeen, string Gateway, string? Type);
}
