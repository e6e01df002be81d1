namespace Edge.Firmware.Provisioning;

/// <summary>
/// Whether a node starts its app or first serves serial provisioning (docs/provisioning.md §3): it serves when it has
/// no usable record, or when the installer holds its boot button at start-up. One rule for the ESP32 apps
/// (<c>NodeBoot</c>) and the host node (<c>RecordBoot</c>).
/// </summary>
public static class ProvisioningEntry
{
    /// <summary>
    /// Why the node serves provisioning, or null when it starts its app: <paramref name="recordProblem"/> is why its
    /// record could not be read (null when it was), <paramref name="buttonHeld"/> whether the boot button was held.
    /// </summary>
    public static string? Reason(string? recordProblem, bool buttonHeld)
    {
        if (recordProblem != null) return recordProblem;
        return buttonHeld ? "boot button held" : null;
    }
}

/// <summary>
/// Watches the boot button at start-up. On an ESP32 DevKit it is GPIO0, a strapping pin: held while the chip leaves
/// reset, it starts the ROM's download mode instead of the app. So the node watches it for <see cref="WindowMs"/>
/// once the app runs, and the installer presses it after releasing reset (or just after power-on) and holds it for
/// <see cref="HoldMs"/>; a press that began in the window may complete after it. Fed one reading at a time (the
/// device from its GPIO, the tests from a script); allocates nothing.
/// </summary>
public sealed class BootButtonWindow
{
    public const int WindowMs = 3000;
    public const int HoldMs = 1000;

    /// <summary>Results of <see cref="Feed"/>.</summary>
    public const int Watching = 0, Held = 1, NotHeld = 2;

    private long _start = -1;
    private long _pressedSince = -1;

    /// <summary>Takes one reading at <paramref name="nowMs"/> (any monotonic millisecond clock).</summary>
    public int Feed(bool pressed, long nowMs)
    {
        if (_start < 0) _start = nowMs;
        if (!pressed) _pressedSince = -1;
        else if (_pressedSince < 0) _pressedSince = nowMs;
        if (_pressedSince >= 0 && nowMs - _pressedSince >= HoldMs) return Held;
        if (_pressedSince < 0 && nowMs - _start >= WindowMs) return NotHeld;
        return Watching;
    }
}
