using System;
using System.Linq;
using System.Text.Json;
using Edge.Firmware.Protocol;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Tests.Runtime;

public class NodeRuntimeTests
{
    internal const string Schedule = "{\"schema\":1,\"profiles\":[{\"id\":\"p\",\"points\":[{\"at\":\"sunset\",\"level\":100},{\"at\":\"time\",\"time\":\"01:00\",\"level\":40},{\"at\":\"sunrise\",\"level\":0}]}]}";

    internal static string Config(long version, int telemetryS = 300, string lighting = Schedule) =>
        "{\"v\":1,\"version\":" + version + ",\"type\":\"streetlight\",\"issued\":1767200000,\"future\":{\"x\":[1,2]},\"node\":{\"telemetryS\":" + telemetryS +
        ",\"tz\":\"EET-2EEST,M3.5.0/3,M10.5.0/4\",\"lat\":37.8906,\"lon\":23.732,\"ntp\":[\"10.20.0.1\"]},\"lighting\":" + lighting + "}";

    internal sealed class Rig
    {
        public readonly MemoryStorage Storage;
        public readonly FakeClock Clock = new() { Utc = Nodes.Jan2026 };
        public readonly FakePlatform Platform = new();
        public readonly FakeSntp Sntp = new();
        public readonly FakeLink Link = new();
        public readonly FakePwm Pwm = new();
        public readonly FakeMeter Meter;
        public StreetLightNode Node;

        public Rig(MemoryStorage? storage = null)
        {
            Storage = storage ?? new MemoryStorage();
            Meter = new FakeMeter(Pwm);
            Node = new StreetLightNode(Nodes.Options(), Link, Storage, Clock, Platform, Sntp, Pwm, Meter);
        }

        /// <summary>A reboot: same storage and RTC, fresh node and link.</summary>
        public Rig Reboot()
        {
            var next = new Rig(Storage);
            next.Clock.Utc = Clock.UtcSeconds;
            next.Clock.IsSet = Clock.IsSet;
            return next;
        }

        public void Run(int ticks, long stepMs = 100)
        {
            for (int i = 0; i < ticks; i++) { Node.Tick(); Clock.Advance(stepMs); }
        }

        public string Topic(string leaf) => "edge/kalamaki/sl-0042/" + leaf;

        public JsonElement[] Json(string leaf) => Link.On(leaf).Select(s => JsonDocument.Parse(s.Text).RootElement).ToArray();

        public JsonElement LastState() => Json("state").Last();

        public JsonElement[] Events(string kind) => Json("event").Where(e => e.GetProperty("kind").GetString() == kind).ToArray();

        public JsonElement Ack(string id) => Json("cmd/ack").Last(a => a.GetProperty("id").GetString() == id);

        public void Command(string id, string kind, string args, long issued, long expires) =>
            Link.Deliver(Topic("cmd"), "{\"v\":1,\"id\":\"" + id + "\",\"kind\":\"" + kind + "\",\"args\":" + args + ",\"issued\":" + issued + ",\"expires\":" + expires + "}");
    }

    [Fact]
    public void Connects_with_id_and_secret_sets_the_retained_offline_will_and_publishes_the_birth_after_subscribing()
    {
        var rig = new Rig();
        rig.Run(3);

        var o = rig.Link.Options!;
        Assert.Equal("sl-0042", o.ClientId);
        Assert.Equal("sl-0042", o.Username);
        Assert.Equal("secret-sl-0042", o.Password);
        Assert.Equal(rig.Topic("state"), o.WillTopic);
        Assert.True(o.WillRetain);
        var will = JsonDocument.Parse(o.WillPayload).RootElement;
        Assert.Equal("offline", will.GetProperty("status").GetString());
        Assert.Equal("lost", will.GetProperty("reason").GetString());

        Assert.Equal(new[] { rig.Topic("config"), rig.Topic("cmd"), rig.Topic("time") }, rig.Link.Subscriptions);
        var birth = rig.Link.History.First(s => s.Topic == rig.Topic("state"));
        Assert.True(birth.Retain);
        Assert.Equal(3, birth.SubscribedBefore);
        var state = JsonDocument.Parse(birth.Text).RootElement;
        Assert.Equal("online", state.GetProperty("status").GetString());
        Assert.Equal("streetlight", state.GetProperty("type").GetString());
        Assert.Equal(1, state.GetProperty("boot").GetInt64());
        Assert.Equal(0, state.GetProperty("configVersion").GetInt64());
        // The birth goes out before anything from the outbox (node.boot was queued at start).
        Assert.Equal(rig.Topic("state"), rig.Link.History[0].Topic);
        Assert.Single(rig.Events("node.boot"));
    }

