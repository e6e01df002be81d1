using System;

namespace Edge.Firmware.Time;

/// <summary>
/// Local time from a POSIX TZ rule (IEEE Std 1003.1 §8.3, as glibc's tzset and the footer of RFC 8536
/// TZif files write it), e.g. Greece: <c>EET-2EEST,M3.5.0/3,M10.5.0/4</c>. A node carries this one short
/// string instead of a time-zone database; see docs/local-time.md for the format.
/// </summary>
/// <remarks>
/// Conversions (<see cref="OffsetAt"/>, <see cref="ToLocal"/>, <see cref="ToUtc"/>,
/// <see cref="IsDaylightAt"/>) run every control-loop tick, so they allocate nothing and use integer
/// arithmetic only: the change instants of the years around the last instant asked about are kept in
/// preallocated fields and recomputed only when a call lands in another UTC year.
/// An instance is safe to share between threads (the cache is guarded by a lock).
/// </remarks>
public sealed class PosixTimeZone
{
    /// <summary>Years whose change instants are cached: the UTC year asked about, two before, one after.</summary>
    /// <remarks>
    /// A change instant lies within 8 days of its own year (rule time up to ±167 h plus an offset up to
    /// 24 h), so the latest change at or before any instant of UTC year Y comes from years Y−2 … Y+1.
    /// </remarks>
    private const int CachedYears = 4;

    private readonly TransitionDate? _start;
    private readonly TransitionDate? _end;

    private readonly object _cacheLock = new object();
    private long _cacheFrom = long.MaxValue;   // first UTC second the cached changes are valid for
    private long _cacheUntil = long.MinValue;  // first UTC second after that
    private readonly long[] _changeAt = new long[CachedYears * 2];
    private readonly bool[] _changeStartsDaylight = new bool[CachedYears * 2];
    private int _changeCount;

    /// <summary>The rule exactly as given to <see cref="Parse"/>.</summary>
    public string Rule { get; }

    /// <summary>Abbreviation of standard time, e.g. "EET" (a quoted name is given without its angle brackets).</summary>
    public string StandardName { get; }

    /// <summary>Abbreviation of daylight-saving time, e.g. "EEST"; the standard name when the rule has no DST.</summary>
    public string DaylightName { get; }

    /// <summary>Standard time's offset (local − UTC) in seconds: +7200 for EET-2 (note POSIX's opposite sign).</summary>
    public int StandardOffset { get; }

    /// <summary>Daylight-saving time's offset (local − UTC) in seconds; equals <see cref="StandardOffset"/> without DST.</summary>
    public int DaylightOffset { get; }

    /// <summary>Whether the rule names a daylight-saving time at all.</summary>
    public bool HasDaylightSaving { get; }

    private PosixTimeZone(string rule, string standardName, int standardOffset, string daylightName,
        int daylightOffset, bool hasDaylightSaving, TransitionDate? start, TransitionDate? end)
    {
        Rule = rule;
        StandardName = standardName;
        StandardOffset = standardOffset;
        DaylightName = daylightName;
        DaylightOffset = daylightOffset;
        HasDaylightSaving = hasDaylightSaving;
        _start = start;
        _end = end;
    }

    /// <summary>Parses a rule; throws FormatException whose message says what is wrong and where.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="rule"/> is null.</exception>
    /// <exception cref="FormatException">The rule is malformed (message: what, and at which character position, counted from 0).</exception>
    public static PosixTimeZone Parse(string rule)
    {
        if (rule == null)
        {
            throw new ArgumentNullException("rule");
        }
        return new RuleParser(rule).ParseRule();
    }

