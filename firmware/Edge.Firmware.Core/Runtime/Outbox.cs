using System;

namespace Edge.Firmware.Runtime;

/// <summary>
/// The ordered path of every telemetry, event and ack (protocol §14): a bounded byte ring in RAM,
/// optionally mirrored to <see cref="IStorage"/> so it survives a reboot, and optionally backed by a
/// bounded <see cref="OutboxFlashRing"/>: when the RAM ring is full its oldest messages move to flash in
/// whole pages, and every message in flash is older than every message in RAM, so draining takes flash
/// first, then RAM. A message leaves only when the link reports its PUBACK; on a new session everything
/// unacknowledged is re-sent, byte for byte (same boot/seq). When everything is full, the oldest routine
/// telemetry goes first (in flash, then in RAM); events and acks only when nothing else is left. Entries
/// sit back to back in creation order in one preallocated array; nothing here allocates after construction.
/// </summary>
public sealed class Outbox
{
    /// <summary>Topic leaves, the index into the runtime's topic table.</summary>
    public const byte Telemetry = 0;
    public const byte Event = 1;
    public const byte Ack = 2;

    public const int MaxInFlight = 4;
    public const int MaxPerSecond = 20;
    /// <summary>Event burst limit (protocol §13): more events wait in the queue, and so does everything behind them.</summary>
    public const int MaxEventsPerSecond = 10;
    public const string DataKey = "outbox.data";
    public const string IndexKey = "outbox.index";
    public const long RoutineFlushMs = 60000;
    /// <summary>The smallest batch a spill to flash moves when the RAM ring holds that much (one flash write per ~4 KB).</summary>
    public const int SpillBytes = 4096;

    private readonly byte[] _data;
    private readonly int _maxEntries;
    private readonly int[] _length;
    private readonly byte[] _leaf;
    private readonly int[] _publishId;
    private readonly byte[] _index;
    private readonly IStorage? _storage;
    private readonly OutboxFlashRing? _flash;
    private int _count;
    private int _used;
    private long _dropped;
    private long _droppedEvents;
    private int _inFlight;
    private long _windowStart = -1000000;
    private int _sentInWindow;
    private readonly RateWindow _events = new RateWindow(MaxEventsPerSecond);
    private bool _dirty;
    private bool _dirtyKept;
    // The stored copy is current at start-up: the routine once-a-minute clock starts at the first Flush, not
    // before it, so a short wake that delivers its telemetry never writes it (flash wear, hardware/waterlevel).
    private bool _flushClockStarted;
    private long _lastFlush;
    private bool _storedEmpty;

    /// <param name="storage">Where to mirror the queue, or null for RAM only.</param>
    public Outbox(int capacityBytes, int maxEntries, IStorage? storage)
        : this(capacityBytes, maxEntries, storage, 0)
    {
    }

    /// <param name="storage">Where to mirror the queue, or null for RAM only.</param>
    /// <param name="flashBytes">Size of the flash ring behind the RAM ring (protocol §14.2: 64 KB); 0 for none. Needs <paramref name="storage"/>.</param>
    public Outbox(int capacityBytes, int maxEntries, IStorage? storage, int flashBytes)
    {
        _data = new byte[capacityBytes];
        _maxEntries = maxEntries;
        _length = new int[maxEntries];
        _leaf = new byte[maxEntries];
        _publishId = new int[maxEntries];
        _index = new byte[4 + maxEntries * 3];
        _storage = storage;
        if (storage != null && flashBytes > 0) _flash = new OutboxFlashRing(storage, flashBytes);
        if (storage != null) Restore();
    }

    /// <summary>Messages waiting, in RAM and in flash.</summary>
    public int Count { get { return _count + (_flash != null ? _flash.Count : 0); } }
    /// <summary>Messages waiting in the RAM ring.</summary>
    public int RamCount { get { return _count; } }
    public int BytesUsed { get { return _used; } }
    public int Capacity { get { return _data.Length; } }
    public int InFlight { get { return _inFlight + (_flash != null ? _flash.InFlight : 0); } }
    /// <summary>Routine telemetry dropped since boot (RAM and flash).</summary>
    public long Dropped { get { return _dropped + (_flash != null ? _flash.Dropped : 0); } }
    /// <summary>Events and acks dropped since boot (should stay 0).</summary>
    public long DroppedEvents { get { return _droppedEvents + (_flash != null ? _flash.DroppedEvents : 0); } }
    public bool Persistent { get { return _storage != null; } }
    /// <summary>The flash ring, or null when the outbox is RAM only (<c>state</c> <c>outbox.flash</c>).</summary>
    public OutboxFlashRing? Flash { get { return _flash; } }