    [Fact]
    public void Config_applies_only_newer_versions_survives_a_reboot_and_a_rejected_one_keeps_the_previous()
    {
        var rig = new Rig();
        rig.Run(2);
        rig.Link.Deliver(rig.Topic("config"), Config(5), retained: true);
        rig.Run(3);
        Assert.Equal(5, rig.Node.Runtime.Config.AppliedVersion);
        Assert.Equal(5, rig.LastState().GetProperty("configVersion").GetInt64());

        // The retained copy again: ignored silently.
        int events = rig.Json("event").Length;
        rig.Link.Deliver(rig.Topic("config"), Config(5), retained: true);
        rig.Run(2);
        Assert.Equal(events, rig.Json("event").Length);

        // Older: stale, reported once per version.
        rig.Link.Deliver(rig.Topic("config"), Config(4));
        rig.Link.Deliver(rig.Topic("config"), Config(4));
        rig.Run(2);
        var stale = rig.Events("config.rejected");
        Assert.Single(stale);
        Assert.Equal("stale", stale[0].GetProperty("code").GetString());
        Assert.Equal(5, stale[0].GetProperty("kept").GetInt64());

        // Newer but invalid: rejected with the path, previous config kept.
        string bad = Schedule.Replace("\"level\":40", "\"level\":140");
        rig.Link.Deliver(rig.Topic("config"), Config(6, lighting: bad));
        rig.Run(3);
        var rejected = rig.Events("config.rejected").Last();
        Assert.Equal("invalid", rejected.GetProperty("code").GetString());
        Assert.Equal(6, rejected.GetProperty("version").GetInt64());
        Assert.Contains("lighting.profiles[0].points[1].level", rejected.GetProperty("errors")[0].GetString());
        Assert.Equal(5, rig.Node.Runtime.Config.AppliedVersion);
        Assert.Equal(6, rig.LastState().GetProperty("configRejected").GetInt64());

        // Wrong type.
        rig.Link.Deliver(rig.Topic("config"), Config(7).Replace("\"streetlight\"", "\"busstop\""));
        rig.Run(2);
        Assert.Equal("wrong-type", rig.Events("config.rejected").Last().GetProperty("code").GetString());

        var rebooted = rig.Reboot();
        Assert.Equal(5, rebooted.Node.Runtime.Config.AppliedVersion);
        Assert.Equal(2, rebooted.Node.Runtime.Ids.Boot);
        rebooted.Run(2);
        Assert.Equal(5, rebooted.LastState().GetProperty("configVersion").GetInt64());
    }

    [Fact]
    public void A_power_cut_while_saving_leaves_the_old_config()
    {
        var rig = new Rig();
        rig.Run(1);
        rig.Link.Deliver(rig.Topic("config"), Config(5));
        rig.Run(2);
        // Simulate a cut after the new copy was written but before the selector switched.
        var store = new VersionedStore(new TornStorage(rig.Storage), ConfigApplier.StoreName);
        try { var b = System.Text.Encoding.UTF8.GetBytes(Config(9)); store.Save(b, 0, b.Length); } catch (TornStorage.PowerCut) { }
        Assert.Equal(5, rig.Reboot().Node.Runtime.Config.AppliedVersion);
    }

    private sealed class TornStorage : IStorage
    {
        public sealed class PowerCut : Exception { }
        private readonly IStorage _inner;
        public TornStorage(IStorage inner) { _inner = inner; }
        public int Read(string key, byte[] buffer) => _inner.Read(key, buffer);
        public void Write(string key, byte[] buffer, int count)
        {
            if (key.EndsWith(".sel")) throw new PowerCut();
            _inner.Write(key, buffer, count);
        }
    }

