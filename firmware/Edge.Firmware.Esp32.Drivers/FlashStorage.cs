using System.IO;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// <see cref="IStorage"/> on nanoFramework's internal flash file system, drive <c>I:\</c> (a SPIFFS/LittleFS
/// partition on ESP32 builds): one small file per record. Records are read at start-up and written when
/// something worth keeping changes (applied config, the gauge's state before deep sleep), never per tick,
/// so the temporary arrays the whole-file API needs are acceptable. A record cut short by a power loss
/// mid-write is caught by the record's own checksum in the core (e.g. Hydro/RecordCodec).
/// </summary>
public sealed class FlashStorage : IStorage
{
    private readonly string _directory;

    /// <param name="directory">Where the records live, with a trailing separator: <c>I:\</c> by default.</param>
    public FlashStorage(string directory = "I:\\")
    {
        _directory = directory;
    }

    public int Read(string key, byte[] buffer)
    {
        string path = PathOf(key);
        if (!File.Exists(path)) return -1;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException)
        {
            return -1; // unreadable counts as absent: the node starts from its defaults and says so
        }
        if (bytes.Length > buffer.Length) return bytes.Length;
        System.Array.Copy(bytes, buffer, bytes.Length);
        return bytes.Length;
    }

    public void Write(string key, byte[] buffer, int count)
    {
        // WriteAllBytes writes a whole array: copy the first count bytes into one of the right length.
        var bytes = new byte[count];
        System.Array.Copy(buffer, bytes, count);
        File.WriteAllBytes(PathOf(key), bytes);
    }

    private string PathOf(string key)
    {
        return _directory + key + ".bin";
    }
}
