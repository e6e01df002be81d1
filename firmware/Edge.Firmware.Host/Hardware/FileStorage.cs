using System;
using System.IO;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Host.Hardware;

/// <summary>
/// <see cref="IStorage"/> on a host: one file per key under the node's data directory. A record is
/// written to a temporary file and renamed over the old one, so a crash leaves the old or the new record,
/// never half of one (what the flash layout of protocol §9.2 rule 5 guarantees on the device).
/// </summary>
public sealed class FileStorage : IStorage
{
    private readonly string _directory;

    public FileStorage(string directory)
    {
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
    }

    public string DirectoryPath => _directory;

    public int Read(string key, byte[] buffer)
    {
        string path = PathOf(key);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return -1;
        }
        if (bytes.Length <= buffer.Length) Buffer.BlockCopy(bytes, 0, buffer, 0, bytes.Length);
        return bytes.Length;
    }

    public void Write(string key, byte[] buffer, int count)
    {
        string path = PathOf(key);
        string temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(buffer, 0, count);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    private string PathOf(string key)
    {
        if (key.Length == 0 || key.Length > 64) throw new ArgumentException("storage key must be 1-64 characters: '" + key + "'", nameof(key));
        foreach (char c in key)
        {
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
            if (!ok) throw new ArgumentException("storage key '" + key + "' may hold only letters, digits, '-', '_' and '.'", nameof(key));
        }
        if (key[0] == '.') throw new ArgumentException("storage key '" + key + "' must not start with '.'", nameof(key));
        return Path.Combine(_directory, key + ".bin");
    }
}
