using Edge.Firmware.Time;

namespace Edge.Firmware.Transit;

/// <summary>Strict RFC 3339 parsing on plain integers (nanoFramework's DateTime parsing differs from .NET's).</summary>
public static class IsoTime
{
    /// <summary><c>YYYY-MM-DDTHH:MM:SS</c> followed by <c>Z</c> or <c>±HH:MM</c> → seconds since the Unix epoch.</summary>
    public static bool TryParseInstant(string s, out long utc)
    {
        utc = 0;
        if (s.Length != 20 && s.Length != 25) return false;
        int year = Digits(s, 0, 4), month = Digits(s, 5, 2), day = Digits(s, 8, 2);
        int hour = Digits(s, 11, 2), minute = Digits(s, 14, 2), second = Digits(s, 17, 2);
        if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return false;
        if (year < 1970 || month < 1 || month > 12 || day < 1 || day > CivilTime.DaysInMonth(year, month)) return false;
        if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
        int offset = 0;
        if (s.Length == 20)
        {
            if (s[19] != 'Z') return false;
        }
        else if (!TryParseOffset(s, 19, out offset))
        {
            return false;
        }
        utc = CivilTime.DaysFromCivil(year, month, day) * CivilTime.SecondsPerDay + hour * 3600 + minute * 60 + second - offset;
        return true;
    }

    /// <summary><c>YYYY-MM-DD</c> → days since 1970-01-01.</summary>
    public static bool TryParseDate(string s, out long days)
    {
        days = 0;
        if (s.Length != 10 || s[4] != '-' || s[7] != '-') return false;
        int year = Digits(s, 0, 4), month = Digits(s, 5, 2), day = Digits(s, 8, 2);
        if (year < 1970 || month < 1 || month > 12 || day < 1 || day > CivilTime.DaysInMonth(year, month)) return false;
        days = CivilTime.DaysFromCivil(year, month, day);
        return true;
    }

    /// <summary><c>±HH:MM</c> at <paramref name="at"/> (exactly six characters to the end) → seconds.</summary>
    public static bool TryParseOffset(string s, int at, out int seconds)
    {
        seconds = 0;
        if (s.Length != at + 6 || (s[at] != '+' && s[at] != '-') || s[at + 3] != ':') return false;
        int h = Digits(s, at + 1, 2), m = Digits(s, at + 4, 2);
        if (h < 0 || h > 14 || m < 0 || m > 59) return false;
        seconds = (h * 3600 + m * 60) * (s[at] == '-' ? -1 : 1);
        return true;
    }

    /// <summary>A service-day time <c>HH:MM</c>; hours may run past 24 (GTFS: a trip after midnight), up to 47:59.</summary>
    public static bool TryParseServiceTime(string s, out int secondsOfServiceDay)
    {
        secondsOfServiceDay = 0;
        if (s.Length != 5 || s[2] != ':') return false;
        int h = Digits(s, 0, 2), m = Digits(s, 3, 2);
        if (h < 0 || h > 47 || m < 0 || m > 59) return false;
        secondsOfServiceDay = h * 3600 + m * 60;
        return true;
    }

    /// <summary>The decimal value of <paramref name="count"/> ASCII digits, or -1 if any is not a digit.</summary>
    private static int Digits(string s, int at, int count)
    {
        int v = 0;
        for (int i = at; i < at + count; i++)
        {
            char c = s[i];
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
