using System;

namespace Edge.Firmware.Runtime;

/// <summary>
/// The flash half of the outbox (protocol §14.2): when the RAM ring is full, its oldest messages move here
/// in whole pages, one storage record per page, so an outage of days costs one flash write per ~4 KB of
/// telemetry. Pages keep creation order; every message in flash is older than every message in RAM. While
/// online the oldest page is loaded into one page buffer and drained from there; it is deleted once every
/// message in it is acknowledged. Bounded in bytes (default 64 KB) and in page slots (twice as many as
/// full pages fit), so that two neighbouring pages can always be merged when slots run out after drops.
/// Page record: count (2 bytes), then leaf and length (3 bytes) per message, then the messages back to back.
/// All buffers and record keys are created in the constructor. There is one page buffer (a plain ESP32 has
/// ~90 KB of heap, hardware/heap.md): it holds the head page while draining, and any other page operation
/// (spill, drop, merge) first writes the head page back without its acknowledged messages; what was in flight
/// is then sent again (the gateway drops the duplicate by boot/seq, protocol §16).
/// </summary>
public sealed class OutboxFlashRing
{
    public const int PageBytes = 4096 + HeaderMax;
    public const int MaxPerPage = 128;
    public const string OrderKey = "outbox.pages";
    private const int HeaderMax = 2 + 3 * MaxPerPage;

    private readonly IStorage _storage;
    private readonly int _capacity;
    private readonly int _slots;
    private readonly string[] _keys;
    private readonly int[] _order;      // slot numbers, oldest page first
    private readonly bool[] _used;
    private readonly int[] _size;       // per slot: record length (header + data)
    private readonly int[] _entries;    // per slot: messages
    private readonly int[] _routine;    // per slot: routine (telemetry) messages
    private readonly byte[] _orderRecord;
    private readonly byte[] _page = new byte[PageBytes];
    private readonly byte[] _scratchLeaf = new byte[MaxPerPage];
    private readonly int[] _scratchLength = new int[MaxPerPage];

    // While _headLoaded, _page holds the head page (the oldest) being drained.
    private readonly int[] _headId = new int[MaxPerPage]; // 0 unsent, > 0 in flight, -1 acknowledged
    private bool _headLoaded;
    private int _headCount;
    private int _headDone;

    private int _pages;
    private int _bytes;
    private int _count;

    public OutboxFlashRing(IStorage storage, int capacityBytes)
    {
        _storage = storage;
        // Slot numbers are stored as one byte each in the order record: at most 254 slots (~550 KB).
        if (capacityBytes > 127 * PageBytes) capacityBytes = 127 * PageBytes;
        _capacity = capacityBytes < PageBytes ? PageBytes : capacityBytes;
        _slots = 2 * ((_capacity + PageBytes - 1) / PageBytes);
        _keys = new string[_slots];
        for (int i = 0; i < _slots; i++) _keys[i] = "outbox.p" + i.ToString();
        _order = new int[_slots];
        _used = new bool[_slots];
        _size = new int[_slots];
        _entries = new int[_slots];
        _routine = new int[_slots];
        _orderRecord = new byte[1 + _slots];
        Restore();
    }

    public int Capacity { get { return _capacity; } }
    public int Pages { get { return _pages; } }
    public int BytesUsed { get { return _bytes; } }
    /// <summary>Messages in flash not yet acknowledged.</summary>
    public int Count { get { return _count - _headDone; } }
    public int InFlight { get; private set; }
    public long Dropped { get; private set; }
    public long DroppedEvents { get; private set; }
    /// <summary>Page records written (flash wear).</summary>
    public long PageWrites { get; private set; }

    public bool HasRoutine
    {
        get
        {
            for (int i = 0; i < _pages; i++) if (_routine[_order[i]] > 0) return true;
            return false;
        }
    }

    // ---- spilling ----------------------------------------------------------------------------------

    /// <summary>
    /// Makes room for a page of <paramref name="size"/> bytes: drops the oldest routine messages in flash
    /// and merges neighbouring pages when slots run out. False when only kept messages are left here (the
    /// caller then drops routine messages from RAM, or the oldest kept one through <see cref="DropOldest"/>).
    /// </summary>
    public bool MakeRoom(int size)
    {
        while (_bytes + size > _capacity || _pages == _slots)
        {
            if (_bytes + size > _capacity)
            {
                if (!DropRoutine(_bytes + size - _capacity)) return false;
            }
            else if (!MergeOnePair()) return false;
        }
        return true;
    }

