using Edge.Firmware.Runtime;

namespace Edge.Firmware.Hydro;

/// <summary>
/// The water-level node's brain. Each wake the node calls <see cref="Sample"/> (or <see cref="Submit"/>
/// with a burst it read itself), reports any events, publishes telemetry, then deep-sleeps until
/// <see cref="NextSampleAt"/>. A sample goes: burst → gross-range filter and median
/// (<see cref="BurstReducer"/>) → sensor-absent and stuck checks → spike filter
/// (<see cref="SpikeFilter"/>) → level → flood state (<see cref="FloodStateMachine"/>) and
/// rate-of-rise (<see cref="RiseTracker"/>). Everything the next sample depends on is written to
/// <see cref="IStorage"/> after every sample and restored by the constructor, so a reboot between
/// samples changes nothing. Nothing here allocates after construction.
/// </summary>
public sealed class Gauge
{
    public const string StorageKey = "hydro.gauge";
    private const byte RecordMagic = (byte)'H';
    // 2: the spike filter keeps its held run's step rate; 3: the level basis the saved levels were computed on.
    private const byte RecordVersion = 3;
    private const int RejectReasonCount = 6;

    private readonly GaugeConfig _config;
    private readonly IStorage _storage;
    private readonly IGaugeEvents _events;
    private readonly BurstReducer _burst;
    private readonly SpikeFilter _spike;
    private readonly FloodStateMachine _states;
    private readonly RiseTracker _rise;
    private readonly int[] _readings;
    private readonly long[] _rejected = new long[RejectReasonCount];
    private readonly long[] _secondsInState = new long[4];
    // 218 bytes of fixed fields and the checksum, then at most RiseTracker.MaxSavedBytes.
    private readonly byte[] _record = new byte[256 + RiseTracker.MaxSavedBytes];

    private SensorHealth _health = SensorHealth.Ok;
    private bool _rateActive;
    private int _lastRise;
    private bool _hasSampled;
    private long _lastSampleAt;
    private long _nextSampleAt;
    private long _sampleCount;
    private long _acceptedCount;
    private int _maxLevel;
    private long _maxLevelAt;
    private int _absentRun;
    private bool _hasStuckReference;
    private int _stuckDistance;
    private long _stuckSince;
    private int _batteryMv;
    private float _daysRemaining = -1;

    public Gauge(GaugeConfig config, IStorage storage, IGaugeEvents events)
    {
        _config = config;
        _storage = storage;
        _events = events;
        _burst = new BurstReducer(config);
        _spike = new SpikeFilter(config);
        _states = new FloodStateMachine(config, events);
        _rise = new RiseTracker(config);
        _readings = new int[config.BurstSize];
        Restored = Restore();
    }

    public GaugeConfig Config { get { return _config; } }

    /// <summary>Whether the constructor found and restored a saved state.</summary>
    public bool Restored { get; }

    public FloodState State { get { return _states.State; } }
    public long StateSince { get { return _states.Since; } }
    public bool HasLevel { get { return _spike.HasLevel; } }
    public int LevelMm { get { return _spike.Level; } }
    public long LevelTime { get { return _spike.LevelTime; } }
    public bool RateOfRiseActive { get { return _rateActive; } }

    /// <summary>The rise within the rate-of-rise window at the last accepted sample (negative when falling).</summary>
    public int RiseMm { get { return _lastRise; } }

    public SensorHealth Health { get { return _health; } }

    /// <summary>When the node should take its next sample (Unix seconds, UTC); 0 before the first.</summary>
    public long NextSampleAt { get { return _nextSampleAt; } }

    public long LastSampleAt { get { return _lastSampleAt; } }
    public bool IsSamplingFast { get { return _hasSampled && _nextSampleAt - _lastSampleAt == _config.FastIntervalS; } }
    public long SampleCount { get { return _sampleCount; } }
    public long AcceptedCount { get { return _acceptedCount; } }
    public int MaxLevelMm { get { return _maxLevel; } }
    public long MaxLevelAt { get { return _maxLevelAt; } }
    public int BatteryMillivolts { get { return _batteryMv; } }

    /// <summary>Estimated days of battery left at the current sampling interval; -1 when unknown.</summary>
    public float EstimatedDaysRemaining { get { return _daysRemaining; } }

    /// <summary>Rejected readings (NoEcho, TooClose, TooFar) or samples (the other reasons) so far.</summary>
    public long Rejected(RejectReason reason) { return _rejected[(int)reason]; }