    public byte LeafAt(int i) { return _leaf[i]; }

    /// <summary>Copies entry <paramref name="i"/> (0 = oldest) into <paramref name="dest"/>; returns its length.</summary>
    public int CopyEntry(int i, byte[] dest)
    {
        int offset = OffsetOf(i);
        Array.Copy(_data, offset, dest, 0, _length[i]);
        return _length[i];
    }

    /// <summary>Queues a copy of a message; false when it can never fit (larger than the whole RAM ring).</summary>
    public bool Enqueue(byte leaf, byte[] payload, int offset, int count)
    {
        if (count > _data.Length || count <= 0)
        {
            if (leaf == Telemetry) _dropped++;
            else _droppedEvents++;
            return false;
        }
        while (_used + count > _data.Length || _count == _maxEntries)
        {
            if (_flash != null && Spill()) continue;
            int victim = Oldest(true);
            if (victim >= 0)
            {
                // With a flash ring, Spill only fails once flash holds nothing routine: this is the oldest routine left.
                _dropped++;
            }
            else if (_flash != null && _flash.Count > 0)
            {
                _flash.DropOldest(); // nothing routine anywhere: the oldest kept message overall is in flash
                continue;
            }
            else
            {
                victim = Oldest(false);
                _droppedEvents++;
            }
            RemoveAt(victim);
        }
        Array.Copy(payload, offset, _data, _used, count);
        _length[_count] = count;
        _leaf[_count] = leaf;
        _publishId[_count] = 0;
        _count++;
        _used += count;
        MarkDirty(leaf != Telemetry);
        return true;
    }

    /// <summary>Moves the oldest RAM messages (one page) to the flash ring; false when flash has no room without dropping kept messages.</summary>
    private bool Spill()
    {
        // A quarter of the RAM ring per flash write, but at least 4 KB when the ring holds that much (a small
        // RAM ring spills early, not in small pieces) and at most a page: few writes, and when flash is full of
        // kept messages only as many of them as that batch needs are dropped.
        int limit = _data.Length / 4;
        if (limit < SpillBytes) limit = _data.Length < SpillBytes ? _data.Length : SpillBytes;
        if (limit > OutboxFlashRing.PageBytes) limit = OutboxFlashRing.PageBytes;
        int n = 0, size = 2, bytes = 0;
        while (n < _count && n < OutboxFlashRing.MaxPerPage && size + 3 + _length[n] <= OutboxFlashRing.PageBytes
            && (n == 0 || size + 3 + _length[n] <= limit))
        {
            size += 3 + _length[n];
            bytes += _length[n];
            n++;
        }
        if (n == 0 || !_flash!.MakeRoom(size)) return false;
        _flash.Append(_data, 0, _leaf, _length, 0, n);
        // Spilled messages that were in flight are sent again from flash; the gateway drops the duplicate (§16).
        for (int i = 0; i < n; i++) if (_publishId[i] != 0) _inFlight--;
        Array.Copy(_data, bytes, _data, 0, _used - bytes);
        for (int k = 0; k < _count - n; k++)
        {
            _length[k] = _length[k + n];
            _leaf[k] = _leaf[k + n];
            _publishId[k] = _publishId[k + n];
        }
        _count -= n;
        _used -= bytes;
        MarkDirty(true); // the RAM copy must no longer list what is now in flash
        return true;
    }

    /// <summary>
    /// Sends the oldest unsent messages, keeping at most <see cref="MaxInFlight"/> unacknowledged and
    /// at most <see cref="MaxPerSecond"/> per second, of them at most <see cref="MaxEventsPerSecond"/> events
    /// in any one second. Order is kept: an event over its limit holds back everything behind it. Call only
    /// while the session is up.
    /// </summary>
    public void Pump(IMessageLink link, string[] topics, long nowMs)
    {
        if (nowMs - _windowStart >= 1000)
        {
            _windowStart = nowMs;
            _sentInWindow = 0;
        }
        if (_flash != null && _flash.Pages > 0)
        {
            _sentInWindow += _flash.Pump(link, topics, MaxInFlight - InFlight, MaxPerSecond - _sentInWindow, _events, nowMs);
            if (!_flash.HeadFullySent) return; // RAM messages are newer: they wait behind the flash backlog
        }
        int offset = 0;
        for (int i = 0; i < _count && InFlight < MaxInFlight && _sentInWindow < MaxPerSecond; i++)
        {
            if (_publishId[i] == 0)
            {
                bool isEvent = _leaf[i] == Event;
                if (isEvent && !_events.Allows(nowMs)) return;
                int id = link.Publish(topics[_leaf[i]], _data, offset, _length[i], false);
                if (id == 0) return; // the link went down; OnDisconnected will follow
                if (isEvent) _events.Record(nowMs);
                _publishId[i] = id;
                _inFlight++;
                _sentInWindow++;
            }
            offset += _length[i];
        }
    }

