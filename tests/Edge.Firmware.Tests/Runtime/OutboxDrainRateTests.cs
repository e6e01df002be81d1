using System.Collections.Generic;
using System.Linq;
using System.Text;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Tests.Runtime;

/// <summary>
/// protocol.md §13 / §14.4: a node drains its outbox at most 20 messages per second and with at most 4 unacknowledged
/// publishes in flight, oldest first. A backlog of 200 drained against a link that acknowledges everything at once
/// (so only the rate limit holds it back) and against one that acknowledges nothing (so only the in-flight limit
/// does), on the test's own clock, pumped every 50 ms as the node's loop would.
/// </summary>
public class OutboxDrainRateTests
{
    private static readonly string[] Topics = { "t", "e", "a" };

    private static Outbox Backlog(int count)
    {
        var box = new Outbox(64 * 1024, 256, null);
        for (int i = 0; i < count; i++)
        {
            var message = Encoding.ASCII.GetBytes("m" + i);
            box.Enqueue(i % 5 == 0 ? Outbox.Event : Outbox.Telemetry, message, 0, message.Length);
        }
        return box;
    }

    /// <summary>Pumps every <paramref name="stepMs"/> of node time against a link that acknowledges at once; what went out when.</summary>
    private static List<(long Ms, string Name)> Drain(Outbox box, long stepMs)
    {
        var link = new FakeLink();
        link.BeginConnect(new LinkOptions());
        var sentAt = new List<(long Ms, string Name)>();
        for (long now = 0; box.Count > 0 && now < 60_000; now += stepMs)
        {
            int before = link.History.Count;
            box.Pump(link, Topics, now);
            for (int i = before; i < link.History.Count; i++) sentAt.Add((now, link.History[i].Text));
            while (link.TryGetAcknowledged(out int id)) box.Acknowledge(id);
        }
        return sentAt;
    }

    /// <summary>Every sliding one-second window, not only the outbox's own windows.</summary>
    private static void AtMostPerSecond(List<(long Ms, string Name)> sentAt, int limit)
    {
        foreach (var (ms, _) in sentAt)
        {
            Assert.True(sentAt.Count(s => s.Ms >= ms && s.Ms < ms + 1000) <= limit, $"more than {limit} sent in the second from {ms} ms");
        }
    }

    [Fact]
    public void A_backlog_drains_in_order_at_no_more_than_20_messages_in_any_second()
    {
        var box = Backlog(200);
        var sentAt = Drain(box, 50);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => "m" + i), sentAt.Select(s => s.Name)); // all, once, oldest first
        AtMostPerSecond(sentAt, Outbox.MaxPerSecond);
        Assert.Equal(20, Outbox.MaxPerSecond); // the documented figure
        Assert.True(sentAt[^1].Ms >= 9_000, $"200 messages at ≤ 20/s take at least 9 s of node time, took {sentAt[^1].Ms} ms");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // a RAM ring so small that most of the burst waits in the flash ring
    public void A_burst_of_35_events_goes_out_in_order_with_no_more_than_10_in_any_second(bool throughFlash)
    {
        var box = throughFlash ? new Outbox(32, 16, new MemoryStorage(), 64 * 1024) : new Outbox(64 * 1024, 256, null);
        for (int i = 0; i < 35; i++)
        {
            var message = Encoding.ASCII.GetBytes("e" + i);
            Assert.True(box.Enqueue(Outbox.Event, message, 0, message.Length));
        }
        Assert.Equal(35, box.Count);
        Assert.Equal(throughFlash, box.Flash is { Count: > 0 });
        var sentAt = Drain(box, 10);
        Assert.Equal(Enumerable.Range(0, 35).Select(i => "e" + i), sentAt.Select(s => s.Name)); // all, once, in order
        AtMostPerSecond(sentAt, 10);
        Assert.True(sentAt[^1].Ms >= 3_000, $"35 events at ≤ 10/s take at least 3 s of node time, took {sentAt[^1].Ms} ms");
    }

    [Fact]
    public void An_event_over_its_burst_limit_holds_back_the_telemetry_behind_it()
    {
        var box = new Outbox(64 * 1024, 256, null);
        for (int i = 0; i < 12; i++)
        {
            var message = Encoding.ASCII.GetBytes("m" + i);
            box.Enqueue(i == 11 ? Outbox.Telemetry : Outbox.Event, message, 0, message.Length);
        }
        var link = new FakeLink();
        link.BeginConnect(new LinkOptions());
        for (long now = 0; now < 1000; now += 10)
        {
            box.Pump(link, Topics, now);
            while (link.TryGetAcknowledged(out int id)) box.Acknowledge(id);
        }
        Assert.Equal(Enumerable.Range(0, 10).Select(i => "m" + i), link.History.Select(s => s.Text)); // the 11th event and the telemetry behind it wait
        box.Pump(link, Topics, 1000);
        Assert.Equal(new[] { "m10", "m11" }, link.History.Skip(10).Select(s => s.Text));
    }

    [Fact]
    public void No_more_than_4_publishes_are_ever_unacknowledged()
    {
        var box = Backlog(50);
        var link = new FakeLink { AutoAck = false };
        link.BeginConnect(new LinkOptions());
        for (long now = 0; now < 5_000; now += 50) box.Pump(link, Topics, now);
        Assert.Equal(4, link.History.Count);
        Assert.Equal(new[] { "m0", "m1", "m2", "m3" }, link.History.Select(s => s.Text));
        Assert.Equal(Outbox.MaxInFlight, box.InFlight);
    }
}
