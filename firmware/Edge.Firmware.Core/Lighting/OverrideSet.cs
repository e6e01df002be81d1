using System;

namespace Edge.Firmware.Lighting;

/// <summary>
/// The overrides a node holds, in a fixed number of preallocated slots. When several are in force
/// the newest issued wins (ties: the one added last), so a later "back to 100 % for the ambulance"
/// beats an earlier "20 % for the festival fireworks" without cancelling it.
/// </summary>
public sealed class OverrideSet
{
    public const int Capacity = 8;

    private readonly LevelOverride[] _slots = new LevelOverride[Capacity];
    private long _sequence;

    /// <summary>Slot <paramref name="index"/> (0 … Capacity−1), in use or not; for persisting the set.</summary>
    public LevelOverride Slot(int index) { return _slots[index]; }

    public OverrideSet()
    {
        for (int i = 0; i < Capacity; i++) _slots[i] = new LevelOverride();
    }

    public int Count
    {
        get
        {
            int n = 0;
            for (int i = 0; i < Capacity; i++) if (_slots[i].InUse) n++;
            return n;
        }
    }

    /// <summary>
    /// Adds an override, or replaces the one with the same id. When all slots are taken, an expired
    /// one is reused first, then the oldest issued. Throws ArgumentException on an invalid override.
    /// </summary>
    public void Add(string id, float level, long startUtc, long expiresUtc, long issuedUtc, string reason)
    {
        Add(id, level, startUtc, expiresUtc, issuedUtc, reason, false);
    }

    /// <param name="fromRule">Issued by a gateway rule rather than an operator (reported as source <c>rule</c>).</param>
    public void Add(string id, float level, long startUtc, long expiresUtc, long issuedUtc, string reason, bool fromRule)
    {
        if (id == null || id.Length == 0) throw new ArgumentException("override id is required");
        if (level < 0 || level > 100) throw new ArgumentException("override level " + level.ToString() + " is out of range 0..100");
        if (expiresUtc <= startUtc) throw new ArgumentException("override expiry must be after its start");

        LevelOverride? slot = Find(id);
        if (slot == null)
        {
            for (int i = 0; i < Capacity && slot == null; i++) if (!_slots[i].InUse) slot = _slots[i];
        }
        if (slot == null)
        {
            // Full: evict whatever has ended (expiry is in the past relative to the newcomer), else the oldest issued.
            for (int i = 0; i < Capacity; i++)
            {
                var s = _slots[i];
                if (s.ExpiresUtc <= issuedUtc && (slot == null || s.ExpiresUtc < slot.ExpiresUtc)) slot = s;
            }
            if (slot == null)
            {
                slot = _slots[0];
                for (int i = 1; i < Capacity; i++) if (_slots[i].IssuedUtc < slot.IssuedUtc) slot = _slots[i];
            }
        }
        slot.Id = id;
        slot.Level = level;
        slot.StartUtc = startUtc;
        slot.ExpiresUtc = expiresUtc;
        slot.IssuedUtc = issuedUtc;
        slot.Reason = reason ?? "";
        slot.FromRule = fromRule;
        slot.Sequence = ++_sequence;
        slot.InUse = true;
    }

    /// <summary>Removes the override with this id; false if there was none.</summary>
    public bool Cancel(string id)
    {
        var slot = Find(id);
        if (slot == null) return false;
        slot.InUse = false;
        return true;
    }

    /// <summary>Frees the slots of overrides that have ended by <paramref name="utc"/>.</summary>
    public void RemoveExpired(long utc)
    {
        for (int i = 0; i < Capacity; i++)
        {
            if (_slots[i].InUse && _slots[i].ExpiresUtc <= utc) _slots[i].InUse = false;
        }
    }

    /// <summary>The override in control at <paramref name="utc"/>, or null to follow the calendar. Allocates nothing.</summary>
    public LevelOverride? ActiveAt(long utc)
    {
        LevelOverride? best = null;
        for (int i = 0; i < Capacity; i++)
        {
            var s = _slots[i];
            if (!s.ActiveAt(utc)) continue;
            if (best == null || s.IssuedUtc > best.IssuedUtc || (s.IssuedUtc == best.IssuedUtc && s.Sequence > best.Sequence)) best = s;
        }
        return best;
    }

    private LevelOverride? Find(string id)
    {
        for (int i = 0; i < Capacity; i++)
        {
            if (_slots[i].InUse && _slots[i].Id == id) return _slots[i];
        }
        return null;
    }
}
