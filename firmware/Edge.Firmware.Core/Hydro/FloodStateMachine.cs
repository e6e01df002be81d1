namespace Edge.Firmware.Hydro;

/// <summary>
/// Normal → Watch → Warning → Alarm from accepted levels. Escalation happens on the first sample at or
/// above a threshold, straight to the highest state reached (a flood warning must never wait). A state
/// is left, one step at a time, only after the level has stayed below its threshold minus its
/// hysteresis for its dwell time, so noise around a threshold cannot make it flap.
/// </summary>
internal sealed class FloodStateMachine
{
    private const long Never = long.MinValue;

    private readonly GaugeConfig _config;
    private readonly IGaugeEvents _events;

    // Index = the state the threshold enters (1..3); [0] unused.
    private readonly int[] _enter = new int[4];
    private readonly int[] _release = new int[4];
    private readonly int[] _dwell = new int[4];
    private readonly long[] _belowReleaseSince = { Never, Never, Never, Never };

    private FloodState _state = FloodState.Normal;
    private long _since;

    public FloodStateMachine(GaugeConfig config, IGaugeEvents events)
    {
        _config = config;
        _events = events;
        for (int k = 1; k <= 3; k++)
        {
            ThresholdConfig t = config.Threshold((FloodState)k);
            _enter[k] = t.LevelMm;
            _release[k] = t.ReleaseLevelMm;
            _dwell[k] = t.DwellS;
        }
    }

    public FloodState State { get { return _state; } }

    /// <summary>When the current state was entered (Unix seconds; 0 if never changed).</summary>
    public long Since { get { return _since; } }

    public void Update(long now, int level)
    {
        for (int k = 1; k <= 3; k++)
        {
            if (level >= _release[k]) _belowReleaseSince[k] = Never;
            else if (_belowReleaseSince[k] == Never) _belowReleaseSince[k] = now;
        }

        int target = 0;
        for (int k = 3; k >= 1; k--)
        {
            if (level >= _enter[k]) { target = k; break; }
        }
        if (target > (int)_state)
        {
            Change(now, (FloodState)target, level, StateChangeReason.LevelReachedThreshold);
            return;
        }

        while (_state != FloodState.Normal)
        {
            long below = _belowReleaseSince[(int)_state];
            if (below == Never || now - below < _dwell[(int)_state]) break;
            Change(now, (FloodState)((int)_state - 1), level, StateChangeReason.LevelBelowReleaseForDwell);
        }
    }

    private void Change(long now, FloodState to, int level, StateChangeReason reason)
    {
        FloodState from = _state;
        _state = to;
        _since = now;
        _events.StateChanged(now, from, to, level, reason);
    }

    public int Save(byte[] b, int p)
    {
        p = RecordCodec.PutByte(b, p, (int)_state);
        p = RecordCodec.PutLong(b, p, _since);
        for (int k = 1; k <= 3; k++) p = RecordCodec.PutLong(b, p, _belowReleaseSince[k]);
        return p;
    }

    public int Load(byte[] b, int p)
    {
        int state = b[p++];
        _state = state <= 3 ? (FloodState)state : FloodState.Normal;
        _since = RecordCodec.GetLong(b, p); p += 8;
        for (int k = 1; k <= 3; k++) { _belowReleaseSince[k] = RecordCodec.GetLong(b, p); p += 8; }
        return p;
    }
}
