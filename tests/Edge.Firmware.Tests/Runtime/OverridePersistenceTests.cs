using Edge.Firmware.Runtime;
using Xunit;

namespace Edge.Firmware.Tests.Runtime;

/// <summary>A street light on fakes whose flash survives "reboots" (a new node over the same storage).</summary>
internal sealed class LightRig
{
    public const string Cmd = "edge/kalamaki/sl-0042/cmd";
    public readonly MemoryStorage Storage = new();
    public readonly FakePwm Pwm = new();
    public readonly FakePlatform Platform = new();
    public FakeClock Clock;
    public FakeLink Link = new();
    public StreetLightNode Node;

    public LightRig(long utc)
    {
        Clock = new FakeClock { Utc = utc };
        Node = Boot();
    }

    /// <summary>A reboot on the same flash; <paramref name="clock"/> replaces the RTC (a power cut loses it).</summary>
    public StreetLightNode Reboot(FakeClock? clock = null)
    {
        if (clock != null) Clock = clock;
        Link = new FakeLink();
        Node = Boot();
        return Node;
    }

    public void Run(int seconds)
    {
        for (int i = 0; i < seconds; i++) { Node.Tick(); Clock.Advance(1000); }
    }

    public void Send(string json) => Link.Deliver(Cmd, json);

    private StreetLightNode Boot() => new(Nodes.Options(), Link, Storage, Clock, Platform, null, Pwm, new FakeMeter(Pwm));
}

/// <summary>
/// Overrides are desired state with an end (docs/protocol.md §10.5): they survive a reboot, an override that
/// ended while the node was down is not re-applied, and nothing is restored before the clock can judge expiry.
/// </summary>
public class OverridePersistenceTests
{
    // 1 January 2026, 12:00 UTC: daylight, so the residential default (dusk to dawn) says 0 % and an override shows.
    private const long Noon = Nodes.Jan2026 + 12 * 3600;

    private static string Override(string id, int level, long issued, long until)
        => "{\"v\":1,\"id\":\"" + id + "\",\"kind\":\"override\",\"args\":{\"level\":" + level + ",\"until\":" + until
           + ",\"reason\":\"festival ΠΑΝΗΓΥΡΙ\"},\"issued\":" + issued + ",\"expires\":" + (issued + 300) + "}";

    private static string Clear(string id, long issued)
        => "{\"v\":1,\"id\":\"" + id + "\",\"kind\":\"override.clear\",\"args\":{},\"issued\":" + issued + ",\"expires\":" + (issued + 60) + "}";

    [Fact]
    public void A_node_rebooted_mid_override_returns_to_the_override_level_at_once()
    {
        var rig = new LightRig(Noon);
        rig.Run(5);
        Assert.Equal(0f, rig.Node.Controller.Level);
        rig.Send(Override("c-70", 70, rig.Clock.UtcSeconds, rig.Clock.UtcSeconds + 3600));
        rig.Run(5);
        Assert.Equal(70f, rig.Node.Controller.Level);

        // Software reboot: the RTC keeps time, the flash keeps the override.
        var rebooted = rig.Reboot();
        rig.Run(2);
        Assert.Equal(70f, rebooted.Controller.Level);
        var restored = rebooted.Controller.Overrides.ActiveAt(rig.Clock.UtcSeconds)!;
        Assert.Equal(("c-70", "festival ΠΑΝΗΓΥΡΙ"), (restored.Id, restored.Reason));

        // It still ends when it was commanded to end.
        rig.Run(3600);
        Assert.Equal(0f, rebooted.Controller.Level);
    }

    [Fact]
    public void The_newest_issued_override_still_wins_after_a_reboot()
    {
        var rig = new LightRig(Noon);
        rig.Run(2);
        long now = rig.Clock.UtcSeconds;
        rig.Send(Override("c-late", 100, now, now + 7200));
        rig.Send(Override("c-early", 20, now - 60, now + 7200)); // arrives later, issued earlier
        rig.Run(2);
        Assert.Equal(100f, rig.Node.Controller.Level);

        var rebooted = rig.Reboot();
        rig.Run(2);
        Assert.Equal(100f, rebooted.Controller.Level);
        Assert.Equal(2, rebooted.Controller.Overrides.Count);
    }

