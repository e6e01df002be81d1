using System;
using Edge.Firmware.Time;

namespace Edge.Firmware.Lighting;

/// <summary>
/// The commanded level at any instant, as a pure function of (schedule, overrides, location, time-zone
/// rule, instant): the node, the simulator and the cloud all call this and get the same answer.
///
/// A night runs from local noon to the next local noon and is named by the date of its evening; the
/// calendar picks its profile. Its switch points resolve to instants (sunset of the evening, sunrise of
/// the morning, virtual midnight halfway between, fixed times on the evening's date from 12:00 and on
/// the next date before 12:00) and apply in time order, so points of neighbouring nights and offsets
/// that cross noon still take effect in the order they happen. A fade runs linearly in level from
/// wherever the light was when the point started.
///
/// Days without a sunset or sunrise (docs/dimming-profiles.md, "Polar days"): in polar night sunset and
/// sunrise are taken at solar noon, so the night — and the profile — run through the dark day; when
/// the sun does not go down between evening and morning (midnight sun) the night has no dark, no
/// switch point runs and the lamp stays off.
///
/// The resolved timeline of the current night, the two before and the next one is cached and rebuilt
/// once a day (the only floating-point double work): offsets of up to ±12 h and polar stand-ins can
/// move a point of one night into its neighbour's. Each <see cref="LevelAt"/> call is a short scan
/// with no allocation.
/// The cache never changes a result: it is a memo of the same function.
/// </summary>
public sealed class DimmingEngine
{
    private const int Nights = 4; // the night in control, two before it and the next one
    private const int Noon = 12 * 3600;

    private readonly LightingSchedule _schedule;
    private readonly double _latitude;
    private readonly double _longitude;
    private readonly PosixTimeZone _zone;
    private readonly SunTimes _evening = new SunTimes();
    private readonly SunTimes _morning = new SunTimes();

    // Timeline of nights _night-2 … _night+1, in time order; sized by the schedule's longest profile (plus a
    // night of room for ResolveNight), so the always-on and always-off engines a street light keeps cost little.
    private readonly long[] _at;
    private readonly float[] _target;
    private readonly float[] _start;
    private readonly int[] _fade;
    private readonly float[] _min;
    private readonly int[] _profile;
    private int _count;
    private long _night = long.MinValue;

    public DimmingEngine(LightingSchedule schedule, double latitude, double longitude, PosixTimeZone zone)
    {
        if (latitude < -90 || latitude > 90) throw new ArgumentOutOfRangeException("latitude");
        if (longitude < -180 || longitude > 180) throw new ArgumentOutOfRangeException("longitude");
        _schedule = schedule;
        int points = 1; // a darkless night takes one point whatever the profile
        for (int i = 0; i < schedule.Profiles.Length; i++)
            if (schedule.Profiles[i].Points.Length > points) points = schedule.Profiles[i].Points.Length;
        int capacity = (Nights + 1) * points;
        _at = new long[capacity];
        _target = new float[capacity];
        _start = new float[capacity];
        _fade = new int[capacity];
        _min = new float[capacity];
        _profile = new int[capacity];
        _latitude = latitude;
        _longitude = longitude;
        _zone = zone;
    }

    public LightingSchedule Schedule { get { return _schedule; } }

    public PosixTimeZone Zone { get { return _zone; } }

    public double Latitude { get { return _latitude; } }

    public double Longitude { get { return _longitude; } }

    /// <summary>Commanded level in percent (0–100) at <paramref name="utc"/>, overrides included.</summary>
    public float LevelAt(long utc, OverrideSet? overrides)
    {
        return LevelAt(utc, overrides, out _);
    }

    /// <summary>
    /// The commanded level and the dimming curve of the profile in control, from one look-up of the
    /// timeline (the control loop needs both every tick).
    /// </summary>
    public float LevelAt(long utc, OverrideSet? overrides, out DimmingCurve curve)
    {
        int i = Locate(utc);
        curve = _schedule.Profiles[_profile[i]].Curve;
        if (overrides != null)
        {
            var active = overrides.ActiveAt(utc);
            if (active != null) return ApplyMin(active.Level, _min[i]);
        }
        return LevelOnTimeline(i, utc);
    }

    /// <summary>What the calendar alone commands at <paramref name="utc"/>.</summary>
    public float ScheduledLevelAt(long utc)
    {
        return LevelOnTimeline(Locate(utc), utc);
    }

    /// <summary>Fraction of full driver output (0–1): the level through the profile's dimming curve.</summary>
    public float OutputAt(long utc, OverrideSet? overrides)
    {
        float level = LevelAt(utc, overrides, out DimmingCurve curve);
        return DimmingCurves.ToOutput(level, curve);
    }

    /// <summary>The profile whose switch point is in control at <paramref name="utc"/>.</summary>
    public DimmingProfile ProfileAt(long utc)
    {
        return _schedule.Profiles[_profile[Locate(utc)]];
    }

    public DimmingCurve CurveAt(long utc)
    {
        return ProfileAt(utc).Curve;
    }

    /// <summary>Local day number (days since 1970-01-01) of the evening of the night containing <paramref name="utc"/>.</summary>
    public long NightOf(long utc)
    {
        long local = _zone.ToLocal(utc);
        long day = CivilTime.DayOf(local);
        return CivilTime.SecondOfDay(local) < Noon ? day - 1 : day;
    }

    /// <summary>
    /// Resolves the switch points of one night (named by its evening's local day number) into
    /// <paramref name="instants"/>/<paramref name="levels"/> in list order; returns the profile index.
    /// For previews and the cloud; the control loop uses the cached timeline.
    /// </summary>
    public int ResolveNight(long night, long[] instants, float[] levels, out int count)
    {
        int start = _count;
        int profile = AppendNight(night);
        count = _count - start;
        for (int k = 0; k < count; k++)
        {
            instants[k] = _at[start + k];
            levels[k] = _target[start + k];
        }
        _count = start;
        return profile;
    }

