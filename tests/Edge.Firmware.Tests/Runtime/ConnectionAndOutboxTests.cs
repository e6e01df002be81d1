using System;
using System.Collections.Generic;
using System.Text;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Tests.Runtime;

public class ConnectionAndOutboxTests
{
    private static ConnectionManager Manager(FakeLink link, FakePlatform platform, uint seed, long now = 0) =>
        new(link, platform, new LinkOptions { ClientId = "n" }, new[] { "a" }, seed, now);

    [Fact]
    public void Backoff_delays_follow_the_protocol_formula_and_are_reproducible()
    {
        var delays = new List<long>();
        var link = new FakeLink { AcceptConnect = false };
        var clock = new FakeClock();
        var m = Manager(link, new FakePlatform(), 7);
        for (int attempt = 0; attempt < 14; attempt++)
        {
            m.Poll(clock.MonotonicMs);
            delays.Add(m.LastDelayMs);
            clock.MonotonicMs = m.NextAttemptMs;
        }
        for (int n = 0; n < delays.Count; n++)
        {
            long ceiling = Math.Min(300_000, 1000L << n);
            Assert.InRange(delays[n], ceiling / 2, ceiling - 1);
        }
        Assert.Equal(14, link.Connects);

        var again = new List<long>();
        var m2 = Manager(new FakeLink { AcceptConnect = false }, new FakePlatform(), 7);
        long t = 0;
        for (int attempt = 0; attempt < 14; attempt++) { m2.Poll(t); again.Add(m2.LastDelayMs); t = m2.NextAttemptMs; }
        Assert.Equal(delays, again);
    }

    [Fact]
    public void Failures_reset_only_after_a_minute_of_stable_connection()
    {
        var link = new FakeLink { AcceptConnect = false };
        var m = Manager(link, new FakePlatform(), 3);
        long t = 0;
        for (int i = 0; i < 5; i++) { m.Poll(t); t = m.NextAttemptMs; }
        Assert.Equal(5, m.Failures);

        link.AcceptConnect = true;
        Assert.True(m.Poll(t));
        link.Drop(); // accepted then dropped at once: no reset
        m.Poll(t + 1000);
        Assert.Equal(6, m.Failures);

        t = m.NextAttemptMs;
        Assert.True(m.Poll(t));
        m.Poll(t + 59_000);
        Assert.Equal(6, m.Failures);
        m.Poll(t + 60_000);
        Assert.Equal(0, m.Failures);
    }

    [Fact]
    public void Three_network_failures_reset_wifi_and_six_hours_offline_asks_for_a_reboot()
    {
        var platform = new FakePlatform { NetworkUp = false };
        var link = new FakeLink();
        var m = Manager(link, platform, 9);
        long t = 0;
        for (int i = 0; i < 6; i++) { m.Poll(t); t = m.NextAttemptMs; }
        Assert.Equal(2, platform.NetworkResets);
        Assert.Equal(0, link.Connects);
        Assert.False(m.OutageRebootDue(6L * 3600 * 1000 - 1));
        Assert.True(m.OutageRebootDue(6L * 3600 * 1000));
    }

    private static byte[] Msg(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void A_full_outbox_drops_the_oldest_telemetry_first_and_events_only_when_nothing_else_is_left()
    {
        var box = new Outbox(100, 16, null);
        box.Enqueue(Outbox.Telemetry, Msg(new string('a', 30)), 0, 30);
        box.Enqueue(Outbox.Event, Msg(new string('b', 30)), 0, 30);
        box.Enqueue(Outbox.Telemetry, Msg(new string('c', 30)), 0, 30);
        box.Enqueue(Outbox.Ack, Msg(new string('d', 30)), 0, 30); // drops a
        Assert.Equal(1, box.Dropped);
        box.Enqueue(Outbox.Event, Msg(new string('e', 30)), 0, 30); // drops c
        Assert.Equal(2, box.Dropped);
        Assert.Equal(0, box.DroppedEvents);
        box.Enqueue(Outbox.Event, Msg(new string('f', 30)), 0, 30); // nothing routine left: drops b
        Assert.Equal(1, box.DroppedEvents);

        var order = new List<char>();
        var buf = new byte[100];
        for (int i = 0; i < box.Count; i++) { box.CopyEntry(i, buf); order.Add((char)buf[0]); }
        Assert.Equal("def", new string(order.ToArray()));
    }

    [Fact]
    public void The_outbox_keeps_four_in_flight_removes_only_acknowledged_messages_and_resends_after_a_disconnect()
    {
        var box = new Outbox(4096, 64, null);
        for (int i = 0; i < 10; i++) box.Enqueue(i % 3 == 0 ? Outbox.Event : Outbox.Telemetry, Msg("m" + i), 0, 2);
        var link = new FakeLink { AutoAck = false };
        link.BeginConnect(new LinkOptions());
        string[] topics = { "t", "e", "a" };
        box.Pump(link, topics, 0);
        Assert.Equal(4, link.History.Count);
        box.Pump(link, topics, 10);
        Assert.Equal(4, link.History.Count);

        Assert.True(box.Acknowledge(link.History[1].Id));
        box.Pump(link, topics, 20);
        Assert.Equal(5, link.History.Count);
        Assert.Equal("m4", link.History[4].Text);
        Assert.Equal(9, box.Count);

        box.OnDisconnected();
        link.History.Clear();
        box.Pump(link, topics, 2000);
        Assert.Equal(new[] { "m0", "m2", "m3", "m4" }, link.History.ConvertAll(s => s.Text));
    }

    [Fact]
    public void A_persisted_outbox_survives_a_reboot()
    {
        var storage = new MemoryStorage();
        var box = new Outbox(1024, 16, storage);
        box.Enqueue(Outbox.Telemetry, Msg("one"), 0, 3);
        box.Flush(0);
        box.Enqueue(Outbox.Telemetry, Msg("two"), 0, 3);
        box.Flush(1000); // routine telemetry: at most one write a minute, counted from start-up (flash wear)
        Assert.Equal(0, new Outbox(1024, 16, storage).Count);
        box.Flush(60000);
        Assert.Equal(2, new Outbox(1024, 16, storage).Count);
        box.Enqueue(Outbox.Event, Msg("ev3"), 0, 3);
        box.Flush(61000); // an event is written at once
        var restored = new Outbox(1024, 16, storage);
        Assert.Equal(3, restored.Count);
        var buf = new byte[8];
        Assert.Equal("ev3", Encoding.UTF8.GetString(buf, 0, restored.CopyEntry(2, buf)));
        Assert.Equal(Outbox.Event, restored.LeafAt(2));
    }
}
