namespace Edge.Firmware.Time;

/// <summary>
/// Proleptic Gregorian calendar arithmetic on plain integers. Instants in the firmware are seconds
/// since 1970-01-01T00:00:00Z (<c>long</c>); nanoFramework's DateTime differs from .NET's in range and
/// kind handling, so the core does its own date arithmetic and stays identical on both runtimes.
/// </summary>
public static class CivilTime
{
    public const long SecondsPerDay = 86400;

    /// <summary>Days since 1970-01-01 of the given civil date (H. Hinnant's days_from_civil).</summary>
    public static long DaysFromCivil(int year, int month, int day)
    {
        long y = month <= 2 ? year - 1 : year;
        long era = (y >= 0 ? y : y - 399) / 400;
        long yoe = y - era * 400;
        long mp = month > 2 ? month - 3 : month + 9;
        long doy = (153 * mp + 2) / 5 + day - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    /// <summary>Civil date of a day number (days since 1970-01-01).</summary>
    public static void CivilFromDays(long days, out int year, out int month, out int day)
    {
        long z = days + 719468;
        long era = (z >= 0 ? z : z - 146096) / 146097;
        long doe = z - era * 146097;
        long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        day = (int)(doy - (153 * mp + 2) / 5 + 1);
        month = (int)(mp < 10 ? mp + 3 : mp - 9);
        year = (int)(yoe + era * 400 + (month <= 2 ? 1 : 0));
    }

    /// <summary>Day of week of a day number: 0 = Sunday … 6 = Saturday (as POSIX TZ rules count).</summary>
    public static int DayOfWeek(long days)
    {
        long w = (days + 4) % 7; // 1970-01-01 was a Thursday
        return (int)(w < 0 ? w + 7 : w);
    }

    /// <summary>Floor division of seconds into whole days (correct for instants before 1970).</summary>
    public static long DayOf(long seconds)
    {
        long d = seconds / SecondsPerDay;
        return seconds % SecondsPerDay < 0 ? d - 1 : d;
    }

    /// <summary>Seconds since midnight of the day containing <paramref name="seconds"/>.</summary>
    public static int SecondOfDay(long seconds)
    {
        return (int)(seconds - DayOf(seconds) * SecondsPerDay);
    }

    public static bool IsLeapYear(int year)
    {
        return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    }

    public static int DaysInMonth(int year, int month)
    {
        switch (month)
        {
            case 2: return IsLeapYear(year) ? 29 : 28;
            case 4: case 6: case 9: case 11: return 30;
            default: return 31;
        }
    }
}