    [Fact]
    public void Commands_are_checked_in_protocol_order_and_deduplicated_across_reboots()
    {
        var rig = new Rig();
        rig.Run(2);
        long now = rig.Clock.UtcSeconds;
        rig.Command("c-1", "override", "{\"level\":100,\"until\":" + (now + 3600) + ",\"reason\":\"flood\"}", now, now + 300);
        rig.Run(2);
        Assert.Equal("ok", rig.Ack("c-1").GetProperty("result").GetString());
        Assert.Equal(100f, rig.Node.Controller.Overrides.ActiveAt(rig.Clock.UtcSeconds)!.Level);

        rig.Command("c-1", "override", "{\"level\":100,\"until\":" + (now + 3600) + "}", now, now + 300);
        rig.Run(2);
        var dup = rig.Ack("c-1");
        Assert.Equal("duplicate", dup.GetProperty("result").GetString());
        Assert.Equal("ok", dup.GetProperty("original").GetString());

        rig.Command("c-2", "override", "{\"level\":50,\"until\":" + (now + 3600) + "}", now - 600, now - 1);
        rig.Command("c-3", "siren", "{\"on\":true}", now, now + 300);
        rig.Command("c-4", "override", "{\"level\":140,\"until\":" + (now + 3600) + "}", now, now + 300);
        rig.Command("c-5", "override.clear", "{}", now, now + 8 * 86400);
        rig.Run(3);
        Assert.Equal("expired", rig.Ack("c-2").GetProperty("result").GetString());
        Assert.Equal("unsupported", rig.Ack("c-3").GetProperty("result").GetString());
        var bad = rig.Ack("c-4");
        Assert.Equal("rejected", bad.GetProperty("result").GetString());
        Assert.Equal("args.level: 140 is out of range 0..100", bad.GetProperty("msg").GetString());
        Assert.Equal("rejected", rig.Ack("c-5").GetProperty("result").GetString());

        // No readable id: message.rejected, no ack.
        int acks = rig.Json("cmd/ack").Length;
        rig.Link.Deliver(rig.Topic("cmd"), "{\"v\":1,\"kind\":\"reboot\"");
        rig.Run(2);
        Assert.Equal(acks, rig.Json("cmd/ack").Length);
        Assert.Equal("malformed", rig.Events("message.rejected").Single().GetProperty("code").GetString());

        // Reboot command: ack, offline state, reboot; re-delivered after the reboot it is a duplicate.
        rig.Command("c-6", "reboot", "{}", now, now + 300);
        rig.Run(20);
        Assert.Equal("ok", rig.Ack("c-6").GetProperty("result").GetString());
        Assert.Equal(1, rig.Platform.Reboots);
        var offline = rig.LastState();
        Assert.Equal("offline", offline.GetProperty("status").GetString());
        Assert.Equal("reboot", offline.GetProperty("reason").GetString());

        var after = rig.Reboot();
        after.Run(2);
        Assert.Equal("software", after.Events("node.boot").Single().GetProperty("reason").GetString());
        after.Command("c-6", "reboot", "{}", now, now + 300);
        after.Run(5);
        Assert.Equal("duplicate", after.Ack("c-6").GetProperty("result").GetString());
        Assert.Equal(0, after.Platform.Reboots);
    }

    [Fact]
    public void An_override_and_its_end_are_reported_at_once_not_at_the_next_telemetry_interval()
    {
        var rig = new Rig();
        rig.Run(2);
        rig.Link.Deliver(rig.Topic("config"), Config(5, telemetryS: 300), retained: true);
        rig.Run(30); // 3 s: the config's schedule is reported (a change of source)
        int before = rig.Json("telemetry").Length;
        Assert.Equal("schedule", rig.Json("telemetry").Last().GetProperty("source").GetString());
        rig.Run(30);
        Assert.Equal(before, rig.Json("telemetry").Length); // nothing changed: nothing new

        long now = rig.Clock.UtcSeconds;
        rig.Command("c-1", "override", "{\"level\":100,\"until\":" + (now + 3600) + ",\"reason\":\"roadworks\"}", now, now + 300);
        rig.Run(20); // 2 s, far less than the 300 s interval
        var overridden = rig.Json("telemetry").Last();
        Assert.Equal(("override", 100), (overridden.GetProperty("source").GetString(), overridden.GetProperty("level").GetInt32()));

        rig.Command("c-2", "override.clear", "{}", now, now + 300);
        rig.Run(20);
        Assert.Equal("schedule", rig.Json("telemetry").Last().GetProperty("source").GetString());
        Assert.Equal(before + 2, rig.Json("telemetry").Length);
    }

    [Fact]
    public void Commands_are_rejected_while_the_clock_is_not_set_and_messages_carry_ts_zero()
    {
        var rig = new Rig();
        rig.Clock.IsSet = false;
        rig.Run(2);
        rig.Command("c-9", "override.clear", "{}", Nodes.Jan2026, Nodes.Jan2026 + 300);
        rig.Run(2);
        var ack = rig.Ack("c-9");
        Assert.Equal("rejected", ack.GetProperty("result").GetString());
        Assert.Equal(0, ack.GetProperty("ts").GetInt64());
        Assert.Equal(0, rig.Json("telemetry")[0].GetProperty("ts").GetInt64());
        Assert.Equal("default", rig.Json("telemetry")[0].GetProperty("source").GetString());
        Assert.Equal(1f, rig.Pwm.Duty); // lamp stays on (protocol §12.5)
    }

