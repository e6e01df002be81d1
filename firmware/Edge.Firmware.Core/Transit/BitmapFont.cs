namespace Edge.Firmware.Transit;

/// <summary>
/// A fixed-cell 1-bit font: every glyph is <see cref="Width"/>×<see cref="Height"/> pixels, rows stored
/// most significant bit first, one glyph after the other in the order of <see cref="Chars"/> (sorted,
/// so lookup is a binary search). The glyph table stays where its <see cref="IGlyphStore"/> keeps it (on
/// the ESP32, the app's resources in flash): the font holds a small cache of the glyphs drawn lately,
/// sized to hold what one frame shows, so redrawing the same content reads nothing and allocates nothing
/// (hardware/heap.md). The cache is for one rendering thread (a node's control loop); a table already in
/// memory (<see cref="ArrayGlyphStore"/>, hosts) is read in place and the font can be shared between threads.
/// The tables are generated from Terminus Font (DisplayFonts.g.cs).
/// </summary>
public sealed class BitmapFont
{
    private readonly string _chars;
    private readonly int _questionMark;
    private readonly IGlyphStore _store;
    // The whole table when the store holds it in memory (hosts): read in place, no cache, nothing mutable.
    private readonly byte[]? _table;
    private readonly int _glyphBytes;
    private readonly int _slots;
    // Built on first draw: the cached glyphs' bits, which slot holds a glyph (-1: none), which glyph a slot holds.
    private byte[]? _cache;
    private short[]? _slotOf;
    private short[]? _glyphIn;
    private int _nextSlot;

    /// <param name="slots">Glyphs kept at once (at most one per character of the font).</param>
    public BitmapFont(int width, int height, int ascent, string chars, IGlyphStore store, int slots)
    {
        Width = width;
        Height = height;
        Ascent = ascent;
        RowBytes = (width + 7) / 8;
        _chars = chars;
        _store = store;
        var inMemory = store as ArrayGlyphStore;
        _table = inMemory != null ? inMemory.Table : null;
        _glyphBytes = height * RowBytes;
        _slots = slots < chars.Length ? slots : chars.Length;
        _questionMark = IndexOf('?');
    }

    /// <summary>Advance of every glyph in pixels.</summary>
    public int Width { get; }

    public int Height { get; }

    /// <summary>Rows above the baseline.</summary>
    public int Ascent { get; }

    public int RowBytes { get; }

    public string Chars { get { return _chars; } }

    /// <summary>Glyphs the cache holds at once.</summary>
    public int CacheSlots { get { return _slots; } }

    /// <summary>Glyphs read from the store so far (cache misses).</summary>
    public int StoreReads { get; private set; }

    public bool Has(char c) { return IndexOf(c) >= 0; }

    /// <summary>Glyph index of <paramref name="c"/>; characters the font lacks draw as '?'.</summary>
    public int GlyphOf(char c)
    {
        int i = IndexOf(c);
        return i >= 0 ? i : _questionMark;
    }

    /// <summary>The cache the offsets of <see cref="Load"/> point into.</summary>
    internal byte[] Cache { get { return _table != null ? _table : _cache!; } }

    /// <summary>Makes sure <paramref name="glyph"/> is cached; the byte offset of its first row in <see cref="Cache"/>.</summary>
    internal int Load(int glyph)
    {
        if (_table != null) return glyph * _glyphBytes;
        if (_cache == null)
        {
            _cache = new byte[_slots * _glyphBytes];
            _slotOf = new short[_chars.Length];
            _glyphIn = new short[_slots];
            for (int i = 0; i < _slotOf.Length; i++) _slotOf[i] = -1;
            for (int i = 0; i < _slots; i++) _glyphIn[i] = -1;
        }
        int slot = _slotOf![glyph];
        if (slot >= 0) return slot * _glyphBytes;
        // Oldest first: a cache sized for a frame's glyphs only turns over when the content changes.
        slot = _nextSlot;
        _nextSlot = (_nextSlot + 1) % _slots;
        int evicted = _glyphIn![slot];
        if (evicted >= 0) _slotOf[evicted] = -1;
        _store.Read(glyph * _glyphBytes, _cache, slot * _glyphBytes, _glyphBytes);
        StoreReads++;
        _glyphIn[slot] = (short)glyph;
        _slotOf[glyph] = (short)slot;
        return slot * _glyphBytes;
    }

    private int IndexOf(char c)
    {
        int lo = 0;
        int hi = _chars.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            char m = _chars[mid];
            if (m == c) return mid;
            if (m < c) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }
}
