using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Edge.Cli.Flash;

/// <summary>One row of an ESP-IDF partition table.</summary>
public sealed record Partition(string Name, string Type, string SubType, long Offset, long Size);

/// <summary>
/// An ESP-IDF partition table in its CSV form (Espressif's format: <c>Name, Type, SubType, Offset, Size, Flags</c>,
/// '#' comments, numbers in hex or decimal, K/M suffixes). nanoFramework keeps managed code in the data partition
/// of subtype 0x84 named "deploy": its offset is where the app image goes.
/// </summary>
public sealed class PartitionTable
{
    public PartitionTable(IReadOnlyList<Partition> partitions) => Partitions = partitions;

    public IReadOnlyList<Partition> Partitions { get; }

    public static PartitionTable Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException("partition table '" + path + "' does not exist", path);
        return Parse(File.ReadAllText(path), path);
    }

    public static PartitionTable Parse(string csv, string name)
    {
        var rows = new List<Partition>();
        string[] lines = csv.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            string[] f = line.Split(',');
            if (f.Length < 5) throw new FormatException(name + ": line " + (i + 1) + " has " + f.Length + " fields, expected Name, Type, SubType, Offset, Size");
            rows.Add(new Partition(f[0].Trim(), f[1].Trim(), f[2].Trim(), Number(f[3], name, i), Number(f[4], name, i)));
        }
        if (rows.Count == 0) throw new FormatException(name + ": no partitions");
        return new PartitionTable(rows);
    }

    /// <summary>The nanoFramework deployment partition: data, subtype 0x84 (named "deploy").</summary>
    public Partition Deployment
    {
        get
        {
            foreach (var p in Partitions)
                if (p.Type == "data" && (p.SubType.Equals("0x84", StringComparison.OrdinalIgnoreCase) || p.Name == "deploy")) return p;
            throw new FormatException("the partition table has no nanoFramework deployment partition (data, subtype 0x84, \"deploy\")");
        }
    }

    public static string Hex(long value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture);

    private static long Number(string text, string name, int line)
    {
        string t = text.Trim();
        long scale = 1;
        if (t.EndsWith('K') || t.EndsWith('k')) { scale = 1024; t = t[..^1]; }
        else if (t.EndsWith('M') || t.EndsWith('m')) { scale = 1024 * 1024; t = t[..^1]; }
        bool ok = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(t[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long v)
            : long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        if (!ok) throw new FormatException(name + ": line " + (line + 1) + ": '" + text.Trim() + "' is not a number");
        return v * scale;
    }
}