    [Fact]
    public void Gateway_time_is_used_only_when_sntp_is_unreachable_and_never_when_unsynced()
    {
        var rig = new Rig();
        rig.Clock.IsSet = false;
        rig.Run(2);
        Assert.True(rig.Sntp.Queries > 0);
        Assert.False(rig.Node.Runtime.Time.ClockSet);

        rig.Link.Deliver(rig.Topic("time"), "{\"v\":1,\"ts\":1767300000,\"ms\":5,\"source\":\"unsynced\"}");
        rig.Link.Deliver(rig.Topic("time"), "{\"v\":1,\"ts\":");
        rig.Run(2);
        Assert.False(rig.Node.Runtime.Time.ClockSet);
        Assert.Equal(2, rig.Node.Runtime.Time.IgnoredGatewayTimes);

        rig.Link.Deliver(rig.Topic("time"), "{\"v\":1,\"ts\":1767300000,\"ms\":5,\"source\":\"ntp\"}");
        rig.Run(1);
        Assert.True(rig.Node.Runtime.Time.ClockSet);
        Assert.Equal("gateway", rig.Node.Runtime.Time.Source);
        Assert.InRange(rig.Clock.UtcSeconds, 1767300000, 1767300001);

        // SNTP comes back (retry after 10 min) and wins; gateway time is then ignored for 12 h.
        rig.Sntp.Reachable = true;
        rig.Sntp.Time = 1767300700;
        rig.Clock.Advance(TimeSync.SntpRetryMs);
        rig.Run(1);
        Assert.Equal("sntp", rig.Node.Runtime.Time.Source);
        long before = rig.Clock.UtcSeconds;
        rig.Link.Deliver(rig.Topic("time"), "{\"v\":1,\"ts\":1767400000,\"source\":\"ntp\"}");
        rig.Run(1);
        Assert.InRange(rig.Clock.UtcSeconds, before, before + 1);
    }

    [Fact]
    public void The_watchdog_reboots_a_stuck_loop_and_the_next_boot_reports_it()
    {
        var rig = new Rig();
        rig.Run(5);
        rig.Clock.Advance(119_000);
        Assert.False(rig.Node.Runtime.CheckWatchdog());
        rig.Clock.Advance(2_000);
        Assert.True(rig.Node.Runtime.CheckWatchdog());
        Assert.Equal(1, rig.Platform.Reboots);

        var after = rig.Reboot();
        after.Run(3);
        Assert.Equal("watchdog", after.Events("node.boot").Single().GetProperty("reason").GetString());
        var wd = after.Events("node.watchdog").Single();
        Assert.Equal("control", wd.GetProperty("task").GetString());
        Assert.Equal(121, wd.GetProperty("stuckS").GetInt64());
        Assert.Equal("watchdog", after.LastState().GetProperty("resetReason").GetString());
    }

    [Fact]
    public void After_a_broker_restart_the_outbox_drains_in_order_with_the_same_boot_and_seq()
    {
        var rig = new Rig();
        rig.Link.Deliver(rig.Topic("config"), Config(3, telemetryS: 10));
        rig.Run(20);
        rig.Link.AutoAck = false;
        rig.Run(200); // 20 s: telemetry sent but never acknowledged
        rig.Link.Drop();
        rig.Run(1);
        rig.Link.AcceptConnect = false;
        rig.Run(600); // 60 s offline: more telemetry queued, reconnects fail
        Assert.True(rig.Node.Runtime.Outbox.Count >= 6);
        rig.Link.AcceptConnect = true;
        rig.Link.AutoAck = true;
        rig.Run(4000);
        Assert.Equal(0, rig.Node.Runtime.Outbox.Count);

        var seqs = rig.Json("telemetry").Select(t => t.GetProperty("seq").GetInt64()).ToArray();
        var distinct = seqs.Distinct().ToArray();
        Assert.Equal(distinct.OrderBy(s => s), distinct);  // first transmissions in creation order
        Assert.True(seqs.Length > distinct.Length);       // some re-sent …
        foreach (var group in rig.Link.On("telemetry").GroupBy(s => JsonDocument.Parse(s.Text).RootElement.GetProperty("seq").GetInt64()))
        {
            Assert.Single(group.Select(s => s.Text).Distinct()); // … byte for byte (same boot, seq, ts)
        }
    }

    [Fact]
    public void A_connected_street_light_allocates_nothing_in_ticks_without_messages_and_a_bounded_amount_per_message()
    {
        var rig = new Rig();
        rig.Link.KeepHistory = false;
        rig.Link.Deliver(rig.Topic("config"), Config(3, telemetryS: 10));
        rig.Run(100);

        long before = GC.GetAllocatedBytesForCurrentThread();
        rig.Run(99); // < 10 s: no telemetry falls due
        long quiet = GC.GetAllocatedBytesForCurrentThread() - before;

        int sent = rig.Node.Runtime.Ids.NextSeq() is var s ? (int)s : 0;
        before = GC.GetAllocatedBytesForCurrentThread();
        rig.Run(20_000, 100); // 2000 s: ~200 telemetry messages, each acked
        long busy = GC.GetAllocatedBytesForCurrentThread() - before;
        long messages = rig.Node.Runtime.Ids.Seq - sent;

        Assert.Equal(0, quiet);
        Assert.InRange(messages, 190, 210);
        Assert.Equal(0, busy);
    }
}