    /// <summary>Writes messages as a new newest page. <paramref name="data"/> holds them back to back from <paramref name="offset"/>.</summary>
    public void Append(byte[] data, int offset, byte[] leaves, int[] lengths, int first, int count)
    {
        Unload();
        int slot = FreeSlot();
        int size = 2 + 3 * count;
        _page[0] = (byte)count;
        _page[1] = (byte)(count >> 8);
        int routine = 0;
        for (int i = 0; i < count; i++)
        {
            int length = lengths[first + i];
            _page[2 + i * 3] = leaves[first + i];
            _page[3 + i * 3] = (byte)length;
            _page[4 + i * 3] = (byte)(length >> 8);
            Array.Copy(data, offset, _page, size, length);
            offset += length;
            size += length;
            if (leaves[first + i] == Outbox.Telemetry) routine++;
        }
        // Page first, order record second: a power cut in between leaves an unlisted page, not a lost one.
        WritePage(slot, _page, size, count, routine);
        _used[slot] = true;
        _order[_pages++] = slot;
        _bytes += size;
        _count += count;
        WriteOrder();
    }

    /// <summary>Drops the oldest message in flash (only when nothing routine is left anywhere).</summary>
    public void DropOldest()
    {
        if (_pages == 0) return;
        Unload();
        if (_pages == 0) return; // the head page was all acknowledged: nothing older is left
        int slot = _order[0];
        int n = Load(slot, _page);
        if (n < 0) { RemovePage(0); return; }
        bool routine = _page[2] == Outbox.Telemetry;
        if (routine) Dropped++; else DroppedEvents++;
        Filter(slot, 0, DropFirst);
        if (_entries[slot] == 0) RemovePage(0);
    }

    // ---- draining ----------------------------------------------------------------------------------

    /// <summary>Publishes unsent messages of the oldest page, in order, within the in-flight and rate budget given and the event burst limit.</summary>
    public int Pump(IMessageLink link, string[] topics, int inFlightBudget, int rateBudget, RateWindow events, long nowMs)
    {
        if (_pages == 0) return 0;
        if (!_headLoaded && !LoadHead()) return 0;
        int sent = 0;
        int offset = 2 + 3 * _headCount;
        for (int i = 0; i < _headCount && sent < inFlightBudget && sent < rateBudget; i++)
        {
            int length = _page[3 + i * 3] | (_page[4 + i * 3] << 8);
            offset += length;
            if (_headId[i] != 0) continue;
            byte leaf = _page[2 + i * 3];
            bool isEvent = leaf == Outbox.Event;
            if (isEvent && !events.Allows(nowMs)) break; // in order: what is behind the event waits too
            int id = link.Publish(topics[leaf], _page, offset - length, length, false);
            if (id == 0) break;
            if (isEvent) events.Record(nowMs);
            _headId[i] = id;
            InFlight++;
            sent++;
        }
        return sent;
    }

    public bool Acknowledge(int publishId)
    {
        if (!_headLoaded) return false;
        for (int i = 0; i < _headCount; i++)
        {
            if (_headId[i] != publishId) continue;
            _headId[i] = -1;
            InFlight--;
            _headDone++;
            if (_headDone == _headCount)
            {
                _headLoaded = false;
                _count -= _headDone;
                _headDone = 0;
                int slot = _order[0];
                _bytes -= _size[slot];
                _entries[slot] = 0;
                RemoveOrder(0);
            }
            return true;
        }
        return false;
    }

    /// <summary>Whether the oldest page is fully sent (all in flight or acknowledged): RAM may follow behind it.</summary>
    public bool HeadFullySent
    {
        get
        {
            if (_pages == 0) return true;
            if (!_headLoaded || _pages > 1) return false;
            for (int i = 0; i < _headCount; i++) if (_headId[i] == 0) return false;
            return true;
        }
    }

    public void OnDisconnected()
    {
        if (!_headLoaded) return;
        for (int i = 0; i < _headCount; i++) if (_headId[i] > 0) _headId[i] = 0;
        InFlight = 0;
    }

    // ---- internals ---------------------------------------------------------------------------------

    private bool LoadHead()
    {
        while (_pages > 0)
        {
            int slot = _order[0];
            int n = Load(slot, _page);
            if (n >= 0)
            {
                _headCount = _page[0] | (_page[1] << 8);
                for (int i = 0; i < _headCount; i++) _headId[i] = 0;
                _headDone = 0;
                _headLoaded = true;
                return true;
            }
            RemovePage(0); // unreadable: counted as lost kept messages, nothing to send
        }
        return false;
    }

