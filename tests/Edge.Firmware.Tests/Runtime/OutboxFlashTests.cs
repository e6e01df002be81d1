using System.Collections.Generic;
using System.Text;
using Edge.Firmware.Runtime;
using Xunit;

namespace Edge.Firmware.Tests.Runtime;

/// <summary>The RAM ring backed by the flash ring (protocol §14.2–§14.4).</summary>
public class OutboxFlashTests
{
    private static readonly string[] Topics = { "t", "e", "a" };

    /// <summary>A message of exactly <paramref name="size"/> bytes that starts with its name.</summary>
    private static byte[] Msg(string name, int size)
    {
        var b = new byte[size];
        for (int i = 0; i < size; i++) b[i] = (byte)'.';
        Encoding.ASCII.GetBytes(name).CopyTo(b, 0);
        return b;
    }

    private static string Name(FakeLink.Sent s) => s.Text.TrimEnd('.');

    /// <summary>Connects a link that acks everything and pumps until the outbox is empty; returns what was sent, in order.</summary>
    private static List<string> Drain(Outbox box, FakeLink link, ref long nowMs)
    {
        if (link.State != LinkState.Connected) link.BeginConnect(new LinkOptions());
        var sent = new List<string>();
        for (int guard = 0; guard < 100000 && box.Count > 0; guard++)
        {
            int before = link.History.Count;
            box.Pump(link, Topics, nowMs);
            for (int i = before; i < link.History.Count; i++) sent.Add(Name(link.History[i]));
            while (link.TryGetAcknowledged(out int id)) box.Acknowledge(id);
            nowMs += 100;
        }
        return sent;
    }

    [Fact]
    public void Messages_that_overflow_ram_go_to_flash_and_drain_in_creation_order_flash_first_then_ram()
    {
        var storage = new MemoryStorage();
        var box = new Outbox(2000, 64, storage, 64 * 1024);
        var expected = new List<string>();
        for (int i = 0; i < 60; i++)
        {
            string name = "m" + i;
            box.Enqueue(i % 7 == 0 ? Outbox.Event : Outbox.Telemetry, Msg(name, 180), 0, 180);
            expected.Add(name);
        }
        Assert.True(box.Flash!.Pages > 0);
        Assert.True(box.RamCount < 60);
        Assert.Equal(60, box.Count);
        Assert.Equal(0, box.Dropped);

        long now = 0;
        var link = new FakeLink();
        // Half-way through the drain more messages arrive: they queue behind the backlog.
        box.Pump(link, Topics, now);
        link.BeginConnect(new LinkOptions());
        box.Pump(link, Topics, now);
        var sent = new List<string>();
        foreach (var s in link.History) sent.Add(Name(s));
        while (link.TryGetAcknowledged(out int id)) box.Acknowledge(id);
        for (int i = 60; i < 70; i++)
        {
            box.Enqueue(Outbox.Telemetry, Msg("m" + i, 180), 0, 180);
            expected.Add("m" + i);
        }
        link.History.Clear();
        now += 1000;
        sent.AddRange(Drain(box, link, ref now));

        Assert.Equal(expected, sent);
        Assert.Equal(0, box.Flash.Pages);
        Assert.Equal(0, box.Count);
    }

    [Fact]
    public void Ram_to_flash_to_ram_round_trip_survives_a_reboot()
    {
        var storage = new MemoryStorage();
        var box = new Outbox(1000, 32, storage, 64 * 1024);
        var expected = new List<string>();
        for (int i = 0; i < 25; i++)
        {
            box.Enqueue(Outbox.Telemetry, Msg("r" + i, 150), 0, 150);
            expected.Add("r" + i);
        }
        box.Enqueue(Outbox.Event, Msg("ev", 40), 0, 40); // written to storage at once
        expected.Add("ev");
        box.Flush(0);

        var rebooted = new Outbox(1000, 32, storage, 64 * 1024);
        Assert.Equal(26, rebooted.Count);
        long now = 0;
        Assert.Equal(expected, Drain(rebooted, new FakeLink(), ref now));
    }

