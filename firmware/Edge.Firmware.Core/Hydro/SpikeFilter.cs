namespace Edge.Firmware.Hydro;

/// <summary>
/// Holds back a level that jumped faster than water plausibly moves (a bird, a wave of spray, a leaf
/// on the sensor) until the next sample(s) agree with it. What counts as plausible is the configured
/// rate over the time since the last sample, but never over more than one fast sampling interval: a
/// calm node wakes only every 15 minutes, and letting a 15-minute allowance through would let a bird
/// raise a warning. A held jump costs one fast interval of delay, because the gauge samples fast while
/// something is held.
/// </summary>
internal sealed class SpikeFilter
{
    private readonly GaugeConfig _config;

    private bool _hasLevel;
    private int _level;
    private long _levelTime;
    private bool _hasPending;
    private int _pendingLevel;
    private long _pendingTime;
    private int _pendingSamples;

    public SpikeFilter(GaugeConfig config)
    {
        _config = config;
    }

    public bool HasLevel { get { return _hasLevel; } }
    public int Level { get { return _level; } }
    public long LevelTime { get { return _levelTime; } }
    public bool HasPending { get { return _hasPending; } }

    /// <summary>Judges a new level; a refuted held jump is counted as <see cref="RejectReason.Spike"/> per held sample.</summary>
    public SampleOutcome Judge(long now, int level, long[] rejected)
    {
        if (!_hasLevel || Plausible(_level, _levelTime, now, level))
        {
            if (_hasPending) rejected[(int)RejectReason.Spike] += _pendingSamples;
            _hasPending = false;
            return Accept(now, level);
        }
        if (_hasPending && Plausible(_pendingLevel, _pendingTime, now, level))
        {
            _pendingSamples++;
            _pendingLevel = level;
            _pendingTime = now;
            if (_pendingSamples > _config.SpikeConfirmSamples)
            {
                _hasPending = false;
                return Accept(now, level);
            }
            return SampleOutcome.Held;
        }
        if (_hasPending) rejected[(int)RejectReason.Spike] += _pendingSamples;
        _hasPending = true;
        _pendingLevel = level;
        _pendingTime = now;
        _pendingSamples = 1;
        return SampleOutcome.Held;
    }

    private SampleOutcome Accept(long now, int level)
    {
        _hasLevel = true;
        _level = level;
        _levelTime = now;
        return SampleOutcome.Accepted;
    }

    private bool Plausible(int fromLevel, long fromTime, long now, int level)
    {
        long elapsed = now - fromTime;
        if (elapsed > _config.FastIntervalS) elapsed = _config.FastIntervalS;
        if (elapsed < 1) elapsed = 1;
        long allowed = (long)_config.SpikeMaxRateMmPerMin * elapsed / 60;
        long change = level - fromLevel;
        if (change < 0) change = -change;
        return change <= allowed;
    }

    public int Save(byte[] b, int p)
    {
        p = RecordCodec.PutByte(b, p, (_hasLevel ? 1 : 0) | (_hasPending ? 2 : 0));
        p = RecordCodec.PutInt(b, p, _level);
        p = RecordCodec.PutLong(b, p, _levelTime);
        p = RecordCodec.PutInt(b, p, _pendingLevel);
        p = RecordCodec.PutLong(b, p, _pendingTime);
        return RecordCodec.PutInt(b, p, _pendingSamples);
    }

    public int Load(byte[] b, int p)
    {
        int flags = b[p++];
        _hasLevel = (flags & 1) != 0;
        _hasPending = (flags & 2) != 0;
        _level = RecordCodec.GetInt(b, p); p += 4;
        _levelTime = RecordCodec.GetLong(b, p); p += 8;
        _pendingLevel = RecordCodec.GetInt(b, p); p += 4;
        _pendingTime = RecordCodec.GetLong(b, p); p += 8;
        _pendingSamples = RecordCodec.GetInt(b, p);
        return p + 4;
    }
}
