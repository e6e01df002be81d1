namespace Edge.Firmware.Runtime;

/// <summary>
/// At most <see cref="PerSecond"/> sends in any one-second window, sliding, not per fixed second: it keeps
/// the times of the last PerSecond sends in a ring, and one more may go only when the oldest of them is a
/// second old. Used for the event burst limit (protocol §13). Allocates nothing after construction.
/// </summary>
public sealed class RateWindow
{
    private readonly long[] _sentMs;
    private int _oldest;

    public RateWindow(int perSecond)
    {
        _sentMs = new long[perSecond];
        // Far enough in the past that the first PerSecond sends are free, near enough not to overflow.
        for (int i = 0; i < perSecond; i++) _sentMs[i] = -1000000;
    }

    public int PerSecond { get { return _sentMs.Length; } }

    /// <summary>Whether one more send at <paramref name="nowMs"/> stays within the limit.</summary>
    public bool Allows(long nowMs) { return nowMs - _sentMs[_oldest] >= 1000; }

    /// <summary>Counts a send at <paramref name="nowMs"/>; call only after <see cref="Allows"/> said yes.</summary>
    public void Record(long nowMs)
    {
        _sentMs[_oldest] = nowMs;
        _oldest = _oldest + 1 == _sentMs.Length ? 0 : _oldest + 1;
    }
}
