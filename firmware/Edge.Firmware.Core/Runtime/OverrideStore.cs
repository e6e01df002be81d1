using Edge.Firmware.Lighting;

namespace Edge.Firmware.Runtime;

/// <summary>
/// A street light's overrides in storage (docs/protocol.md §10.5): an override is desired state with an
/// end, so a node that reboots mid-override returns to the commanded level without waiting for anyone.
/// The record is written only when a command changes the set (overrides are rare; flash wear matters) —
/// not when an override simply runs out, because every restore judges expiry against the clock again.
/// Restoring waits for a set clock (§12.5): without one, nobody can tell whether an override has ended,
/// so the lamp follows its safe defaults until time arrives, and an override that ended while the node
/// was down is dropped then, never re-applied.
/// Layout: 'O', format 2, count; per override in the order it was added: level × 100 (4 bytes), start,
/// expiry, issued (8 bytes each), origin (1 byte: 0 operator, 1 gateway rule), id length and ASCII id, reason
/// length in chars and UTF-16 reason. Format 1 (written before the origin was kept) is read as operator overrides.
/// </summary>
public sealed class OverrideStore
{
    public const string StorageKey = "lighting.overrides";
    private const byte Magic = (byte)'O';
    private const byte Format = 2;
    private const byte FormatWithoutOrigin = 1;
    private const int MaxId = 64;
    private const int MaxReason = 64;
    private const int MaxEntry = 4 + 3 * 8 + 1 + 1 + MaxId + 1 + 2 * MaxReason;

    private readonly IStorage _storage;
    private readonly byte[] _header = new byte[3];
    private bool _pending;

    public OverrideStore(IStorage storage)
    {
        _storage = storage;
        _pending = true;
    }

    /// <summary>Whether a stored record still waits for a set clock to be restored.</summary>
    public bool Pending { get { return _pending; } }

    /// <summary>
    /// Once, with the clock set: loads the stored overrides still in force at <paramref name="nowUtc"/>
    /// into <paramref name="set"/> and rewrites the record if any had ended meanwhile. Call before the
    /// set is changed by a command, so a new override never overwrites the stored ones.
    /// </summary>
    public void Restore(OverrideSet set, long nowUtc)
    {
        if (!_pending) return;
        _pending = false;
        // Sized to the record (the storage reports a record's length when the buffer is too small): a
        // transient allocation at boot, no buffer held for the node's lifetime.
        int n = _storage.Read(StorageKey, _header);
        if (n < 3 || n > 3 + OverrideSet.Capacity * MaxEntry) return;
        var buffer = new byte[n];
        if (_storage.Read(StorageKey, buffer) != n || buffer[0] != Magic || (buffer[1] != Format && buffer[1] != FormatWithoutOrigin)) return;
        bool withOrigin = buffer[1] == Format;
        int count = buffer[2];
        int p = 3;
        bool dropped = false;
        for (int i = 0; i < count; i++)
        {
            if (p + 30 > n) return; // a damaged record: keep what was read, follow the calendar otherwise
            int level = (int)ReadLong(buffer, p, 4);
            long start = ReadLong(buffer, p + 4, 8), expires = ReadLong(buffer, p + 12, 8), issued = ReadLong(buffer, p + 20, 8);
            p += 28;
            bool fromRule = withOrigin && buffer[p++] == 1;
            int idLength = buffer[p++];
            if (idLength > MaxId || p + idLength + 1 > n) return;
            var chars = new char[idLength];
            for (int k = 0; k < idLength; k++) chars[k] = (char)buffer[p++];
            string id = new string(chars);
            int reasonLength = buffer[p++];
            if (reasonLength > MaxReason || p + 2 * reasonLength > n) return;
            chars = new char[reasonLength];
            for (int k = 0; k < reasonLength; k++, p += 2) chars[k] = (char)(buffer[p] | (buffer[p + 1] << 8));
            if (expires <= nowUtc)
            {
                dropped = true; // ended while the node was down
                continue;
            }
            try
            {
                set.Add(id, level / 100f, start, expires, issued, new string(chars), fromRule);
            }
            catch (System.ArgumentException)
            {
                dropped = true; // out of range: not something a command could have set
            }
        }
        if (dropped) Save(set);
    }

    /// <summary>Writes the overrides of <paramref name="set"/> (after a command changed it).</summary>
    public void Save(OverrideSet set)
    {
        int size = 3;
        for (int i = 0; i < OverrideSet.Capacity; i++)
        {
            LevelOverride s = set.Slot(i);
            if (s.InUse) size += 28 + 1 + 1 + Clamp(s.Id.Length, MaxId) + 1 + 2 * Clamp(s.Reason.Length, MaxReason);
        }
        var buffer = new byte[size];
        int count = 0, p = 3;
        // In the order they were added, so equal issue times keep their tie-break after a restore.
        long after = long.MinValue;
        for (int written = 0; written < OverrideSet.Capacity; written++)
        {
            LevelOverride? next = null;
            for (int i = 0; i < OverrideSet.Capacity; i++)
            {
                LevelOverride s = set.Slot(i);
                if (s.InUse && s.Sequence > after && (next == null || s.Sequence < next.Sequence)) next = s;
            }
            if (next == null) break;
            after = next.Sequence;
            count++;
            WriteLong(buffer, p, (long)(next.Level * 100f + 0.5f), 4);
            WriteLong(buffer, p + 4, next.StartUtc, 8);
            WriteLong(buffer, p + 12, next.ExpiresUtc, 8);
            WriteLong(buffer, p + 20, next.IssuedUtc, 8);
            p += 28;
            buffer[p++] = (byte)(next.FromRule ? 1 : 0);
            string id = next.Id;
            int idLength = Clamp(id.Length, MaxId);
            buffer[p++] = (byte)idLength;
            for (int k = 0; k < idLength; k++) buffer[p++] = (byte)id[k]; // ids are ASCII (§10.1)
            string reason = next.Reason;
            int reasonLength = Clamp(reason.Length, MaxReason);
            buffer[p++] = (byte)reasonLength;
            for (int k = 0; k < reasonLength; k++)
            {
                buffer[p++] = (byte)reason[k];
                buffer[p++] = (byte)(reason[k] >> 8);
            }
        }
        buffer[0] = Magic;
        buffer[1] = Format;
        buffer[2] = (byte)count;
        _storage.Write(StorageKey, buffer, p);
        _pending = false;
    }

    private static int Clamp(int length, int max) { return length < max ? length : max; }

    private static void WriteLong(byte[] b, int at, long v, int bytes)
    {
        for (int i = 0; i < bytes; i++) b[at + i] = (byte)(v >> (8 * i));
    }

    private static long ReadLong(byte[] b, int at, int bytes)
    {
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--) v = (v << 8) | b[at + i];
        if (bytes == 4) v = (int)v; // sign of a 4-byte value
        return v;
    }
}