    /// <summary>The link acknowledged <paramref name="publishId"/>: that message is delivered. Unknown ids (state publishes, dropped entries) are ignored.</summary>
    public bool Acknowledge(int publishId)
    {
        if (_flash != null && _flash.Acknowledge(publishId)) return true;
        for (int i = 0; i < _count; i++)
        {
            if (_publishId[i] == publishId)
            {
                RemoveAt(i);
                MarkDirty(false);
                return true;
            }
        }
        return false;
    }

    /// <summary>The session ended: whatever was in flight is sent again on the next one.</summary>
    public void OnDisconnected()
    {
        for (int i = 0; i < _count; i++) _publishId[i] = 0;
        _inFlight = 0;
        if (_flash != null) _flash.OnDisconnected();
    }

    /// <summary>Writes the queue to storage: at once after an event or ack was queued, otherwise at most once a minute (flash wear, §14.3).</summary>
    public void Flush(long nowMs) { Flush(nowMs, false); }

    /// <summary>Writes the queue to storage now if it changed (before a planned reboot).</summary>
    public void FlushNow(long nowMs) { Flush(nowMs, true); }

    private void Flush(long nowMs, bool force)
    {
        if (!_flushClockStarted)
        {
            _flushClockStarted = true;
            _lastFlush = nowMs;
        }
        if (_storage == null || !_dirty) return;
        if (_count == 0 && _storedEmpty)
        {
            // Everything queued since the last write was delivered: the stored (empty) queue is still right.
            _dirty = false;
            _dirtyKept = false;
            return;
        }
        if (!force && !_dirtyKept && nowMs - _lastFlush < RoutineFlushMs) return;
        _index[0] = (byte)_count;
        _index[1] = (byte)(_count >> 8);
        for (int i = 0; i < _count; i++)
        {
            _index[4 + i * 3] = _leaf[i];
            _index[5 + i * 3] = (byte)_length[i];
            _index[6 + i * 3] = (byte)(_length[i] >> 8);
        }
        // Data first, index second: an index that does not add up to the data is discarded on restore.
        _storage.Write(DataKey, _data, _used);
        _storage.Write(IndexKey, _index, 4 + _count * 3);
        _storedEmpty = _count == 0;
        _dirty = false;
        _dirtyKept = false;
        _lastFlush = nowMs;
    }

    private void Restore()
    {
        int n = _storage!.Read(IndexKey, _index);
        _storedEmpty = n == 4 && _index[0] == 0 && _index[1] == 0;
        if (n < 4 || n > _index.Length) return;
        int count = _index[0] | (_index[1] << 8);
        if (count > _maxEntries || n != 4 + count * 3) return;
        int total = 0;
        for (int i = 0; i < count; i++) total += _index[5 + i * 3] | (_index[6 + i * 3] << 8);
        if (total > _data.Length) return;
        int dataLength = _storage.Read(DataKey, _data);
        if (dataLength != total) return;
        for (int i = 0; i < count; i++)
        {
            _leaf[i] = _index[4 + i * 3];
            _length[i] = _index[5 + i * 3] | (_index[6 + i * 3] << 8);
            _publishId[i] = 0;
        }
        _count = count;
        _used = total;
    }

    private int Oldest(bool routine)
    {
        for (int i = 0; i < _count; i++)
        {
            if ((_leaf[i] == Telemetry) == routine) return i;
        }
        return -1;
    }

    private int OffsetOf(int i)
    {
        int offset = 0;
        for (int k = 0; k < i; k++) offset += _length[k];
        return offset;
    }

    private void RemoveAt(int i)
    {
        int offset = OffsetOf(i);
        int length = _length[i];
        Array.Copy(_data, offset + length, _data, offset, _used - offset - length);
        if (_publishId[i] != 0) _inFlight--;
        for (int k = i; k < _count - 1; k++)
        {
            _length[k] = _length[k + 1];
            _leaf[k] = _leaf[k + 1];
            _publishId[k] = _publishId[k + 1];
        }
        _count--;
        _used -= length;
    }

    private void MarkDirty(bool kept)
    {
        _dirty = true;
        if (kept) _dirtyKept = true;
    }
}
