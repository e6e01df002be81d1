using System;
using System.Collections.Generic;

namespace Edge.Cloud.Requests;

/// <summary>
/// Fixed windows of a number of attempts per client address, on the app's <see cref="TimeProvider"/> (so tests move
/// the clock instead of waiting). In memory: a restart forgets the counts, which only lets a few more attempts through.
/// An API endpoint and a console page that share one instance count in one window, so a client cannot switch between them.
/// </summary>
public abstract class AddressWindows
{
    private readonly Dictionary<string, (long WindowStart, int Count)> _windows = new();
    private readonly TimeProvider _time;

    protected AddressWindows(TimeProvider time) => _time = time;

    /// <summary>Attempts allowed per window.</summary>
    public abstract int Permits { get; }

    public abstract int WindowSeconds { get; }

    /// <summary>0 when the address may try now (and counts it), else the seconds until its window ends.</summary>
    public long TryTake(string address)
    {
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        long window = WindowSeconds;
        lock (_windows)
        {
            if (_windows.Count > 10000) Prune(now, window);
            if (!_windows.TryGetValue(address, out var w) || now - w.WindowStart >= window) w = (now, 0);
            if (w.Count >= Permits) return Math.Max(1, w.WindowStart + window - now);
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