    /// <summary>Seconds spent in <paramref name="state"/>, counted from one sample to the next.</summary>
    public long SecondsInState(FloodState state) { return _secondsInState[(int)state]; }

    /// <summary>Reads a burst of <see cref="GaugeConfig.BurstSize"/> readings from the sensor and submits it.</summary>
    public SampleOutcome Sample(long now, IDistanceSensor sensor)
    {
        for (int i = 0; i < _readings.Length; i++) _readings[i] = sensor.ReadDistanceMm();
        return Submit(now, _readings, _readings.Length);
    }

    /// <summary>Processes one sample: the first <paramref name="count"/> raw readings of a burst taken at <paramref name="now"/>.</summary>
    public SampleOutcome Submit(long now, int[] readings, int count)
    {
        if (_hasSampled && now > _lastSampleAt) _secondsInState[(int)_states.State] += now - _lastSampleAt;
        _hasSampled = true;
        _lastSampleAt = now;
        _sampleCount++;
        SampleOutcome outcome = Process(now, readings, count);
        _nextSampleAt = now + (ShouldSampleFast() ? _config.FastIntervalS : _config.CalmIntervalS);
        Save();
        return outcome;
    }

    /// <summary>Records the battery voltage measured this wake and re-estimates the days remaining.</summary>
    public void UpdateBattery(int millivolts)
    {
        _batteryMv = millivolts;
        int interval = _hasSampled ? (int)(_nextSampleAt - _lastSampleAt) : _config.CalmIntervalS;
        _daysRemaining = BatteryEstimator.DaysRemaining(_config, millivolts, interval);
    }

    private SampleOutcome Process(long now, int[] readings, int count)
    {
        int distance = _burst.Reduce(readings, count, _rejected);
        if (distance == BurstReducer.NoDistance)
        {
            _rejected[(int)RejectReason.TooFewReadings]++;
            // Only silence means absent; a burst of blind-zone readings is something in front of the sensor.
            if (_burst.LastNoEchoCount > count / 2)
            {
                _absentRun++;
                if (_absentRun >= _config.AbsentAfterSamples) SetHealth(now, SensorHealth.Absent);
            }
            return SampleOutcome.Rejected;
        }
        _absentRun = 0;
        if (IsStuck(now, distance))
        {
            _rejected[(int)RejectReason.Stuck]++;
            SetHealth(now, SensorHealth.Stuck);
            return SampleOutcome.Rejected;
        }
        SetHealth(now, SensorHealth.Ok);

        int level = _config.LevelFromDistance(distance);
        SampleOutcome outcome = _spike.Judge(now, level, _rejected);
        if (outcome == SampleOutcome.Accepted) Accept(now, level);
        return outcome;
    }

    private void Accept(long now, int level)
    {
        _acceptedCount++;
        if (_acceptedCount == 1 || level > _maxLevel)
        {
            _maxLevel = level;
            _maxLevelAt = now;
        }
        _lastRise = _rise.RiseWithinWindow(now, level);
        _rise.Add(now, level);
        _states.Update(now, level);
        if (!_rateActive && _lastRise >= _config.RiseMm)
        {
            _rateActive = true;
            _events.RateOfRiseChanged(now, true, _lastRise, level);
        }
        else if (_rateActive && _lastRise <= _config.RiseClearMm)
        {
            _rateActive = false;
            _events.RateOfRiseChanged(now, false, _lastRise, level);
        }
    }

    /// <summary>
    /// True once the sensor has reported the very same distance for the stuck window. Real water
    /// surfaces ripple by millimetres; a frozen output, a web or an object on the sensor does not.
    /// </summary>
    private bool IsStuck(long now, int distance)
    {
        if (_config.StuckWindowS == 0) return false;
        if (_hasStuckReference && distance == _stuckDistance) return now - _stuckSince >= _config.StuckWindowS;
        _hasStuckReference = true;
        _stuckDistance = distance;
        _stuckSince = now;
        return false;
    }

    private void SetHealth(long now, SensorHealth health)
    {
        if (health == _health) return;
        SensorHealth from = _health;
        _health = health;
        _events.SensorHealthChanged(now, from, health);
    }

    /// <summary>Fast while anything is happening: at/above watch, rising, rate-of-rise alarm, or a jump awaiting confirmation.</summary>
    private bool ShouldSampleFast()
    {
        return _states.State != FloodState.Normal || _rateActive || _lastRise >= _config.RisingMm || _spike.HasPending;
    }

