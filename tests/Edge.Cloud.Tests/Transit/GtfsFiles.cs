using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using Edge.Firmware.Tests;

namespace Edge.Cloud.Tests.Transit;

/// <summary>
/// GTFS feeds for the tests: the GTFS reference's sample feed (<c>tests/reference/gtfs/sample-feed-1.zip</c>, copied
/// unchanged from the specification's examples) and variants of it built in memory.
/// </summary>
public static class GtfsFiles
{
    public static string SampleFeedPath => Repo.File("tests/reference/gtfs/sample-feed-1.zip");

    /// <summary>The sample feed's files by name (text).</summary>
    public static Dictionary<string, string> Sample()
    {
        using var archive = ZipFile.OpenRead(SampleFeedPath);
        return archive.Entries.ToDictionary(e => e.Name, e =>
        {
            using var reader = new StreamReader(e.Open(), Encoding.UTF8);
            return reader.ReadToEnd();
        });
    }

    public static byte[] Zip(IReadOnlyDictionary<string, string> files)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in files)
            {
                using var writer = new StreamWriter(archive.CreateEntry(name).Open(), new UTF8Encoding(false));
                writer.Write(text);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>The sample feed with <paramref name="change"/> applied to its files (which, as published, do not
    /// end with a line break: appended rows start with one).</summary>
    public static byte[] SampleWith(Action<Dictionary<string, string>> change)
    {
        var files = Sample();
        change(files);
        return Zip(files);
    }
}
