namespace Edge.Firmware.Lighting;

/// <summary>
/// The times of the last N on/off transitions, in a ring preallocated at start-up, so the cycling
/// check ("N transitions within a window") costs no allocation per reading.
/// </summary>
internal sealed class TransitionHistory
{
    private readonly long[] _times;
    private int _count;
    private int _next;

    public TransitionHistory(int capacity)
    {
        _times = new long[capacity];
    }

    public void Record(long atUtc)
    {
        _times[_next] = atUtc;
        _next = (_next + 1) % _times.Length;
        if (_count < _times.Length) _count++;
    }

    /// <summary>True when the ring is full and its oldest entry is at most windowSeconds before nowUtc.</summary>
    public bool FullWithin(long nowUtc, long windowSeconds)
    {
        if (_count < _times.Length) return false;
        long oldest = _times[_next]; // when full, the next slot to overwrite holds the oldest time
        return nowUtc - oldest <= windowSeconds;
    }
}
