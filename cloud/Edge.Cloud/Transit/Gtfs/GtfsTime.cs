using System.Globalization;

namespace Edge.Cloud.Transit.Gtfs;

/// <summary>
/// GTFS value formats (reference "Field Types"): a Time is <c>H:MM:SS</c> or <c>HH:MM:SS</c> measured from
/// "noon minus 12 h" of the service day, so hours may exceed 24 for trips after midnight (<c>25:10:00</c>);
/// minutes and seconds are 00–59 (<c>24:61:00</c> is invalid). A Date is <c>YYYYMMDD</c>.
/// </summary>
public static class GtfsTime
{
    /// <summary>Seconds since the service day's "noon minus 12 h".</summary>
    public static bool TryParseTime(string text, out int seconds)
    {
        seconds = 0;
        var parts = text.Split(':');
        if (parts.Length != 3 || parts[0].Length is < 1 or > 3 || parts[1].Length != 2 || parts[2].Length != 2) return false;
        if (!Digits(parts[0], out var h) || !Digits(parts[1], out var m) || !Digits(parts[2], out var s)) return false;
        if (m > 59 || s > 59) return false;
        seconds = h * 3600 + m * 60 + s;
        return true;
    }

    public static bool TryParseDate(string text, out System.DateOnly date) =>
        System.DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    public static string FormatDate(System.DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static bool Digits(string s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (c is < '0' or > '9') return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }
}
