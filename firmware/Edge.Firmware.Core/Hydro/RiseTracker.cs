namespace Edge.Firmware.Hydro;

/// <summary>
/// Remembers recent accepted levels (a fixed ring) and answers "how much has the level risen within
/// the rate-of-rise window?". Samples closer together than the fast interval thin themselves out (the
/// newest replaces its predecessor), so the ring always spans the window even when samples arrive
/// faster than the node would take them. When the only older sample lies before the window (calm
/// sampling), its rise is scaled to the window.
/// </summary>
internal sealed class RiseTracker
{
    public const int MaxEntries = 64;

    private readonly GaugeConfig _config;
    private readonly long[] _time;
    private readonly int[] _level;
    private int _start;
    private int _count;

    public RiseTracker(GaugeConfig config)
    {
        _config = config;
        int capacity = config.RiseWindowS / config.FastIntervalS + 3;
        if (capacity > MaxEntries) capacity = MaxEntries;
        _time = new long[capacity];
        _level = new int[capacity];
    }

    /// <summary>The largest rise (mm) of <paramref name="level"/> at <paramref name="now"/> over any remembered level within the window.</summary>
    public int RiseWithinWindow(long now, int level)
    {
        long window = _config.RiseWindowS;
        long best = 0;
        bool any = false;
        long newestBeforeWindowAge = long.MaxValue;
        int newestBeforeWindowLevel = 0;
        for (int i = 0; i < _count; i++)
        {
            int slot = (_start + i) % _time.Length;
            long age = now - _time[slot];
            if (age <= 0) continue;
            long rise;
            if (age <= window)
            {
                rise = level - _level[slot];
            }
            else
            {
                if (age < newestBeforeWindowAge)
                {
                    newestBeforeWindowAge = age;
                    newestBeforeWindowLevel = _level[slot];
                }
                continue;
            }
            if (!any || rise > best) best = rise;
            any = true;
        }
        if (newestBeforeWindowAge != long.MaxValue)
        {
            long scaled = (long)(level - newestBeforeWindowLevel) * window / newestBeforeWindowAge;
            if (!any || scaled > best) best = scaled;
            any = true;
        }
        if (!any) return 0;
        if (best > int.MaxValue) return int.MaxValue;
        if (best < int.MinValue) return int.MinValue;
        return (int)best;
    }

    public void Add(long now, int level)
    {
        int capacity = _time.Length;
        if (_count >= 2)
        {
            int newest = (_start + _count - 1) % capacity;
            int previous = (_start + _count - 2) % capacity;
            if (_time[newest] - _time[previous] < _config.FastIntervalS)
            {
                _time[newest] = now;
                _level[newest] = level;
                return;
            }
        }
        if (_count == capacity)
        {
            _start = (_start + 1) % capacity;
            _count--;
        }
        int slot = (_start + _count) % capacity;
        _time[slot] = now;
        _level[slot] = level;
        _count++;
    }

    /// <summary>Moves every remembered level by <paramref name="mm"/> (a new level basis; the rise is unchanged).</summary>
    public void Shift(int mm)
    {
        for (int i = 0; i < _level.Length; i++) _level[i] += mm;
    }

    /// <summary>Saves entries oldest first as (seconds before <paramref name="reference"/>, level).</summary>
    public int Save(byte[] b, int p, long reference)
    {
        p = RecordCodec.PutByte(b, p, _count);
        for (int i = 0; i < _count; i++)
        {
            int slot = (_start + i) % _time.Length;
            p = RecordCodec.PutInt(b, p, (int)(reference - _time[slot]));
            p = RecordCodec.PutInt(b, p, _level[slot]);
        }
        return p;
    }

    public int Load(byte[] b, int p, long reference)
    {
        int stored = b[p++];
        // A config with a shorter ring keeps the newest entries.
        int skip = stored > _time.Length ? stored - _time.Length : 0;
        _start = 0;
        _count = 0;
        for (int i = 0; i < stored; i++)
        {
            if (i >= skip)
            {
                _time[_count] = reference - RecordCodec.GetInt(b, p);
                _level[_count] = RecordCodec.GetInt(b, p + 4);
                _count++;
            }
            p += 8;
        }
        return p;
    }

    public static int MaxSavedBytes { get { return 1 + MaxEntries * 8; } }
}