    [Fact]
    public void An_override_that_ended_while_the_node_was_down_is_not_reapplied_and_is_dropped_from_flash()
    {
        var rig = new LightRig(Noon);
        rig.Run(2);
        rig.Send(Override("c-short", 80, rig.Clock.UtcSeconds, rig.Clock.UtcSeconds + 600));
        rig.Run(2);
        Assert.Equal(80f, rig.Node.Controller.Level);
        int writes = rig.Storage.WritesOf(OverrideStore.StorageKey);

        rig.Clock.Advance(3600 * 1000); // down for an hour
        var rebooted = rig.Reboot();
        rig.Run(2);
        Assert.Equal(0f, rebooted.Controller.Level);
        Assert.Equal(0, rebooted.Controller.Overrides.Count);
        Assert.Equal(writes + 1, rig.Storage.WritesOf(OverrideStore.StorageKey)); // rewritten once without it

        var again = rig.Reboot();
        rig.Run(2);
        Assert.Equal(0, again.Controller.Overrides.Count);
        Assert.Equal(writes + 1, rig.Storage.WritesOf(OverrideStore.StorageKey));
    }

    [Fact]
    public void Without_a_set_clock_the_override_waits_and_is_judged_when_time_arrives()
    {
        var rig = new LightRig(Noon);
        rig.Run(2);
        long now = rig.Clock.UtcSeconds;
        rig.Send(Override("c-long", 30, now, now + 4 * 3600));
        rig.Send(Override("c-brief", 90, now + 1, now + 1800));
        rig.Run(2);
        Assert.Equal(90f, rig.Node.Controller.Level);

        // Power cut: the RTC starts from nothing. Nothing can say whether the overrides have ended yet.
        var powerCut = new FakeClock { Utc = 0, IsSet = false };
        var rebooted = rig.Reboot(powerCut);
        rig.Run(30);
        Assert.Equal(0, rebooted.Controller.Overrides.Count);
        Assert.Equal(100f, rebooted.Controller.Level); // the safe default without a clock (§12.5): on

        // Time arrives an hour after the cut: the brief override has ended, the long one is back.
        powerCut.SetUtc(now + 3600, 0);
        rig.Run(2);
        Assert.Equal(30f, rebooted.Controller.Level);
        Assert.Equal("c-long", rebooted.Controller.Overrides.ActiveAt(powerCut.UtcSeconds)!.Id);
        Assert.Equal(1, rebooted.Controller.Overrides.Count);
    }

    [Fact]
    public void Flash_is_written_only_when_a_command_changes_the_overrides()
    {
        var rig = new LightRig(Noon);
        rig.Run(600);
        Assert.Equal(0, rig.Storage.WritesOf(OverrideStore.StorageKey));

        long now = rig.Clock.UtcSeconds;
        rig.Send(Override("c-1", 60, now, now + 600));
        rig.Run(1200); // runs out on its own: not a reason to write
        Assert.Equal(1, rig.Storage.WritesOf(OverrideStore.StorageKey));

        rig.Send(Override("c-1", 60, now, now + 600)); // re-delivered: a duplicate, nothing changes
        rig.Send(Clear("c-2", rig.Clock.UtcSeconds)); // nothing left to clear
        rig.Run(2);
        Assert.Equal(1, rig.Storage.WritesOf(OverrideStore.StorageKey));

        rig.Send(Override("c-3", 40, rig.Clock.UtcSeconds, rig.Clock.UtcSeconds + 600));
        rig.Send(Clear("c-4", rig.Clock.UtcSeconds));
        rig.Run(2);
        Assert.Equal(3, rig.Storage.WritesOf(OverrideStore.StorageKey));
        var rebooted = rig.Reboot();
        rig.Run(2);
        Assert.Equal(0, rebooted.Controller.Overrides.Count); // a cleared override stays cleared
    }
}

/// <summary>A planned stop (protocol §4.3): offline with reason <c>shutdown</c>, acknowledged, then DISCONNECT — no will.</summary>
public class PlannedShutdownTests
{
    [Fact]
    public void A_planned_shutdown_publishes_offline_shutdown_then_disconnects_without_rebooting()
    {
        var rig = new LightRig(Nodes.Jan2026);
        rig.Run(5);
        Assert.Equal(LinkState.Connected, rig.Link.State);

        rig.Node.Runtime.BeginShutdown();
        for (int i = 0; i < 10 && !rig.Node.Runtime.Halted; i++) { rig.Node.Tick(); rig.Clock.Advance(100); }

        Assert.True(rig.Node.Runtime.Halted);
        Assert.Equal(0, rig.Platform.Reboots);
        Assert.Equal((LinkState.Disconnected, 1), (rig.Link.State, rig.Link.Disconnects)); // closed with DISCONNECT: the broker keeps the will to itself
        var last = rig.Link.On("state")[^1];
        Assert.True(last.Retain);
        var state = System.Text.Json.JsonDocument.Parse(last.Text).RootElement;
        Assert.Equal(("offline", "shutdown"), (state.GetProperty("status").GetString(), state.GetProperty("reason").GetString()));
        Assert.Equal(0, rig.Node.Runtime.Outbox.Count); // node.boot and telemetry went out before the stop
    }
}