    /// <summary>Parses a rule without throwing: false and the same message Parse would throw when malformed.</summary>
    public static bool TryParse(string rule, out PosixTimeZone? zone, out string error)
    {
        zone = null;
        if (rule == null)
        {
            error = "TZ rule is missing";
            return false;
        }
        try
        {
            zone = new RuleParser(rule).ParseRule();
            error = "";
            return true;
        }
        catch (FormatException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>Offset (local − UTC) in seconds in force at a UTC instant.</summary>
    public int OffsetAt(long utcSeconds)
    {
        return IsDaylightAt(utcSeconds) ? DaylightOffset : StandardOffset;
    }

    /// <summary>Whether daylight-saving time is in force at a UTC instant.</summary>
    public bool IsDaylightAt(long utcSeconds)
    {
        if (!HasDaylightSaving)
        {
            return false;
        }
        lock (_cacheLock)
        {
            if (utcSeconds < _cacheFrom || utcSeconds >= _cacheUntil)
            {
                FillCache(utcSeconds);
            }
            // The state is set by the latest change at or before the instant. Changes are stored year by
            // year, each year's in time order (a start before an end at the same instant); of changes at
            // the same instant the one stored later wins, so a zero-length DST is no DST and a zero-length
            // standard time between two years' DST is no standard time.
            bool daylight = false;
            bool found = false;
            long latest = 0;
            for (int i = 0; i < _changeCount; i++)
            {
                long at = _changeAt[i];
                if (at <= utcSeconds && (!found || at >= latest))
                {
                    found = true;
                    latest = at;
                    daylight = _changeStartsDaylight[i];
                }
            }
            return daylight;
        }
    }

    /// <summary>Abbreviation in force at a UTC instant ("EET" or "EEST"); never allocates.</summary>
    public string AbbreviationAt(long utcSeconds)
    {
        return IsDaylightAt(utcSeconds) ? DaylightName : StandardName;
    }

    /// <summary>UTC instant → local wall-clock seconds (as if the wall clock were UTC).</summary>
    public long ToLocal(long utcSeconds) { return utcSeconds + OffsetAt(utcSeconds); }

    /// <summary>
    /// Local wall-clock seconds → UTC instant. A wall time skipped by a spring-forward change is read
    /// with the offset in force before the change (so it lands the gap's length later); a wall time
    /// that occurs twice in an autumn change resolves to its first occurrence.
    /// </summary>
    public long ToUtc(long localSeconds)
    {
        long asStandard = localSeconds - StandardOffset;
        if (!HasDaylightSaving)
        {
            return asStandard;
        }
        long asDaylight = localSeconds - DaylightOffset;
        bool standardFits = OffsetAt(asStandard) == StandardOffset;
        bool daylightFits = OffsetAt(asDaylight) == DaylightOffset;
        if (standardFits && daylightFits)
        {
            // Occurs twice: the first occurrence is the earlier UTC instant.
            return asStandard < asDaylight ? asStandard : asDaylight;
        }
        if (standardFits)
        {
            return asStandard;
        }
        if (daylightFits)
        {
            return asDaylight;
        }
        // Skipped: clocks only skip forward when the offset grows, so the offset in force before the
        // change is the smaller one (daylight time is the smaller one in rules like Ireland's IST-1GMT0).
        return DaylightOffset < StandardOffset ? asDaylight : asStandard;
    }

    /// <summary>
    /// First UTC instant after <paramref name="utcSeconds"/> at which the clocks change (standard ↔
    /// daylight), or <see cref="long.MaxValue"/> when they never change again (no DST, or all-year DST).
    /// </summary>
    public long NextTransitionAfter(long utcSeconds)
    {
        if (!HasDaylightSaving)
        {
            return long.MaxValue;
        }
        bool daylightNow = IsDaylightAt(utcSeconds);
        int year = YearOf(utcSeconds);
        long next = long.MaxValue;
        // Consecutive changes are at most a year and two weeks apart, and a year's changes lie within
        // 8 days of it, so the next one is a change of one of these years if there is one at all.
        for (int y = year - 1; y <= year + 2; y++)
        {
            next = EarlierChange(StartOf(y), utcSeconds, daylightNow, next);
            next = EarlierChange(EndOf(y), utcSeconds, daylightNow, next);
        }
        return next;
    }

    public override string ToString() { return Rule; }

    private long EarlierChange(long candidate, long after, bool daylightBefore, long best)
    {
        if (candidate > after && candidate < best && IsDaylightAt(candidate) != daylightBefore)
        {
            return candidate;
        }
        return best;
    }

    /// <summary>UTC instant at which DST starts in a year: the start rule's time is standard local time.</summary>
    private long StartOf(int year)
    {
        return _start!.LocalSecondsIn(year) - StandardOffset;
    }

    /// <summary>UTC instant at which DST ends in a year: the end rule's time is daylight local time.</summary>
    private long EndOf(int year)
    {
        return _end!.LocalSecondsIn(year) - DaylightOffset;
    }

    private static int YearOf(long utcSeconds)
    {
        int year, month, day;
        CivilTime.CivilFromDays(CivilTime.DayOf(utcSeconds), out year, out month, out day);
        return year;
    }

    private void FillCache(long utcSeconds)
    {
        int year = YearOf(utcSeconds);
        _changeCount = 0;
        for (int y = year - CachedYears + 2; y <= year + 1; y++)
        {
            long start = StartOf(y);
            long end = EndOf(y);
            long yearLength = (CivilTime.IsLeapYear(y) ? 366 : 365) * CivilTime.SecondsPerDay;
            if (start < end && end - start >= yearLength)
            {
                // DST lasts the whole year (e.g. EST5EDT,0/0,J365/25): it never ends, as in tzcode.
                AddChange(start, true);
            }
            else if (start <= end)
            {
                AddChange(start, true);
                AddChange(end, false);
            }
            else
            {
                // Southern hemisphere: DST spans the new year, so it ends before it starts again.
                AddChange(end, false);
                AddChange(start, true);
            }
        }
        _cacheFrom = CivilTime.DaysFromCivil(year, 1, 1) * CivilTime.SecondsPerDay;
        _cacheUntil = CivilTime.DaysFromCivil(year + 1, 1, 1) * CivilTime.SecondsPerDay;
    }

    private void AddChange(long at, bool startsDaylight)
    {
        _changeAt[_changeCount] = at;
        _changeStartsDaylight[_changeCount] = startsDaylight;
        _changeCount++;
    }

    /// <summary>One of the two change dates of a rule (<c>Mm.w.d</c>, <c>Jn</c> or <c>n</c>) with its time.</summary>
    private sealed class TransitionDate
    {
        public const int MonthWeekDay = 0;    // Mm.w.d: day d (0 = Sunday) of week w (5 = last) of month m
        public const int JulianNoLeap = 1;    // Jn: day n of 1..365, February 29 never counted
        public const int ZeroBasedDay = 2;    // n: day n of 0..365, February 29 counted

        public readonly int Kind;
        public readonly int Month;
        public readonly int Week;
        public readonly int Weekday;
        public readonly int Day;
        /// <summary>Local time of day of the change in seconds; may be negative or beyond 24 h (RFC 8536).</summary>
        public readonly int TimeOfDay;

        public TransitionDate(int kind, int month, int week, int weekday, int day, int timeOfDay)
        {
            Kind = kind;
            Month = month;
            Week = week;
            Weekday = weekday;
            Day = day;
            TimeOfDay = timeOfDay;
        }

        /// <summary>Local wall-clock seconds (days since 1970 × 86400 + time) of the change in a year.</summary>
        public long LocalSecondsIn(int year)
        {
            return DayIn(year) * CivilTime.SecondsPerDay + TimeOfDay;
        }

        private long DayIn(int year)
        {
            if (Kind == JulianNoLeap)
            {
                long day = CivilTime.DaysFromCivil(year, 1, 1) + Day - 1;
                return CivilTime.IsLeapYear(year) && Day >= 60 ? day + 1 : day;
            }
            if (Kind == ZeroBasedDay)
            {
                return CivilTime.DaysFromCivil(year, 1, 1) + Day;
            }
            long first = CivilTime.DaysFromCivil(year, Month, 1);
            int toWeekday = Weekday - CivilTime.DayOfWeek(first);
            if (toWeekday < 0)
            {
                toWeekday += 7;
            }
            long result = first + toWeekday + (Week - 1) * 7;
            long monthEnd = first + CivilTime.DaysInMonth(year, Month);
            while (result >= monthEnd)
            {
                result -= 7; // week 5 means the last such weekday, which may be the 4th
            }
            return result;
        }
    }

    /// <summary>Reads a rule left to right; every error names the character position (from 0).</summary>
    private sealed class RuleParser
    {
        private const int DefaultChangeTime = 2 * 3600;
        private const int MaxOffsetHours = 24;      // POSIX: hh is 0..24
        private const int MaxChangeTimeHours = 167; // RFC 8536 §3.3.1: -167..167 hours

        private readonly string _text;
        private int _pos;

        public RuleParser(string text)
        {
            _text = text;
        }

        public PosixTimeZone ParseRule()
        {
            if (_text.Length > 0 && _text[0] == ':')
            {
                throw Error("a ':' zone-file name is not a POSIX rule; give the rule itself, e.g. EET-2EEST,M3.5.0/3,M10.5.0/4 (position 0)");
            }
            string standardName = ParseName("standard-time name");
            int standardOffset = -ParseClock("UTC offset of standard time", MaxOffsetHours, false);
            if (AtEnd)
            {
                return new PosixTimeZone(_text, standardName, standardOffset, standardName, standardOffset, false, null, null);
            }
            string daylightName = ParseName("daylight-saving-time name");
            int daylightOffset = standardOffset + 3600; // POSIX default: one hour ahead of standard time
            if (!AtEnd && _text[_pos] != ',')
            {
                daylightOffset = -ParseClock("UTC offset of daylight-saving time", MaxOffsetHours, false);
            }
            TransitionDate start;
            TransitionDate end;
            if (AtEnd)
            {
                // No rules given: glibc and tzcode fall back to the US rules (second Sunday of March to
                // first Sunday of November, 02:00) — documented in docs/local-time.md.
                start = new TransitionDate(TransitionDate.MonthWeekDay, 3, 2, 0, 0, DefaultChangeTime);
                end = new TransitionDate(TransitionDate.MonthWeekDay, 11, 1, 0, 0, DefaultChangeTime);
            }
            else
            {
                Expect(',');
                start = ParseDate("start");
                Expect(',');
                end = ParseDate("end");
                if (!AtEnd)
                {
                    throw Error("unexpected '" + _text[_pos] + "' at position " + _pos + " after the end rule");
                }
            }
            return new PosixTimeZone(_text, standardName, standardOffset, daylightName, daylightOffset, true, start, end);
        }

        private bool AtEnd { get { return _pos >= _text.Length; } }

        private string ParseName(string what)
        {
            int begin = _pos;
            if (!AtEnd && _text[_pos] == '<')
            {
                _pos++;
                int first = _pos;
                while (!AtEnd && _text[_pos] != '>')
                {
                    char c = _text[_pos];
                    if (!IsLetter(c) && !IsDigit(c) && c != '+' && c != '-')
                    {
                        throw Error("unexpected '" + c + "' at position " + _pos + " in the quoted " + what + " (letters, digits, '+' and '-' only)");
                    }
                    _pos++;
                }
                if (AtEnd)
                {
                    throw Error("expected '>' at position " + _pos + " to close the quoted " + what + " opened at position " + begin);
                }
                string quoted = _text.Substring(first, _pos - first);
                _pos++; // '>'
                if (quoted.Length < 3)
                {
                    throw Error(what + " \"" + quoted + "\" at position " + begin + " is shorter than 3 characters");
                }
                return quoted;
            }
            while (!AtEnd && IsLetter(_text[_pos]))
            {
                _pos++;
            }
            if (_pos == begin)
            {
                throw Error("expected a " + what + " (3 or more letters, or <+03> form) at position " + begin + Found());
            }
            string name = _text.Substring(begin, _pos - begin);
            if (name.Length < 3)
            {
                throw Error(what + " \"" + name + "\" at position " + begin + " is shorter than 3 letters");
            }
            return name;
        }

        /// <summary>
        /// [+-]hh[:mm[:ss]] in seconds, sign as written (for offsets POSIX counts west as positive, so
        /// the caller negates). Hours up to <paramref name="maxHours"/>: 24 for offsets, 167 for change times.
        /// </summary>
        private int ParseClock(string what, int maxHours, bool isChangeTime)
        {
            int sign = 1;
            if (!AtEnd && (_text[_pos] == '+' || _text[_pos] == '-'))
            {
                sign = _text[_pos] == '-' ? -1 : 1;
                _pos++;
            }
            if (AtEnd || !IsDigit(_text[_pos]))
            {
                string hint = !isChangeTime && !AtEnd && _text[_pos] == '/'
                    ? " (zone names such as Europe/Athens are not rules: use the POSIX rule, e.g. EET-2EEST,M3.5.0/3,M10.5.0/4)"
                    : "";
                throw Error("expected the " + what + " (hours, e.g. " + (isChangeTime ? "3 or 02:30" : "-2 or 3:30") + ") at position " + _pos + Found() + hint);
            }
            int seconds = ParseNumber("hour of the " + what, 0, maxHours) * 3600;
            if (!AtEnd && _text[_pos] == ':')
            {
                _pos++;
                seconds += ParseNumber("minutes of the " + what, 0, 59) * 60;
                if (!AtEnd && _text[_pos] == ':')
                {
                    _pos++;
                    seconds += ParseNumber("seconds of the " + what, 0, 59);
                }
            }
            return sign * seconds;
        }

        private TransitionDate ParseDate(string which)
        {
            int begin = _pos;
            if (AtEnd)
            {
                throw Error("expected the DST " + which + " date (Mm.w.d, Jn or n) at position " + _pos);
            }
            char c = _text[_pos];
            int kind, month = 0, week = 0, weekday = 0, day = 0;
            if (c == 'M')
            {
                _pos++;
                kind = TransitionDate.MonthWeekDay;
                month = ParseNumber("month of the DST " + which + " date", 1, 12);
                Expect('.');
                week = ParseNumber("week of the DST " + which + " date (5 = last)", 1, 5);
                Expect('.');
                weekday = ParseNumber("weekday of the DST " + which + " date (0 = Sunday)", 0, 6);
            }
            else if (c == 'J')
            {
                _pos++;
                kind = TransitionDate.JulianNoLeap;
                day = ParseNumber("day of the DST " + which + " date (Jn counts 1..365 without Feb 29)", 1, 365);
            }
            else if (IsDigit(c))
            {
                kind = TransitionDate.ZeroBasedDay;
                day = ParseNumber("day of the DST " + which + " date (n counts 0..365 with Feb 29)", 0, 365);
            }
            else
            {
                throw Error("expected the DST " + which + " date (Mm.w.d, Jn or n) at position " + begin + Found());
            }
            int time = DefaultChangeTime;
            if (!AtEnd && _text[_pos] == '/')
            {
                _pos++;
                time = ParseClock("time of the DST " + which, MaxChangeTimeHours, true);
            }
            return new TransitionDate(kind, month, week, weekday, day, time);
        }

        private int ParseNumber(string what, int min, int max)
        {
            int begin = _pos;
            if (AtEnd || !IsDigit(_text[_pos]))
            {
                throw Error("expected the " + what + " at position " + _pos + Found());
            }
            int value = 0;
            while (!AtEnd && IsDigit(_text[_pos]))
            {
                if (value <= 100000)
                {
                    value = value * 10 + (_text[_pos] - '0');
                }
                _pos++;
            }
            if (value < min || value > max)
            {
                throw Error("the " + what + " at position " + begin + " is " + _text.Substring(begin, _pos - begin) + ", out of range " + min + ".." + max);
            }
            return value;
        }

        private void Expect(char expected)
        {
            if (AtEnd || _text[_pos] != expected)
            {
                throw Error("expected '" + expected + "' at position " + _pos + Found());
            }
            _pos++;
        }

        /// <summary>", found 'x'" for the character at the current position; nothing at the end of the rule.</summary>
        private string Found()
        {
            return AtEnd ? "" : ", found '" + _text[_pos] + "'";
        }

        private FormatException Error(string what)
        {
            return new FormatException("TZ rule \"" + _text + "\": " + what);
        }

        private static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

        private static bool IsLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
    }
}
