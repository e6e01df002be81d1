namespace Edge.Firmware.Runtime;

/// <summary>
/// Why the firmware restarted on purpose, written just before a planned reboot and read (then cleared) at
/// the next boot, so <c>node.boot</c> and <c>node.watchdog</c> (protocol §7.4, §7.5) can say what happened.
/// Layout: reason byte, stuck seconds (4 bytes), time (8 bytes), task name (ASCII).
/// </summary>
public sealed class RebootRecord
{
    public const string StorageKey = "node.reboot";
    public const byte None = 0, Software = 1, Watchdog = 2, Update = 3, Outage = 4;

    private readonly IStorage _storage;
    private readonly byte[] _buf = new byte[32];

    public RebootRecord(IStorage storage)
    {
        _storage = storage;
        Task = "";
        int n = storage.Read(StorageKey, _buf);
        if (n >= 13 && n <= _buf.Length)
        {
            Reason = _buf[0];
            StuckS = _buf[1] | (_buf[2] << 8) | (_buf[3] << 16) | (_buf[4] << 24);
            long t = 0;
            for (int i = 0; i < 8; i++) t |= (long)_buf[5 + i] << (8 * i);
            Time = t;
            var chars = new char[n - 13];
            for (int i = 0; i < chars.Length; i++) chars[i] = (char)_buf[13 + i];
            Task = new string(chars);
            _buf[0] = None;
            storage.Write(StorageKey, _buf, 1);
        }
    }

    /// <summary>Recorded reason of the previous shutdown (None when it was not planned).</summary>
    public byte Reason { get; }
    public long StuckS { get; }
    public long Time { get; }
    public string Task { get; }

    /// <summary>The node.boot <c>reason</c> for the recorded cause, or the hardware's own.</summary>
    public string BootReason(string hardwareReason)
    {
        switch (Reason)
        {
            case Software: return "software";
            case Outage: return "software";
            case Watchdog: return "watchdog";
            case Update: return "update";
            default: return hardwareReason;
        }
    }

    public void Write(byte reason, string task, long stuckS, long time)
    {
        _buf[0] = reason;
        _buf[1] = (byte)stuckS;
        _buf[2] = (byte)(stuckS >> 8);
        _buf[3] = (byte)(stuckS >> 16);
        _buf[4] = (byte)(stuckS >> 24);
        for (int i = 0; i < 8; i++) _buf[5 + i] = (byte)(time >> (8 * i));
        int n = task.Length < _buf.Length - 13 ? task.Length : _buf.Length - 13;
        for (int i = 0; i < n; i++) _buf[13 + i] = (byte)task[i];
        _storage.Write(StorageKey, _buf, 13 + n);
    }
}
