namespace Edge.Firmware.Lighting;

/// <summary>What one reading says about one fault.</summary>
internal enum FaultEvidence
{
    /// <summary>The reading cannot tell (lamp not commanded into the state the check needs, no supply, …).</summary>
    Unknown = 0,
    Healthy = 1,
    Faulty = 2,
}

/// <summary>
/// Debounces one fault: it changes state only after every reading for a confirmation time has said
/// so. A reading that cannot tell keeps the state and restarts the confirmation, so a fault is cleared
/// only on positive evidence (a dead lamp is not "cleared" every morning because it is commanded off).
/// </summary>
internal sealed class FaultConfirmation
{
    private readonly long _confirmSeconds;
    private bool _pending;
    private long _pendingSince;

    public FaultConfirmation(int confirmSeconds)
    {
        _confirmSeconds = confirmSeconds;
    }

    public bool Active;

    /// <summary>When the last change was first seen (start of its confirmation period).</summary>
    public long ChangedAtUtc;

    /// <summary>Feeds one reading's evidence; returns true when <see cref="Active"/> changed.</summary>
    public bool Observe(FaultEvidence evidence, long nowUtc)
    {
        if (evidence == FaultEvidence.Unknown || (evidence == FaultEvidence.Faulty) == Active)
        {
            _pending = false;
            return false;
        }
        if (!_pending)
        {
            _pending = true;
            _pendingSince = nowUtc;
        }
        if (nowUtc - _pendingSince < _confirmSeconds)
            return false;
        Active = !Active;
        ChangedAtUtc = _pendingSince;
        _pending = false;
        return true;
    }

    /// <summary>Forgets a change being confirmed (after a gap in the readings); keeps the state.</summary>
    public void Restart()
    {
        _pending = false;
    }
}
