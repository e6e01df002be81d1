namespace Edge.Firmware.Hydro;

/// <summary>
/// Holds back a level that jumped faster than water plausibly moves (a bird, a wave of spray, a leaf
/// on the sensor) until the next sample(s) show whether it was real. What counts as plausible is the
/// configured rate over the time since the last accepted sample, but never over more than one fast
/// sampling interval: a calm node wakes only every 15 minutes, and letting a 15-minute allowance through
/// would let a bird raise a warning.
/// <para>
/// A bird is one odd sample that goes away; a flood is a departure that persists and moves one way. So a
/// held jump is confirmed by the following samples when each stays beyond the allowance on the same side
/// of the last accepted level and does not come back from the previous held sample by more than the
/// allowance: it agrees with it, or it moved further away (rising or falling consistently), though by no more
/// than twice the run's previous step rate plus the allowance (a bird or spray right after a held sample of a
/// real rise leaps far beyond that). A steady rise of any speed is thus confirmed
/// <c>spike.confirmSamples</c> fast intervals after it is first seen.
/// Comparing each sample only with the previous held one (the old rule) held a rise faster than the
/// allowance sample after sample until the crest.
/// </para>
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
    private int _pendingRate; // mm per minute of the newest held step (elapsed capped at one fast interval)

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
        if (_hasPending && ContinuesDeparture(now, level))
        {
            _pendingRate = RatePerMinute(_pendingLevel, _pendingTime, now, level);
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
        _pendingRate = RatePerMinute(_level, _levelTime, now, level);
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

    /// <summary>
    /// True when an implausible <paramref name="level"/> lies on the same side of the accepted level as
    /// the held one and has not come back from it by more than the allowance. (Both are beyond the
    /// allowance from the accepted level, so neither equals it.)
    /// </summary>
    private bool ContinuesDeparture(long now, int level)
    {
        bool heldAbove = _pendingLevel > _level;
        if ((level > _level) != heldAbove) return false;
        long away = heldAbove ? (long)level - _pendingLevel : (long)_pendingLevel - level;
        long allowed = Allowed(_pendingTime, now);
        if (away < -allowed) return false;
        // Moving on, but not in a leap: at most twice the held run's last step rate (plus the allowance).
        // A bird or spray right after a held sample of a real rise jumps far beyond that; the water does not.
        return away <= 2L * _pendingRate * CappedElapsed(_pendingTime, now) / 60 + allowed;
    }

    private int RatePerMinute(int fromLevel, long fromTime, long now, int level)
    {
        long change = level - fromLevel;
        if (change < 0) change = -change;
        long rate = change * 60 / CappedElapsed(fromTime, now);
        return rate > int.MaxValue ? int.MaxValue : (int)rate;
    }

    private bool Plausible(int fromLevel, long fromTime, long now, int level)
    {
        long change = level - fromLevel;
        if (change < 0) change = -change;
        return change <= Allowed(fromTime, now);
    }

    /// <summary>How far water may plausibly move since <paramref name="fromTime"/>, capped at one fast interval.</summary>
    private long Allowed(long fromTime, long now)
    {
        return (long)_config.SpikeMaxRateMmPerMin * CappedElapsed(fromTime, now) / 60;
    }

    private long CappedElapsed(long fromTime, long now)
    {
        long elapsed = now - fromTime;
        if (elapsed > _config.FastIntervalS) elapsed = _config.FastIntervalS;
        if (elapsed < 1) elapsed = 1;
        return elapsed;
    }

    /// <summary>Moves the accepted and the held level by <paramref name="mm"/> (a new level basis; the water did not move).</summary>
    public void Shift(int mm)
    {
        _level += mm;
        _pendingLevel += mm;
    }

    public int Save(byte[] b, int p)
    {
        p = RecordCodec.PutByte(b, p, (_hasLevel ? 1 : 0) | (_hasPending ? 2 : 0));
        p = RecordCodec.PutInt(b, p, _level);
        p = RecordCodec.PutLong(b, p, _levelTime);
        p = RecordCodec.PutInt(b, p, _pendingLevel);
        p = RecordCodec.PutLong(b, p, _pendingTime);
        p = RecordCodec.PutInt(b, p, _pendingSamples);
        return RecordCodec.PutInt(b, p, _pendingRate);
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
        _pendingSamples = RecordCodec.GetInt(b, p); p += 4;
        _pendingRate = RecordCodec.GetInt(b, p);
        return p + 4;
    }
}
