namespace Edge.Firmware.Runtime;

/// <summary>
/// <c>boot</c> and <c>seq</c> of protocol §5.4: the boot counter is read from storage, incremented and
/// written back once per start; <c>seq</c> counts every telemetry, event and ack created in this boot.
/// </summary>
public sealed class MessageIds
{
    public const string StorageKey = "node.boot";
    private readonly byte[] _record = new byte[4];
    private long _seq;

    public MessageIds(IStorage storage)
    {
        long boot = 0;
        if (storage.Read(StorageKey, _record) == 4)
        {
            boot = (uint)(_record[0] | (_record[1] << 8) | (_record[2] << 16) | (_record[3] << 24));
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

    /// <summary>The last seq handed out (0 before the first).</summary>
    public long Seq { get { return _seq; } }

    public long NextSeq() { return ++_seq; }
}