    /// <summary>
    /// Forgets the loaded head page before it is rewritten: what was in flight is sent again later
    /// (the gateway drops the duplicate by boot/seq, protocol §16); what was acknowledged is removed now.
    /// </summary>
    private void Unload()
    {
        if (!_headLoaded) return;
        _headLoaded = false;
        InFlight = 0;
        if (_headDone == 0) return; // the stored page is unchanged
        _headDone = 0;
        int slot = _order[0];
        Filter(slot, 0, DropAcknowledged);
        if (_entries[slot] == 0) RemoveOrder(0);
    }

    /// <summary>Drops routine messages, oldest first, from the oldest page that has any, until <paramref name="needed"/> bytes are free or that page has none left.</summary>
    private bool DropRoutine(int needed)
    {
        for (int p = 0; p < _pages; p++)
        {
            int slot = _order[p];
            if (_routine[slot] == 0) continue;
            Unload();
            if (p >= _pages || _order[p] != slot) return true; // the head page went away: room was made
            if (Load(slot, _page) < 0) { RemovePage(p); return true; }
            Filter(slot, needed, DropRoutineBytes);
            if (_entries[slot] == 0) RemovePage(p);
            return true;
        }
        return false;
    }

    private const int DropFirst = 0;
    private const int DropRoutineBytes = 1;
    private const int DropAcknowledged = 2;

    /// <summary>
    /// Rewrites the page in <see cref="_page"/> (slot <paramref name="slot"/>) without some of its messages:
    /// its first (<see cref="DropFirst"/>), its oldest routine ones up to <paramref name="needed"/> bytes
    /// (<see cref="DropRoutineBytes"/>, counted as dropped), or those the broker acknowledged while it was the
    /// head page (<see cref="DropAcknowledged"/>). A page left empty is not written (entries 0: the caller removes it).
    /// </summary>
    private void Filter(int slot, int needed, int mode)
    {
        int count = _page[0] | (_page[1] << 8);
        int inOffset = 2 + 3 * count;
        int freed = 0, keep = 0, routine = 0, dataOut = 0;
        // Pass 1: read every header before anything moves, and decide what stays.
        for (int i = 0; i < count; i++)
        {
            byte leaf = _page[2 + i * 3];
            int length = _page[3 + i * 3] | (_page[4 + i * 3] << 8);
            bool drop = mode == DropFirst ? i == 0
                : mode == DropAcknowledged ? _headId[i] == -1
                : leaf == Outbox.Telemetry && freed < needed;
            _scratchLeaf[i] = drop ? (byte)255 : leaf;
            _scratchLength[i] = length;
            if (drop)
            {
                freed += length + 3;
                if (mode == DropRoutineBytes) Dropped++;
            }
            else
            {
                keep++;
                if (leaf == Outbox.Telemetry) routine++;
            }
        }
        // Pass 2: compact in place; data only moves towards the start, headers are written from the copies.
        int outOffset = 2 + 3 * keep;
        int k = 0;
        for (int i = 0; i < count; i++)
        {
            int length = _scratchLength[i];
            if (_scratchLeaf[i] != 255)
            {
                Array.Copy(_page, inOffset, _page, outOffset + dataOut, length);
                dataOut += length;
            }
            inOffset += length;
        }
        for (int i = 0; i < count; i++)
        {
            if (_scratchLeaf[i] == 255) continue;
            _page[2 + k * 3] = _scratchLeaf[i];
            _page[3 + k * 3] = (byte)_scratchLength[i];
            _page[4 + k * 3] = (byte)(_scratchLength[i] >> 8);
            k++;
        }
        _page[0] = (byte)keep;
        _page[1] = (byte)(keep >> 8);
        _count -= count - keep;
        _bytes -= _size[slot];
        if (keep == 0)
        {
            _entries[slot] = 0;
            _size[slot] = 0;
            return;
        }
        WritePage(slot, _page, outOffset + dataOut, keep, routine);
        _bytes += _size[slot];
    }

