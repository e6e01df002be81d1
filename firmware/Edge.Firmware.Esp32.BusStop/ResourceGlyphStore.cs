using System;
using System.Resources;
using Edge.Firmware.Transit;
using nanoFramework.Runtime.Native;

namespace Edge.Firmware.Esp32.BusStop;

/// <summary>
/// A face's glyph table as a binary resource of this app (Resources.resx, Fonts/*.bin): the table stays in the
/// assembly in flash and each read copies only the glyph asked for (ResourceUtility.GetObject with offset and
/// length: the runtime allocates an array of that length and copies into it). Reads happen only when a glyph is
/// not in the face's cache (<see cref="BitmapFont"/>), so a redraw of the same content reads nothing
/// (hardware/heap.md). The whole-table <c>Resources.GetBytes</c> is never called: it would put the table on the heap.
/// </summary>
internal sealed class ResourceGlyphStore : IGlyphStore
{
    private readonly ResourceManager _manager;
    // Boxed once here: boxing the enum on every read would be garbage.
    private readonly Enum _id;

    public ResourceGlyphStore(ResourceManager manager, Resources.BinaryResources id)
    {
        _manager = manager;
        _id = id;
    }

    public void Read(int offset, byte[] into, int at, int count)
    {
        var glyph = (byte[])ResourceUtility.GetObject(_manager, _id, offset, count);
        Array.Copy(glyph, 0, into, at, count);
    }
}
