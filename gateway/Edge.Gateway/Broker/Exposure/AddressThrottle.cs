using System;
using System.Collections.Generic;
using System.Net;

namespace Edge.Gateway.Broker.Exposure;

/// <summary>
/// Lets at most <c>linesPerInterval</c> log lines per remote address through in each interval and counts the
/// rest, so a peer that reconnects in a loop cannot flood the journal (and the Pi's SD card). The first line of
/// the next interval carries the count of lines suppressed before it. At most <c>maxAddresses</c> addresses are
/// tracked; past that, new addresses share one window, so spoofed or many-address floods stay bounded too.
/// </summary>
public sealed class AddressThrottle(int linesPerInterval, TimeSpan interval, TimeProvider clock, int maxAddresses = 1024)
{
    sealed class Window
    {
        public DateTimeOffset Start;
        public int Lines;
        public int Suppressed;
    }

    static readonly IPAddress Overflow = IPAddress.None;
    readonly Dictionary<IPAddress, Window> _windows = [];

    /// <summary>True when the caller may log; <paramref name="suppressedBefore"/> lines were dropped for this address since the last one logged.</summary>
    public bool TryAcquire(IPAddress? address, out int suppressedBefore)
    {
        var now = clock.GetUtcNow();
        lock (_windows)
        {
            var window = Find(address ?? Overflow, now);
            suppressedBefore = 0;
            if (now - window.Start >= interval)
            {
                suppressedBefore = window.Suppressed;
                window.Start = now;
                window.Lines = 0;
                window.Suppressed = 0;
            }
            if (window.Lines < linesPerInterval)
            {
                window.Lines++;
                return true;
            }
            window.Suppressed++;
            return false;
        }
    }

    Window Find(IPAddress address, DateTimeOffset now)
    {
        if (_windows.TryGetValue(address, out var window)) return window;
        if (_windows.Count >= maxAddresses)
        {
            foreach (var (key, old) in _windows)
            {
                if (now - old.Start >= interval) _windows.Remove(key);
            }
            if (_windows.Count >= maxAddresses) address = Overflow;
            if (_windows.TryGetValue(address, out window)) return window;
        }
        window = new Window { Start = now };
        _windows[address] = window;
        return window;
    }
}