    /// <summary>
    /// Merges the first pair of neighbouring pages that fits one page (one always does when every slot is used,
    /// see the class comment) in the one page buffer: B is read and moved to the buffer's end, A is read at its
    /// start, then B's data and A's data move into place and B's headers go between.
    /// </summary>
    private bool MergeOnePair()
    {
        for (int p = 0; p + 1 < _pages; p++)
        {
            int a = _order[p], b = _order[p + 1];
            if (_size[a] + _size[b] > PageBytes || _entries[a] + _entries[b] > MaxPerPage) continue;
            Unload();
            if (p + 1 >= _pages || _order[p] != a || _order[p + 1] != b) return true; // the head page went away
            int sizeB = Load(b, _page);
            if (sizeB < 0) { RemovePage(p + 1); return true; }
            int tail = PageBytes - sizeB;
            Array.Copy(_page, 0, _page, tail, sizeB);
            if (Load(a, _page) < 0) { RemovePage(p); return true; }
            int na = _entries[a], nb = _entries[b];
            int n = na + nb;
            int dataA = _size[a] - 2 - 3 * na, dataB = sizeB - 2 - 3 * nb;
            for (int i = 0; i < nb; i++)
            {
                _scratchLeaf[i] = _page[tail + 2 + i * 3];
                _scratchLength[i] = _page[tail + 3 + i * 3] | (_page[tail + 4 + i * 3] << 8);
            }
            // B's data goes down to its final place (A's end moved up by B's headers), then A's data moves up.
            Array.Copy(_page, tail + 2 + 3 * nb, _page, 2 + 3 * n + dataA, dataB);
            Array.Copy(_page, 2 + 3 * na, _page, 2 + 3 * n, dataA);
            for (int i = 0; i < nb; i++)
            {
                _page[2 + (na + i) * 3] = _scratchLeaf[i];
                _page[3 + (na + i) * 3] = (byte)_scratchLength[i];
                _page[4 + (na + i) * 3] = (byte)(_scratchLength[i] >> 8);
            }
            _page[0] = (byte)n;
            _page[1] = (byte)(n >> 8);
            int routine = _routine[a] + _routine[b];
            _bytes -= _size[a] + _size[b];
            WritePage(a, _page, 2 + 3 * n + dataA + dataB, n, routine);
            _bytes += _size[a];
            _entries[b] = 0;
            RemoveOrder(p + 1);
            return true;
        }
        return false;
    }

    private void WritePage(int slot, byte[] record, int size, int entries, int routine)
    {
        _storage.Write(_keys[slot], record, size);
        PageWrites++;
        _size[slot] = size;
        _entries[slot] = entries;
        _routine[slot] = routine;
    }

    /// <summary>Reads and checks a page record; -1 when it is missing or does not add up.</summary>
    private int Load(int slot, byte[] buffer)
    {
        int n = _storage.Read(_keys[slot], buffer);
        if (n < 2 || n > buffer.Length) return -1;
        int count = buffer[0] | (buffer[1] << 8);
        if (count == 0 || count > MaxPerPage || 2 + 3 * count > n) return -1;
        int total = 2 + 3 * count;
        for (int i = 0; i < count; i++) total += buffer[3 + i * 3] | (buffer[4 + i * 3] << 8);
        return total == n ? n : -1;
    }

    /// <summary>Removes the page at <paramref name="position"/> whose messages are lost (unreadable or dropped).</summary>
    private void RemovePage(int position)
    {
        int slot = _order[position];
        if (position == 0) _headLoaded = false;
        _count -= _entries[slot];
        _bytes -= _size[slot];
        _entries[slot] = 0;
        RemoveOrder(position);
    }

    private void RemoveOrder(int position)
    {
        int slot = _order[position];
        _used[slot] = false;
        _size[slot] = 0;
        _routine[slot] = 0;
        for (int i = position; i < _pages - 1; i++) _order[i] = _order[i + 1];
        _pages--;
        WriteOrder();
    }

    private int FreeSlot()
    {
        for (int i = 0; i < _slots; i++) if (!_used[i]) return i;
        throw new InvalidOperationException("outbox flash: no free page slot (MakeRoom first)");
    }

    private void WriteOrder()
    {
        _orderRecord[0] = (byte)_pages;
        for (int i = 0; i < _pages; i++) _orderRecord[1 + i] = (byte)_order[i];
        _storage.Write(OrderKey, _orderRecord, 1 + _pages);
    }

    private void Restore()
    {
        int n = _storage.Read(OrderKey, _orderRecord);
        if (n < 1 || n > _orderRecord.Length || n != 1 + _orderRecord[0]) return;
        int listed = _orderRecord[0];
        for (int i = 0; i < listed; i++)
        {
            int slot = _orderRecord[1 + i];
            if (slot >= _slots || _used[slot]) continue;
            int size = Load(slot, _page);
            if (size < 0) continue; // a torn page: its messages are lost, the rest drains
            int count = _page[0] | (_page[1] << 8);
            int routine = 0;
            for (int k = 0; k < count; k++) if (_page[2 + k * 3] == Outbox.Telemetry) routine++;
            _used[slot] = true;
            _size[slot] = size;
            _entries[slot] = count;
            _routine[slot] = routine;
            _order[_pages++] = slot;
            _bytes += size;
            _count += count;
        }
    }
}
