using Edge.Firmware.Runtime;
using Xunit;

namespace Edge.Firmware.Tests.Runtime;

/// <summary>
/// Overrides are desired state with an end (docs/protocol.md §10.5): they survive a reboot, an override that
/// ended while the node was down is not re-applied, and nothing is restored before the clock can judge expiry.
/// </summary>
public class OverridePersistenceTests
{
    private const string Cmd = "edge/kalamaki/sl-0042/cmd";
    // 1 January 2026, 12:00 UTC: daylight, so the residential default (dusk to dawn) says 0 % and an override shows.
    private const long Noon = Nodes.Jan2026 + 12 * 3600;

    private static StreetLightNode Boot(MemoryStorage storage, FakeClock clock, FakeLink link, FakePwm pwm)
        => new(Nodes.Options(), link, storage, clock, new FakePlatform(), null, pwm, new FakeMeter(pwm));

    private static void Run(StreetLightNode node, FakeClock clock, int seconds)
    {
        for (int i = 0; i < seconds; i++) { node.Tick(); clock.Advance(1000); }
    }

    private static string Override(string id, int level, long issued, long until)
        => "{\"v\":1,\"id\":\"" + id + "\",\"kind\":\"override\",\"args\":{\"level\":" + level + ",\"until\":" + until
           + ",\"reason\":\"festival ΠΑΝΗΓΥΡΙ\"},\"issued\":" + issued + ",\"expires\":" + (issued + 300) + "}";

    [Fact]
    public void A_node_rebooted_mid_override_returns_to_the_override_level_at_once()
    {
        var storage = new MemoryStorage();
        var clock = new FakeClock { Utc = Noon };
        var pwm = new FakePwm();
        var link = new FakeLink();
        var node = Boot(storage, clock, link, pwm);
        Run(node, clock, 5);
        Assert.Equal(0f, node.Controller.Level);
        link.Deliver(Cmd, Override("c-70", 70, clock.UtcSeconds, clock.UtcSeconds + 3600));
        Run(node, clock, 5);
        Assert.Equal(70f, node.Controller.Level);

        // Software reboot: the RTC keeps time, the flash keeps the override.
        var rebooted = Boot(storage, clock, new FakeLink(), pwm);
        Run(rebooted, clock, 2);
        Assert.Equal(70f, rebooted.Controller.Level);
        var restored = rebooted.Controller.Overrides.ActiveAt(clock.UtcSeconds)!;
        Assert.Equal("c-70", restored.Id);
        Assert.Equal("festival ΠΑΝΗΓΥΡΙ", restored.Reason);

        // It still ends when it was commanded to end.
        Run(rebooted, clock, 3600);
        Assert.Equal(0f, rebooted.Controller.Level);
    }

    [Fact]
    public void The_newest_issued_override_still_wins_after_a_reboot()
    {
        var storage = new MemoryStorage();
        var clock = new FakeClock { Utc = Noon };
        var pwm = new FakePwm();
        var link = new FakeLink();
        var node = Boot(storage, clock, link, pwm);
        Run(node, clock, 2);
        long now = clock.UtcSeconds;
        link.Deliver(Cmd, Override("c-late", 100, now, now + 7200));
        link.Deliver(Cmd, Override("c-early", 20, now - 60, now + 7200)); // arrives later, issued earlier
        Run(node, clock, 2);
        Assert.Equal(100f, node.Controller.Level);

        var rebooted = Boot(storage, clock, new FakeLink(), pwm);
        Run(rebooted, clock, 2);
        Assert.Equal(100f, rebooted.Controller.Level);
        Assert.Equal(2, rebooted.Controller.Overrides.Count);
    }

    [Fact]
    public void An_override_that_ended_while_the_node_was_down_is_not_reapplied_and_is_dropped_from_flash()
    {
        var storage = new MemoryStorage();
        var clock = new FakeClock { Utc = Noon };
        var pwm = new FakePwm();
        var link = new FakeLink();
        var node = Boot(storage, clock, link, pwm);
        Run(node, clock, 2);
        link.Deliver(Cmd, Override("c-short", 80, clock.UtcSeconds, clock.UtcSeconds + 600));
        Run(node, clock, 2);
        Assert.Equal(80f, node.Controller.Level);
        int writes = storage.WritesOf(OverrideStore.StorageKey);

        clock.Advance(3600 * 1000); // down for an hour
        var rebooted = Boot(storage, clock, new FakeLink(), pwm);
        Run(rebooted, clock, 2);
        Assert.Equal(0f, rebooted.Controller.Level);
        Assert.Equal(0, rebooted.Controller.Overrides.Count);
        Assert.Equal(writes + 1, storage.WritesOf(OverrideStore.StorageKey)); // rewritten once without it

        var again = Boot(storage, clock, new FakeLink(), pwm);
        Run(again, clock, 2);
        Assert.Equal(0, again.Controller.Overrides.Count);
        Assert.Equal(writes + 1, storage.WritesOf(OverrideStore.StorageKey));
    }

