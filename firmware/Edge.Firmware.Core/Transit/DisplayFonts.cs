namespace Edge.Firmware.Transit;

/// <summary>
/// The faces the sign draws with. Each is built on its first use, never in a static initialiser
/// (nanoFramework runs every static constructor of every deployed assembly at boot, and street lights and
/// gauges, which never draw text, must not carry anything of it). A face reads its glyphs through an
/// <see cref="IGlyphStore"/>: on the ESP32 the bus-stop app installs its resource-backed stores with
/// <see cref="Use"/> before the first draw, so only each face's small glyph cache is on the heap; a .NET
/// host uses the generated tables (DisplayFonts.g.cs).
/// </summary>
public static partial class DisplayFonts
{
    // Glyphs each face keeps at once: a full frame of the 7.5" layout with a day's timetable shows 36 different
    // glyphs of the small face, 77 of the medium one (Greek and English headsigns, digits) and 51 of the large one,
    // so a redraw of the same content reads nothing from flash. Content with more (a long Greek banner) re-reads
    // the glyphs that do not fit at each redraw: short-lived glyph-sized arrays, never held (hardware/heap.md).
    public const int SmallSlots = 40;
    public const int MediumSlots = 80;
    public const int LargeSlots = 56;

    private static IGlyphStore? _smallStore;
    private static IGlyphStore? _mediumStore;
    private static IGlyphStore? _largeStore;
    private static BitmapFont? _small;
    private static BitmapFont? _medium;
    private static BitmapFont? _large;

    /// <summary>
    /// Reads the faces' glyph tables from these stores from now on (the bus-stop app's resources); null for one
    /// means the generated table (hosts only: nanoFramework builds have none).
    /// </summary>
    public static void Use(IGlyphStore? small, IGlyphStore? medium, IGlyphStore? large)
    {
        _smallStore = small;
        _mediumStore = medium;
        _largeStore = large;
        _small = null;
        _medium = null;
        _large = null;
    }

    public static BitmapFont Small
    {
        get
        {
            if (_small == null) _small = new BitmapFont(SmallWidth, SmallHeight, SmallAscent, SmallChars, _smallStore != null ? _smallStore : BuiltIn(0), SmallSlots);
            return _small;
        }
    }

    public static BitmapFont Medium
    {
        get
        {
            if (_medium == null) _medium = new BitmapFont(MediumWidth, MediumHeight, MediumAscent, MediumChars, _mediumStore != null ? _mediumStore : BuiltIn(1), MediumSlots);
            return _medium;
        }
    }

    public static BitmapFont Large
    {
        get
        {
            if (_large == null) _large = new BitmapFont(LargeWidth, LargeHeight, LargeAscent, LargeChars, _largeStore != null ? _largeStore : BuiltIn(2), LargeSlots);
            return _large;
        }
    }

    private static IGlyphStore BuiltIn(int face)
    {
#if NANOFRAMEWORK
        throw new System.InvalidOperationException("no glyph table for face " + face.ToString() + ": the app installs its glyph resources with DisplayFonts.Use");
#else
        return new ArrayGlyphStore(face == 0 ? SmallBits() : face == 1 ? MediumBits() : LargeBits());
#endif
    }
}
