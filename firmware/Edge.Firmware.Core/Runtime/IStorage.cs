namespace Edge.Firmware.Runtime;

/// <summary>
/// Small named byte records that survive a reboot (flash, NVS, a file on a host node). Node logic keeps
/// its state here between samples so a battery node can deep-sleep with everything powered off.
/// Implementations copy the bytes: callers reuse their buffers.
/// </summary>
public interface IStorage
{
    /// <summary>
    /// Copies the record <paramref name="key"/> into <paramref name="buffer"/> and returns its length,
    /// or -1 when there is no such record. A record longer than the buffer is not copied: the return
    /// value is its length, so the caller can tell it did not fit.
    /// </summary>
    int Read(string key, byte[] buffer);

    /// <summary>Replaces the record <paramref name="key"/> with the first <paramref name="count"/> bytes of <paramref name="buffer"/>.</summary>
    void Write(string key, byte[] buffer, int count);
}
