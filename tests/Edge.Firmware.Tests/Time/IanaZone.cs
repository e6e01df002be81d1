using System;
using System.IO;
using System.Text;

namespace Edge.Firmware.Tests.Time;

/// <summary>
/// The reference for PosixTimeZone: the machine's IANA time-zone database (Debian tzdata), read through
/// .NET's TimeZoneInfo and directly from the TZif files in /usr/share/zoneinfo.
/// </summary>
internal static class IanaZone
{
    public const string ZoneInfoDirectory = "/usr/share/zoneinfo";

    public static TimeZoneInfo Find(string id)
    {
        return TimeZoneInfo.FindSystemTimeZoneById(id);
    }

    /// <summary>
    /// The POSIX TZ string in a TZif file's footer (RFC 8536 §3.3: version 2+ files end with
    /// "\n" footer "\n"), which zic writes for instants after the file's last explicit transition.
    /// </summary>
    public static string Footer(string id)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(ZoneInfoDirectory, id));
        if (bytes.Length < 6 || Encoding.ASCII.GetString(bytes, 0, 4) != "TZif" || bytes[4] < (byte)'2')
        {
            throw new InvalidDataException($"{id}: not a TZif version 2+ file");
        }
        if (bytes[^1] != (byte)'\n')
        {
            throw new InvalidDataException($"{id}: TZif file does not end with a footer line");
        }
        int start = Array.LastIndexOf(bytes, (byte)'\n', bytes.Length - 2) + 1;
        return Encoding.ASCII.GetString(bytes, start, bytes.Length - 1 - start);
    }

    /// <summary>Offset (local − UTC) in seconds the database gives for a UTC instant.</summary>
    public static int OffsetAt(TimeZoneInfo zone, long utcSeconds)
    {
        return (int)(zone.GetUtcOffset(DateTimeOffset.FromUnixTimeSeconds(utcSeconds)).Ticks / TimeSpan.TicksPerSecond);
    }

    /// <summary>Seconds since the epoch of a UTC date and time (also used for local wall-clock seconds).</summary>
    public static long Seconds(int year, int month, int day, int hour = 0, int minute = 0, int second = 0)
    {
        return new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero).ToUnixTimeSeconds();
    }

    /// <summary>Local wall-clock seconds as a DateTime of unspecified kind, as TimeZoneInfo takes local times.</summary>
    public static DateTime WallClock(long localSeconds)
    {
        return DateTime.SpecifyKind(DateTimeOffset.FromUnixTimeSeconds(localSeconds).DateTime, DateTimeKind.Unspecified);
    }

    public static string Show(long seconds)
    {
        return DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd HH:mm:ss");
    }
}
