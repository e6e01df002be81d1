using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace Edge.Cloud.Transit.Gtfs;

/// <summary>Bounds on an uploaded feed (options <c>Transit:Limits</c>): a zip bomb or a feed far larger than a
/// municipality's network is refused before it costs memory.</summary>
public sealed class GtfsLimits
{
    /// <summary>The zip as uploaded.</summary>
    public long MaxZipBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>All files together, uncompressed, counted while inflating (a zip's declared sizes can lie).</summary>
    public long MaxUncompressedBytes { get; set; } = 256L * 1024 * 1024;

    public int MaxEntries { get; set; } = 64;
}

/// <summary>
/// Opens a feed zip and hands out its <c>.txt</c> files by name, inflating each at most once and never past
/// <see cref="GtfsLimits.MaxUncompressedBytes"/> in all. Files in a sub-folder are accepted when the whole
/// feed sits in that one folder (a common way feeds get zipped).
/// </summary>
public sealed class GtfsZip : IDisposable
{
    private readonly ZipArchive _archive;
    private readonly GtfsLimits _limits;
    private readonly Dictionary<string, ZipArchiveEntry> _entries = new(StringComparer.Ordinal);
    private long _inflated;

    private GtfsZip(ZipArchive archive, GtfsLimits limits)
    {
        _archive = archive;
        _limits = limits;
    }

    /// <summary>Opens <paramref name="zip"/>; a non-zip, too many entries or a declared size over the limit is a
    /// <see cref="GtfsFeedException"/>.</summary>
    public static GtfsZip Open(Stream zip, GtfsLimits limits)
    {
        var problems = new GtfsProblems();
        if (zip.Length > limits.MaxZipBytes)
        {
            problems.Add("(zip)", 0, null, $"{zip.Length} bytes; a feed zip may have at most {limits.MaxZipBytes}");
            throw new GtfsFeedException(problems);
        }
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            problems.Add("(zip)", 0, null, "not a zip file: " + e.Message);
            throw new GtfsFeedException(problems);
        }
        var result = new GtfsZip(archive, limits);
        try
        {
            if (archive.Entries.Count > limits.MaxEntries)
            {
                problems.Add("(zip)", 0, null, $"{archive.Entries.Count} entries; a feed may have at most {limits.MaxEntries}");
            }
            long declared = 0;
            foreach (var entry in archive.Entries)
            {
                if (entry.FullName.EndsWith('/')) continue;
                declared += entry.Length;
                var name = entry.Name;
                if (!result._entries.TryAdd(name, entry)) problems.Add(name, 0, null, "appears twice in the zip");
            }
            if (declared > limits.MaxUncompressedBytes)
            {
                problems.Add("(zip)", 0, null, $"{declared} bytes uncompressed; a feed may have at most {limits.MaxUncompressedBytes}");
            }
            if (problems.Any) throw new GtfsFeedException(problems);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    public bool Has(string file) => _entries.ContainsKey(file);

    /// <summary>The file's bytes; inflating past the remaining budget is a <see cref="GtfsFeedException"/>.</summary>
    public byte[] Read(string file)
    {
        using var input = _entries[file].Open();
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        try
        {
            while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                _inflated += read;
                if (_inflated > _limits.MaxUncompressedBytes)
                {
                    var problems = new GtfsProblems();
                    problems.Add(file, 0, null, $"the feed inflates past {_limits.MaxUncompressedBytes} bytes (a zip whose declared sizes are false)");
                    throw new GtfsFeedException(problems);
                }
                output.Write(buffer, 0, read);
            }
        }
        catch (InvalidDataException e)
        {
            var problems = new GtfsProblems();
            problems.Add(file, 0, null, "corrupt zip entry: " + e.Message);
            throw new GtfsFeedException(problems);
        }
        return output.ToArray();
    }

    public void Dispose() => _archive.Dispose();
}
