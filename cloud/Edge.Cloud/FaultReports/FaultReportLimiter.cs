using System;
using System.Collections.Generic;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.FaultReports;

/// <summary>
/// Fixed windows of <see cref="FaultReportOptions.PerAddressPermits"/> reports per client address, on the app's
/// <see cref="TimeProvider"/>. In memory: a restart forgets the counts, which only lets a few more reports through.
/// </summary>
public sealed class FaultReportLimiter
{
    private readonly Dictionary<string, (long WindowStart, int Count)> _windows = new();
    private readonly FaultReportOptions _options;
    private readonly TimeProvider _time;

    public FaultReportLimiter(IOptions<FaultReportOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
    }

    /// <summary>0 when the address may report now (and counts it), else the seconds until its window ends.</summary>
    public long TryTake(string address)
    {
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        long window = _options.PerAddressWindowSeconds;
        lock (_windows)
        {
            if (_windows.Count > 10000) Prune(now, window);
            if (!_windows.TryGetValue(address, out var w) || now - w.WindowStart >= window) w = (now, 0);
            if (w.Count >= _options.PerAddressPermits) return Math.Max(1, w.WindowStart + window - now);
            _windows[address] = (w.WindowStart, w.Count + 1);
            return 0;
        }
    }

    private void Prune(long now, long window)
    {
        var old = new List<string>();
        foreach (var pair in _windows)
            if (now - pair.Value.WindowStart >= window) old.Add(pair.Key);
        foreach (var key in old) _windows.Remove(key);
    }
}