    [Fact]
    public void Without_a_set_clock_the_override_waits_and_is_judged_when_time_arrives()
    {
        var storage = new MemoryStorage();
        var clock = new FakeClock { Utc = Noon };
        var pwm = new FakePwm();
        var link = new FakeLink();
        var node = Boot(storage, clock, link, pwm);
        Run(node, clock, 2);
        long now = clock.UtcSeconds;
        link.Deliver(Cmd, Override("c-long", 30, now, now + 4 * 3600));
        link.Deliver(Cmd, Override("c-brief", 90, now + 1, now + 1800));
        Run(node, clock, 2);
        Assert.Equal(90f, node.Controller.Level);

        // Power cut: the RTC starts from nothing. Nothing can say whether the overrides have ended yet.
        var powerCut = new FakeClock { Utc = 0, IsSet = false };
        var rebooted = Boot(storage, powerCut, new FakeLink(), pwm);
        Run(rebooted, powerCut, 30);
        Assert.Equal(0, rebooted.Controller.Overrides.Count);
        Assert.Equal(100f, rebooted.Controller.Level); // the safe default without a clock (§12.5): on

        // Time arrives an hour after the cut: the brief override has ended, the long one is back.
        powerCut.SetUtc(now + 3600, 0);
        Run(rebooted, powerCut, 2);
        Assert.Equal(30f, rebooted.Controller.Level);
        Assert.Equal("c-long", rebooted.Controller.Overrides.ActiveAt(powerCut.UtcSeconds)!.Id);
        Assert.Equal(1, rebooted.Controller.Overrides.Count);
    }

    [Fact]
    public void Flash_is_written_only_when_a_command_changes_the_overrides()
    {
        var storage = new MemoryStorage();
        var clock = new FakeClock { Utc = Noon };
        var pwm = new FakePwm();
        var link = new FakeLink();
        var node = Boot(storage, clock, link, pwm);
        Run(node, clock, 600);
        Assert.Equal(0, storage.WritesOf(OverrideStore.StorageKey));

        long now = clock.UtcSeconds;
        link.Deliver(Cmd, Override("c-1", 60, now, now + 600));
        Run(node, clock, 1200); // runs out on its own: not a reason to write
        Assert.Equal(1, storage.WritesOf(OverrideStore.StorageKey));

        link.Deliver(Cmd, Override("c-1", 60, now, now + 600)); // re-delivered: a duplicate, nothing changes
        link.Deliver(Cmd, "{\"v\":1,\"id\":\"c-2\",\"kind\":\"override.clear\",\"args\":{},\"issued\":" + clock.UtcSeconds + ",\"expires\":" + (clock.UtcSeconds + 60) + "}");
        Run(node, clock, 2);
        Assert.Equal(1, storage.WritesOf(OverrideStore.StorageKey));

        link.Deliver(Cmd, Override("c-3", 40, clock.UtcSeconds, clock.UtcSeconds + 600));
        link.Deliver(Cmd, "{\"v\":1,\"id\":\"c-4\",\"kind\":\"override.clear\",\"args\":{},\"issued\":" + clock.UtcSeconds + ",\"expires\":" + (clock.UtcSeconds + 60) + "}");
        Run(node, clock, 2);
        Assert.Equal(3, storage.WritesOf(OverrideStore.StorageKey));
        var rebooted = Boot(storage, clock, new FakeLink(), pwm);
        Run(rebooted, clock, 2);
        Assert.Equal(0, rebooted.Controller.Overrides.Count); // a cleared override stays cleared
    }
}

/// <summary>A planned stop (protocol §4.3): offline with reason <c>shutdown</c>, acknowledged, then DISCONNECT — no will.</summary>
public class PlannedShutdownTests
{
    [Fact]
    public void A_planned_shutdown_publishes_offline_shutdown_then_disconnects_without_rebooting()
    {
        var storage = new MemoryStorage();
        var clock = new FakeClock { Utc = Nodes.Jan2026 };
        var pwm = new FakePwm();
        var link = new FakeLink();
        var platform = new FakePlatform();
        var node = new StreetLightNode(Nodes.Options(), link, storage, clock, platform, null, pwm, new FakeMeter(pwm));
        for (int i = 0; i < 5; i++) { node.Tick(); clock.Advance(1000); }
        Assert.Equal(LinkState.Connected, link.State);

        node.Runtime.BeginShutdown();
        for (int i = 0; i < 10 && !node.Runtime.Halted; i++) { node.Tick(); clock.Advance(100); }

        Assert.True(node.Runtime.Halted);
        Assert.Equal(0, platform.Reboots);
        Assert.Equal((LinkState.Disconnected, 1), (link.State, link.Disconnects)); // closed with DISCONNECT: the broker keeps the will to itself
        var last = link.On("state")[^1];
        Assert.True(last.Retain);
        var state = System.Text.Json.JsonDocument.Parse(last.Text).RootElement;
        Assert.Equal("offline", state.GetProperty("status").GetString());
        Assert.Equal("shutdown", state.GetProperty("reason").GetString());
        Assert.Equal(0, node.Runtime.Outbox.Count); // node.boot and telemetry went out before the stop
    }
}
