namespace Edge.Firmware.Runtime;

/// <summary>
/// Jittered exponential backoff of protocol §4.4: delay(n) = min(cap, base·2^n)·(0.5 + 0.5·r), r uniform
/// in [0, 1), n the failures so far. Deterministic for a given seed (xorshift32), so tests can replay it.
/// </summary>
public sealed class Backoff
{
    public const long BaseMs = 1000;
    public const long CapMs = 300000;

    private uint _state;

    public Backoff(uint seed)
    {
        _state = seed == 0 ? 0x9E3779B9u : seed;
    }

    /// <summary>Failures so far (0-based n of the next delay).</summary>
    public int Failures { get; private set; }

    /// <summary>The wait before the next attempt after one more failure; counts the failure.</summary>
    public long NextDelayMs()
    {
        long delay = Ceiling(Failures);
        if (Failures < 30) Failures++;
        // r in [0, 1) with 24 bits: delay·(0.5 + 0.5·r) = delay/2 + delay/2·r.
        long r24 = NextRandom() >> 8;
        return delay / 2 + (delay / 2) * r24 / 16777216L;
    }

    /// <summary>min(cap, base·2^n) without the jitter.</summary>
    public static long Ceiling(int n)
    {
        if (n >= 20) return CapMs;
        long d = BaseMs << n;
        return d < CapMs ? d : CapMs;
    }

    /// <summary>Forces the cap for the next delays (provisioning errors, protocol §15 C3/C4).</summary>
    public void Saturate() { Failures = 30; }

    public void Reset() { Failures = 0; }

    private uint NextRandom()
    {
        uint x = _state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        _state = x;
        return x;
    }
}