    [Fact]
    public void When_ram_and_flash_are_full_the_oldest_telemetry_goes_first_wherever_it_is()
    {
        var storage = new MemoryStorage();
        // One page of flash: ~4.4 KB. RAM: 1 KB.
        var box = new Outbox(1000, 32, storage, OutboxFlashRing.PageBytes);
        int flashCapacity = box.Flash!.Capacity;
        var kept = new List<string>();
        int telemetry = 0;
        // Events are 1 in 10; far more is queued than RAM + flash hold.
        for (int i = 0; i < 200; i++)
        {
            bool isEvent = i % 10 == 0;
            string name = (isEvent ? "e" : "t") + i;
            box.Enqueue(isEvent ? Outbox.Event : Outbox.Telemetry, Msg(name, 100), 0, 100);
            if (isEvent) kept.Add(name); else telemetry++;
            Assert.True(box.Flash.BytesUsed <= flashCapacity);
            Assert.True(box.BytesUsed <= box.Capacity);
        }
        Assert.Equal(0, box.DroppedEvents);
        Assert.Equal(200, box.Count + box.Dropped);

        long now = 0;
        var sent = Drain(box, new FakeLink(), ref now);
        // Every event survived, in order; the telemetry that survived is the newest, in order.
        Assert.Equal(kept, sent.FindAll(s => s[0] == 'e'));
        var survivors = sent.FindAll(s => s[0] == 't');
        var newest = new List<string>();
        for (int i = 0; i < 200; i++) if (i % 10 != 0) newest.Add("t" + i);
        newest = newest.GetRange(newest.Count - survivors.Count, survivors.Count);
        Assert.Equal(newest, survivors);
        Assert.Equal(telemetry - survivors.Count, box.Dropped);
        // And creation order holds across the two classes.
        var all = new List<int>();
        foreach (var s in sent) all.Add(int.Parse(s.Substring(1)));
        var sorted = new List<int>(all);
        sorted.Sort();
        Assert.Equal(sorted, all);
    }

    [Fact]
    public void Events_are_dropped_only_when_nothing_routine_is_left_oldest_first()
    {
        var storage = new MemoryStorage();
        var box = new Outbox(1000, 32, storage, OutboxFlashRing.PageBytes);
        box.Enqueue(Outbox.Telemetry, Msg("t0", 100), 0, 100);
        int n = 0;
        while (box.DroppedEvents < 5)
        {
            box.Enqueue(Outbox.Event, Msg("e" + n++, 100), 0, 100);
            // The one telemetry message goes before any event does.
            if (box.DroppedEvents > 0) Assert.Equal(1, box.Dropped);
            Assert.True(n < 1000);
        }
        Assert.Equal(n + 1, box.Count + box.Dropped + box.DroppedEvents);

        long now = 0;
        var sent = Drain(box, new FakeLink(), ref now);
        var expected = new List<string>();
        for (long i = box.DroppedEvents; i < n; i++) expected.Add("e" + i); // the oldest events were the ones dropped
        Assert.Equal(expected, sent);
    }

    [Fact]
    public void Flash_pages_are_written_in_batches_not_per_message()
    {
        var storage = new MemoryStorage();
        // The defaults of protocol §14.2: 16 KB RAM, 64 KB flash.
        var box = new Outbox(16384, 256, storage, 64 * 1024);
        for (int i = 0; i < 300; i++) box.Enqueue(Outbox.Telemetry, Msg("m" + i, 200), 0, 200);
        // 60 KB of telemetry, 16 KB of it in RAM: the rest goes out as ~4 KB pages (20 messages each).
        int spilled = 300 - box.RamCount;
        Assert.InRange(box.Flash!.PageWrites, spilled / 20, spilled / 20 + 1);
        Assert.Equal(300, box.Count);
        Assert.Equal(0, box.Dropped);
    }

    [Fact]
    public void A_drop_reported_by_the_node_state_counts_flash_drops()
    {
        var storage = new MemoryStorage();
        var box = new Outbox(1000, 32, storage, OutboxFlashRing.PageBytes);
        for (int i = 0; i < 100; i++) box.Enqueue(Outbox.Telemetry, Msg("m" + i, 100), 0, 100);
        Assert.True(box.Flash!.Dropped > 0);
        Assert.Equal(100, box.Count + box.Dropped);
    }
}