    // ---- persistence -----------------------------------------------------------------------------

    private void Save()
    {
        byte[] b = _record;
        int p = 0;
        p = RecordCodec.PutByte(b, p, RecordMagic);
        p = RecordCodec.PutByte(b, p, RecordVersion);
        p = RecordCodec.PutByte(b, p, (int)_health);
        p = RecordCodec.PutByte(b, p, (_rateActive ? 1 : 0) | (_hasSampled ? 2 : 0) | (_hasStuckReference ? 4 : 0));
        p = RecordCodec.PutInt(b, p, _config.LevelBasisMm);
        p = RecordCodec.PutInt(b, p, _lastRise);
        p = RecordCodec.PutLong(b, p, _lastSampleAt);
        p = RecordCodec.PutLong(b, p, _nextSampleAt);
        p = RecordCodec.PutLong(b, p, _sampleCount);
        p = RecordCodec.PutLong(b, p, _acceptedCount);
        p = RecordCodec.PutInt(b, p, _maxLevel);
        p = RecordCodec.PutLong(b, p, _maxLevelAt);
        p = RecordCodec.PutInt(b, p, _absentRun);
        p = RecordCodec.PutInt(b, p, _stuckDistance);
        p = RecordCodec.PutLong(b, p, _stuckSince);
        for (int i = 0; i < RejectReasonCount; i++) p = RecordCodec.PutLong(b, p, _rejected[i]);
        for (int i = 0; i < 4; i++) p = RecordCodec.PutLong(b, p, _secondsInState[i]);
        p = _spike.Save(b, p);
        p = _states.Save(b, p);
        p = _rise.Save(b, p, _lastSampleAt);
        int check = RecordCodec.Fletcher16(b, 0, p);
        p = RecordCodec.PutByte(b, p, check);
        p = RecordCodec.PutByte(b, p, check >> 8);
        _storage.Write(StorageKey, b, p);
    }

    /// <summary>Loads the saved state; false (fresh start) when there is none or it is unreadable.</summary>
    private bool Restore()
    {
        byte[] b = _record;
        int length = _storage.Read(StorageKey, b);
        if (length < 4 || length > b.Length || b[0] != RecordMagic || (b[1] != RecordVersion && b[1] != 2)) return false;
        int check = RecordCodec.Fletcher16(b, 0, length - 2);
        if (b[length - 2] != (byte)check || b[length - 1] != (byte)(check >> 8)) return false;
        int p = 2;
        int health = b[p++];
        _health = health <= 2 ? (SensorHealth)health : SensorHealth.Ok;
        int flags = b[p++];
        _rateActive = (flags & 1) != 0;
        _hasSampled = (flags & 2) != 0;
        _hasStuckReference = (flags & 4) != 0;
        // A new mounting height or datum moves every level by the same amount while the water stays where it is:
        // the saved levels move with it, so the spike filter does not hold the first sample on the new basis as a
        // jump (a record of version 2 was saved on the basis of the config it is restored with).
        int shift = 0;
        if (b[1] == RecordVersion) { shift = _config.LevelBasisMm - RecordCodec.GetInt(b, p); p += 4; }
        _lastRise = RecordCodec.GetInt(b, p); p += 4;
        _lastSampleAt = RecordCodec.GetLong(b, p); p += 8;
        _nextSampleAt = RecordCodec.GetLong(b, p); p += 8;
        _sampleCount = RecordCodec.GetLong(b, p); p += 8;
        _acceptedCount = RecordCodec.GetLong(b, p); p += 8;
        _maxLevel = RecordCodec.GetInt(b, p); p += 4;
        _maxLevelAt = RecordCodec.GetLong(b, p); p += 8;
        _absentRun = RecordCodec.GetInt(b, p); p += 4;
        _stuckDistance = RecordCodec.GetInt(b, p); p += 4;
        _stuckSince = RecordCodec.GetLong(b, p); p += 8;
        for (int i = 0; i < RejectReasonCount; i++) { _rejected[i] = RecordCodec.GetLong(b, p); p += 8; }
        for (int i = 0; i < 4; i++) { _secondsInState[i] = RecordCodec.GetLong(b, p); p += 8; }
        p = _spike.Load(b, p);
        p = _states.Load(b, p);
        _rise.Load(b, p, _lastSampleAt);
        if (shift != 0)
        {
            _spike.Shift(shift);
            _rise.Shift(shift);
            if (_hasSampled) _maxLevel += shift;
        }
        return true;
    }
}
