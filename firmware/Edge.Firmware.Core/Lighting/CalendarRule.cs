namespace Edge.Firmware.Lighting;

/// <summary>
/// Picks a profile for the nights it matches: by date range (yearly "MM-DD" or absolute
/// "YYYY-MM-DD", inclusive, may wrap the new year) and/or weekdays. A night is named by the date of
/// its evening. Among matching rules the highest priority wins; otherwise the calendar's default.
/// </summary>
public sealed class CalendarRule
{
    public const int AllWeekdays = 0x7F;

    public string ProfileId = "";
    public int ProfileIndex;
    public int Priority;
    /// <summary>Bit d set = matches weekday d (0 = Sunday … 6 = Saturday).</summary>
    public int WeekdayMask = AllWeekdays;
    public bool HasDateRange;
    /// <summary>True: From/To carry a year; false: the range recurs every year.</summary>
    public bool Absolute;
    public int FromYear;
    public int FromMonth;
    public int FromDay;
    public int ToYear;
    public int ToMonth;
    public int ToDay;

    /// <summary>Whether the night whose evening falls on the given local date matches this rule.</summary>
    public bool Matches(int year, int month, int day, int weekday)
    {
        if ((WeekdayMask & (1 << weekday)) == 0) return false;
        if (!HasDateRange) return true;
        if (Absolute)
        {
            int date = year * 10000 + month * 100 + day;
            return date >= FromYear * 10000 + FromMonth * 100 + FromDay && date <= ToYear * 10000 + ToMonth * 100 + ToDay;
        }
        int md = month * 100 + day;
        int from = FromMonth * 100 + FromDay;
        int to = ToMonth * 100 + ToDay;
        // A yearly range such as 12-20 … 01-06 wraps the new year.
        return from <= to ? md >= from && md <= to : md >= from || md <= to;
    }
}
