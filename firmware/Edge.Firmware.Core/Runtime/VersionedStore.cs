namespace Edge.Firmware.Runtime;

/// <summary>
/// One document kept in two storage slots plus a selector (protocol §9.2 rule 5): a new copy is written
/// to the slot not in use, then the selector is switched, so a power cut leaves the old or the new
/// document, never half of one.
/// </summary>
public sealed class VersionedStore
{
    private readonly IStorage _storage;
    private readonly string _slotA;
    private readonly string _slotB;
    private readonly string _selector;
    private readonly byte[] _sel = new byte[1];

    public VersionedStore(IStorage storage, string name)
    {
        _storage = storage;
        _slotA = name + ".a";
        _slotB = name + ".b";
        _selector = name + ".sel";
    }

    /// <summary>Reads the current document into <paramref name="buffer"/>; its length, or -1 when there is none (or it does not fit).</summary>
    public int Load(byte[] buffer)
    {
        int n = _storage.Read(_selector, _sel);
        if (n != 1 || (_sel[0] != (byte)'a' && _sel[0] != (byte)'b')) return -1;
        int length = _storage.Read(_sel[0] == (byte)'a' ? _slotA : _slotB, buffer);
        return length > buffer.Length ? -1 : length;
    }

    public void Save(byte[] buffer, int offset, int count)
    {
        int n = _storage.Read(_selector, _sel);
        bool useB = n == 1 && _sel[0] == (byte)'a';
        if (offset == 0)
        {
            _storage.Write(useB ? _slotB : _slotA, buffer, count);
        }
        else
        {
            var copy = new byte[count];
            System.Array.Copy(buffer, offset, copy, 0, count);
            _storage.Write(useB ? _slotB : _slotA, copy, count);
        }
        _sel[0] = useB ? (byte)'b' : (byte)'a';
        _storage.Write(_selector, _sel, 1);
    }
}
