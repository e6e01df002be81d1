namespace Edge.Firmware.Transit;

/// <summary>
/// Where a font's glyph table lives: one glyph after the other, <c>height × rowBytes</c> bytes each
/// (<see cref="BitmapFont"/>). On the ESP32 bus stop it is a binary resource of the app's assembly, read
/// from flash a glyph at a time (never the whole table onto the managed heap: hardware/heap.md); on a host
/// it is the generated table in memory (<see cref="ArrayGlyphStore"/>).
/// </summary>
public interface IGlyphStore
{
    /// <summary>Copies <paramref name="count"/> bytes of the table, from <paramref name="offset"/> on, into <paramref name="into"/> at <paramref name="at"/>.</summary>
    void Read(int offset, byte[] into, int at, int count);
}

/// <summary>
/// A glyph table held in memory (hosts, tests; the device reads its table from flash instead). A font reads
/// such a table in place, without a cache, so one font can be shared by renders on several threads (the simulator).
/// </summary>
public sealed class ArrayGlyphStore : IGlyphStore
{
    private readonly byte[] _table;

    public ArrayGlyphStore(byte[] table)
    {
        _table = table;
    }

    internal byte[] Table { get { return _table; } }

    public void Read(int offset, byte[] into, int at, int count)
    {
        System.Array.Copy(_table, offset, into, at, count);
    }
}
