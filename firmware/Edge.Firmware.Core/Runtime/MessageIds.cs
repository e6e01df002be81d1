namespace Edge.Firmware.Runtime;

/// <summary>
/// <c>boot</c> and <c>seq</c> of protocol §5.4: the boot counter is read from storage, incremented and
/// written back once per start; <c>seq</c> counts every telemetry, event and ack created in this boot.
/// A deep-sleep wake-up is not a new boot: before sleeping the node writes boot, seq and its uptime to
/// retained (RTC) memory with <see cref="SaveForSleep"/>, and the next start continues from them.
/// </summary>
public sealed class MessageIds
{
    public const string StorageKey = "node.boot";
    /// <summary>The retained-memory record written just before deep sleep (consumed at the next start).</summary>
    public const string SleepKey = "node.sleep";
    private const byte SleepMagic = (byte)'Z';
    private const int SleepRecordBytes = 1 + 4 + 8 + 8;

    private readonly byte[] _record = new byte[4];
    private readonly byte[] _sleep = new byte[SleepRecordBytes];
    private readonly IStorage? _retained;
    private long _seq;

    public MessageIds(IStorage storage) : this(storage, null)
    {
    }

    /// <param name="retained">RTC memory (survives deep sleep, not power loss), or null when the node never sleeps.</param>
    public MessageIds(IStorage storage, IStorage? retained)
    {
        _retained = retained;
        long boot = 0;
        if (storage.Read(StorageKey, _record) == 4) boot = ReadUInt(_record, 0);
        if (retained != null && retained.Read(SleepKey, _sleep) == SleepRecordBytes && _sleep[0] == SleepMagic
            && ReadUInt(_sleep, 1) == boot && boot > 0)
        {
            // Woken from deep sleep: same boot, seq continues (the gateway dedupes by boot/seq).
            Boot = boot;
            _seq = ReadLong(_sleep, 5);
            UptimeBaseS = ReadLong(_sleep, 13);
            WokeFromSleep = true;
            _sleep[0] = 0; // consumed: a later reset or power-on is a new boot again
            retained.Write(SleepKey, _sleep, 1);
            return;
        }
        boot++;
        if (boot > uint.MaxValue) boot = 1;
        _record[0] = (byte)boot;
        _record[1] = (byte)(boot >> 8);
        _record[2] = (byte)(boot >> 16);
        _record[3] = (byte)(boot >> 24);
        storage.Write(StorageKey, _record, 4);
        Boot = boot;
    }

    public long Boot { get; }

    /// <summary>True when this start continues a boot after deep sleep (no <c>node.boot</c> event).</summary>
    public bool WokeFromSleep { get; }

    /// <summary>Uptime in seconds carried over from before deep sleep (sleep included, protocol §8.1 <c>uptimeS</c>).</summary>
    public long UptimeBaseS { get; }

    /// <summary>The last seq handed out (0 before the first).</summary>
    public long Seq { get { return _seq; } }

    public long NextSeq() { return ++_seq; }

    /// <summary>Keeps boot, seq and the uptime at wake-up in retained memory; false without retained memory.</summary>
    public bool SaveForSleep(long uptimeAtWakeS)
    {
        if (_retained == null) return false;
        _sleep[0] = SleepMagic;
        WriteLong(_sleep, 1, Boot, 4);
        WriteLong(_sleep, 5, _seq, 8);
        WriteLong(_sleep, 13, uptimeAtWakeS, 8);
        _retained.Write(SleepKey, _sleep, SleepRecordBytes);
        return true;
    }

    private static long ReadUInt(byte[] b, int at)
    {
        return (uint)(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24));
    }

    private static long ReadLong(byte[] b, int at)
    {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | b[at + i];
        return v;
    }

    private static void WriteLong(byte[] b, int at, long v, int bytes)
    {
        for (int i = 0; i < bytes; i++) b[at + i] = (byte)(v >> (8 * i));
    }
}