    /// <summary>Local day number of the given civil date (helper for callers naming a night by date).</summary>
    public static long Night(int year, int month, int day)
    {
        return CivilTime.DaysFromCivil(year, month, day);
    }

    /// <summary>Instants where the night of <paramref name="night"/> begins and ends (local noon to noon).</summary>
    public void NightBounds(long night, out long startUtc, out long endUtc)
    {
        startUtc = _zone.ToUtc(night * CivilTime.SecondsPerDay + Noon);
        endUtc = _zone.ToUtc((night + 1) * CivilTime.SecondsPerDay + Noon);
    }

    // ---- the timeline ---------------------------------------------------------------------------

    /// <summary>Index of the timeline entry in control at <paramref name="utc"/> (rebuilding once a night).</summary>
    private int Locate(long utc)
    {
        long night = NightOf(utc);
        if (night != _night) Build(night);
        int found = 0; // the oldest night's points always precede the current night's noon
        for (int i = 0; i < _count; i++)
        {
            if (_at[i] <= utc) found = i;
            else break;
        }
        return found;
    }

    private float LevelOnTimeline(int i, long utc)
    {
        return ApplyMin(ValueAt(i, utc), _min[i]);
    }

    /// <summary>Level of entry <paramref name="i"/> at <paramref name="utc"/>, mid-fade if the fade is still running.</summary>
    private float ValueAt(int i, long utc)
    {
        int fade = _fade[i];
        long elapsed = utc - _at[i];
        if (fade <= 0 || elapsed >= fade) return _target[i];
        if (elapsed <= 0) return _start[i];
        return _start[i] + (_target[i] - _start[i]) * ((float)elapsed / fade);
    }

    private static float ApplyMin(float level, float min)
    {
        return level > 0 && level < min ? min : level;
    }

    private void Build(long night)
    {
        _count = 0;
        for (long n = night - 2; n <= night + 1; n++) AppendNight(n);
        // Points of neighbouring nights may interleave (offsets, the spring-forward night): order by
        // instant, keeping list order on ties (insertion sort is stable).
        for (int i = 1; i < _count; i++)
        {
            long at = _at[i];
            float target = _target[i];
            int fade = _fade[i];
            float min = _min[i];
            int profile = _profile[i];
            int j = i - 1;
            while (j >= 0 && _at[j] > at)
            {
                _at[j + 1] = _at[j];
                _target[j + 1] = _target[j];
                _fade[j + 1] = _fade[j];
                _min[j + 1] = _min[j];
                _profile[j + 1] = _profile[j];
                j--;
            }
            _at[j + 1] = at;
            _target[j + 1] = target;
            _fade[j + 1] = fade;
            _min[j + 1] = min;
            _profile[j + 1] = profile;
        }
        // Where each fade starts from: wherever the previous point had brought the light by then.
        if (_count > 0) _start[0] = _target[0];
        for (int i = 1; i < _count; i++) _start[i] = ValueAt(i - 1, _at[i]);
        _night = night;
    }

    /// <summary>Appends the resolved points of one night to the timeline arrays; returns its profile index.</summary>
    private int AppendNight(long night)
    {
        CivilTime.CivilFromDays(night, out int y, out int m, out int d);
        int profileIndex = _schedule.ProfileIndexFor(y, m, d);
        var profile = _schedule.Profiles[profileIndex];

        SunClock.Compute(_latitude, _longitude, y, m, d, _evening);
        CivilTime.CivilFromDays(night + 1, out int y2, out int m2, out int d2);
        SunClock.Compute(_latitude, _longitude, y2, m2, d2, _morning);
        // The sun clock fills in stand-ins where an event is missing: solar noon in polar night (so the
        // night lasts through the day), the solar midnight where the sun never goes down.
        long sunset = _evening.SunsetUtc;
        long sunrise = _morning.SunriseUtc;
        long virtualMidnight = sunset + (sunrise - sunset) / 2;

        if (IsDarkless(_evening, _morning))
        {
            // Midnight sun: there is no dark to light. One point keeps the lamp off for the night.
            _at[_count] = sunset;
            _target[_count] = 0;
            _fade[_count] = 0;
            _min[_count] = profile.MinLevel;
            _profile[_count] = profileIndex;
            _count++;
            return profileIndex;
        }

        for (int k = 0; k < profile.Points.Length; k++)
        {
            var p = profile.Points[k];
            long at;
            switch (p.Trigger)
            {
                case SwitchTrigger.Sunset: at = sunset + p.Offset; break;
                case SwitchTrigger.Sunrise: at = sunrise + p.Offset; break;
                case SwitchTrigger.VirtualMidnight: at = virtualMidnight + p.Offset; break;
                default:
                    long day = p.TimeOfDay >= Noon ? night : night + 1;
                    at = _zone.ToUtc(day * CivilTime.SecondsPerDay + p.TimeOfDay);
                    break;
            }
            _at[_count] = at;
            _target[_count] = ApplyMin(p.Level, profile.MinLevel);
            _fade[_count] = p.FadeSeconds;
            _min[_count] = profile.MinLevel;
            _profile[_count] = profileIndex;
            _count++;
        }
        return profileIndex;
    }

    /// <summary>True when the sun stays up through the solar midnight between evening and morning.</summary>
    private static bool IsDarkless(SunTimes evening, SunTimes morning)
    {
        return (evening.Kind != SunDayKind.PolarNight && !evening.HasSunset)
            || (morning.Kind != SunDayKind.PolarNight && !morning.HasSunrise);
    }
}
