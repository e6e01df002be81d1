namespace Edge.Firmware.Runtime;

/// <summary>
/// Tells whether an SNTP client that sets the clock itself and reports nothing (nanoFramework's <c>Sntp</c>:
/// <c>UpdateNow</c> has no result, no event) has answered: it has when the wall clock is seen to step against
/// the monotonic counter since the query began. A clock already within <see cref="StepMs"/> of the server's
/// time shows no step, so such an answer cannot be confirmed: the query counts as unanswered, and after 12 h
/// the node takes the gateway's time (protocol §12.1, §12.2). A plausible date alone proves nothing (the RTC
/// runs on through software resets, whatever it was set to).
/// </summary>
public sealed class ClockStepWatch
{
    public const long StepMs = 1000;

    private long _offsetMs;

    /// <summary>Starts a query: remembers how far the wall clock is from the monotonic counter.</summary>
    public void Begin(long wallMs, long monotonicMs)
    {
        _offsetMs = wallMs - monotonicMs;
    }

    /// <summary>Whether the wall clock has stepped by at least <see cref="StepMs"/> (either way) since <see cref="Begin"/>.</summary>
    public bool Stepped(long wallMs, long monotonicMs)
    {
        long moved = wallMs - monotonicMs - _offsetMs;
        return moved >= StepMs || moved <= -StepMs;
    }
}
