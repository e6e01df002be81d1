namespace Edge.Firmware.Runtime;

/// <summary>
/// How a battery water node spends a wake-up (protocol §4.6): sample, connect, drain the outbox, listen
/// <see cref="ListenS"/> for commands, then deep-sleep until the gauge's next sample. Without a config or a
/// set clock it stays up <see cref="UnconfiguredAwakeS"/> to receive them, then sleeps
/// <see cref="UnconfiguredSleepS"/>. No wake-up lasts longer than <see cref="MaxAwakeS"/> (the outbox waits in
/// flash for the next one).
/// </summary>
public sealed class SleepSettings
{
    public int ListenS = 3;
    public int MaxAwakeS = 60;
    public int UnconfiguredAwakeS = 120;
    public int UnconfiguredSleepS = 900;
    /// <summary>Never sleep shorter than this (waking costs more than it saves).</summary>
    public int MinSleepS = 5;
}
