namespace Edge.Firmware.Hydro;

/// <summary>
/// Turns one burst of raw readings into one distance: drops readings that cannot be water (no echo,
/// inside the blind zone, beyond the bed or the sensor's range), counting each by reason, and takes the
/// median of the rest — a single ripple, raindrop or stray echo cannot move a median. Needs a majority
/// of valid readings. Works in a preallocated array.
/// </summary>
internal sealed class BurstReducer
{
    public const int NoDistance = -1;

    private readonly GaugeConfig _config;
    private readonly int[] _valid = new int[GaugeConfig.MaxBurstSize];

    public BurstReducer(GaugeConfig config)
    {
        _config = config;
    }

    /// <summary>How many readings of the last burst were no-echo.</summary>
    public int LastNoEchoCount { get; private set; }

    /// <summary>The median valid distance, or <see cref="NoDistance"/> if valid readings were not a majority.</summary>
    public int Reduce(int[] readings, int count, long[] rejected)
    {
        if (count > _valid.Length) count = _valid.Length;
        int farthest = _config.FarthestPlausibleDistanceMm;
        int valid = 0;
        int noEcho = 0;
        for (int i = 0; i < count; i++)
        {
            int r = readings[i];
            if (r <= 0 || r == _config.NoEchoMm)
            {
                noEcho++;
                rejected[(int)RejectReason.NoEcho]++;
            }
            else if (r < _config.SensorMinRangeMm)
            {
                rejected[(int)RejectReason.TooClose]++;
            }
            else if (r > farthest)
            {
                rejected[(int)RejectReason.TooFar]++;
            }
            else
            {
                // Insertion sort as we go: at most 15 values.
                int j = valid++;
                while (j > 0 && _valid[j - 1] > r)
                {
                    _valid[j] = _valid[j - 1];
                    j--;
                }
                _valid[j] = r;
            }
        }
        LastNoEchoCount = noEcho;
        if (count == 0 || valid <= count / 2) return NoDistance;
        if ((valid & 1) == 1) return _valid[valid / 2];
        return (_valid[valid / 2 - 1] + _valid[valid / 2]) / 2;
    }
}
