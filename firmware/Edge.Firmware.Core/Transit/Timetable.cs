namespace Edge.Firmware.Transit;

/// <summary>
/// The stop's scheduled departures for today and tomorrow, kept on the node so the sign stays useful
/// when live data stops (parsed by <see cref="TimetableParser"/>). Departures are UTC instants in ascending
/// order, computed from each service day's local date, time and UTC offset.
/// <para>
/// Kept compact for a small heap (hardware/heap.md): per departure only its time (seconds after the first
/// service day's start) and the index of its route and of its headsign among the document's few distinct
/// ones, about 6 bytes instead of an object of 72. <see cref="Fill"/> decodes just the rows a render shows
/// into objects the display owns.
/// </para>
/// </summary>
public sealed class Timetable
{
    public const int MaxDays = 2;
    public const int MaxDepartures = 400;
    /// <summary>Distinct routes, and distinct headsigns, one document may name (each indexed by a byte).</summary>
    public const int MaxDistinct = 255;

    private readonly long[] _dayStarts;
    private readonly int[] _dayOffsets;
    private readonly long _base;
    private readonly int[] _after;
    private readonly byte[] _route;
    private readonly byte[] _headsign;
    private readonly string[] _routes;
    private readonly BilingualText[] _headsigns;

    internal Timetable(long version, BilingualText stopName, long[] dayStarts, int[] dayOffsets, long baseUtc,
        int[] after, byte[] route, byte[] headsign, string[] routes, BilingualText[] headsigns)
    {
        Version = version;
        StopName = stopName;
        _dayStarts = dayStarts;
        _dayOffsets = dayOffsets;
        _base = baseUtc;
        _after = after;
        _route = route;
        _headsign = headsign;
        _routes = routes;
        _headsigns = headsigns;
    }

    public long Version { get; }

    public BilingualText StopName { get; }

    /// <summary>How many departures the timetable holds.</summary>
    public int Count { get { return _after.Length; } }

    /// <summary>Departure <paramref name="i"/> (UTC seconds).</summary>
    public long AtOf(int i) { return _base + _after[i]; }

    /// <summary>Writes departure <paramref name="i"/> into <paramref name="row"/> (scheduled, not cancelled); allocates nothing.</summary>
    public void Fill(int i, Arrival row)
    {
        row.Set(_routes[_route[i]], _headsigns[_headsign[i]], _base + _after[i], false, false);
    }

    /// <summary>
    /// All departures as new objects (Realtime = false), ascending by time: for hosts and tests, never on a
    /// device's loop (it allocates one object per departure).
    /// </summary>
    public Arrival[] Departures
    {
        get
        {
            var all = new Arrival[_after.Length];
            for (int i = 0; i < all.Length; i++) all[i] = new Arrival(_routes[_route[i]], _headsigns[_headsign[i]], AtOf(i), false, false);
            return all;
        }
    }

    /// <summary>Index of the first departure at or after <paramref name="utc"/> (binary search).</summary>
    public int FirstAtOrAfter(long utc)
    {
        int lo = 0;
        int hi = _after.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (_base + _after[mid] < utc) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>UTC offset of the service day that contains <paramref name="utc"/>, or false if none does.</summary>
    public bool TryGetOffset(long utc, out int offsetSeconds)
    {
        for (int i = _dayStarts.Length - 1; i >= 0; i--)
        {
            if (utc >= _dayStarts[i])
            {
                offsetSeconds = _dayOffsets[i];
                return utc < _dayStarts[i] + 2 * Time.CivilTime.SecondsPerDay;
            }
        }
        offsetSeconds = 0;
        return false;
    }
}
