namespace Edge.Firmware.Runtime;

/// <summary>
/// The software watchdog of protocol §15 W1: each loop registers and kicks; <see cref="Check"/> (called
/// from a separate timer on the device, so a stuck loop cannot hide itself) reports the first loop that
/// has not kicked for the timeout. The runtime then records it and reboots.
/// </summary>
public sealed class SoftwareWatchdog
{
    private readonly IClock _clock;
    private readonly long _timeoutMs;
    private readonly string[] _tasks = new string[4];
    private readonly long[] _lastKick = new long[4];
    private int _count;

    public SoftwareWatchdog(IClock clock, int timeoutSeconds)
    {
        _clock = clock;
        _timeoutMs = timeoutSeconds * 1000L;
    }

    /// <summary>Registers a loop by name (<c>control</c>, <c>network</c>, <c>display</c>, <c>sensor</c>); returns its handle.</summary>
    public int Register(string task)
    {
        _tasks[_count] = task;
        _lastKick[_count] = _clock.MonotonicMs;
        return _count++;
    }

    public void Kick(int handle) { _lastKick[handle] = _clock.MonotonicMs; }

    /// <summary>True when a loop is stuck; <paramref name="task"/> and <paramref name="stuckS"/> say which and for how long.</summary>
    public bool Check(out string task, out long stuckS)
    {
        long now = _clock.MonotonicMs;
        for (int i = 0; i < _count; i++)
        {
            if (now - _lastKick[i] >= _timeoutMs)
            {
                task = _tasks[i];
                stuckS = (now - _lastKick[i]) / 1000;
                return true;
            }
        }
        task = "";
        stuckS = 0;
        return false;
    }
}
