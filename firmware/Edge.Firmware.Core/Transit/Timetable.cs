namespace Edge.Firmware.Transit;

/// <summary>
/// The stop's scheduled departures for today and tomorrow, kept on the node so the sign stays useful
/// when live data stops (parsed by <see cref="TimetableParser"/>). Departures are stored as UTC
/// instants in ascending order, computed from each service day's local date, time and UTC offset.
/// </summary>
public sealed class Timetable
{
    public const int MaxDays = 2;
    public const int MaxDepartures = 400;

    internal Timetable(long version, BilingualText stopName, long[] dayStarts, int[] dayOffsets, Arrival[] departures)
    {
        Version = version;
        StopName = stopName;
        _dayStarts = dayStarts;
        _dayOffsets = dayOffsets;
        Departures = departures;
    }

    private readonly long[] _dayStarts;
    private readonly int[] _dayOffsets;

    public long Version { get; }

    public BilingualText StopName { get; }

    /// <summary>Scheduled departures (Realtime = false), ascending by time.</summary>
    public Arrival[] Departures { get; }

    /// <summary>Index of the first departure at or after <paramref name="utc"/> (binary search).</summary>
    public int FirstAtOrAfter(long utc)
    {
        int lo = 0;
        int hi = Departures.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (Departures[mid].At < utc) lo = mid + 1;
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
