using System.Linq;
using Edge.Firmware.Lighting;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Tests.Runtime;

/// <summary>
/// A level set by a gateway rule is reported as <c>source: rule</c>, one set by an operator as <c>override</c>
/// (protocol.md §6.2): the gateway's rule engine marks its overrides <c>args.origin: rule</c> (§10.2), the node keeps
/// the mark with the override, in flash too, so a reboot mid-rule still reports <c>rule</c>.
/// </summary>
public class RuleSourceTests
{
    private static NodeRuntimeTests.Rig Configured()
    {
        var rig = new NodeRuntimeTests.Rig();
        rig.Run(2);
        rig.Link.Deliver(rig.Topic("config"), NodeRuntimeTests.Config(5, telemetryS: 300), retained: true);
        rig.Run(30);
        Assert.Equal("schedule", rig.Json("telemetry").Last().GetProperty("source").GetString());
        return rig;
    }

    private static string Source(NodeRuntimeTests.Rig rig) => rig.Json("telemetry").Last().GetProperty("source").GetString()!;

    /// <summary>An override command (origin left out when null), then 2 s of ticks.</summary>
    private static void Override(NodeRuntimeTests.Rig rig, string id, int level, long until, string? origin, long issued)
    {
        rig.Command(id, "override", "{\"level\":" + level + ",\"until\":" + until + (origin == null ? "" : ",\"origin\":\"" + origin + "\"") + "}", issued, issued + 300);
        rig.Run(20);
    }

    [Fact]
    public void An_override_a_gateway_rule_issued_is_reported_as_rule_and_an_operators_as_override()
    {
        var rig = Configured();
        long now = rig.Clock.UtcSeconds;
        Override(rig, "r-flood-1", 100, now + 3600, "rule", now);
        Assert.Equal("ok", rig.Ack("r-flood-1").GetProperty("result").GetString());
        Assert.Equal("rule", Source(rig));
        Assert.Equal(100, rig.Json("telemetry").Last().GetProperty("level").GetInt32());

        // A newer operator override wins and is reported as what it is.
        Override(rig, "c-2", 40, now + 1800, "operator", now + 1);
        Assert.Equal("override", Source(rig));

        // Without origin (every command before this member existed): an operator's.
        Override(rig, "c-3", 60, now + 1800, null, now + 2);
        Assert.Equal("override", Source(rig));
    }

    [Fact]
    public void A_light_rebooted_during_a_rule_override_still_reports_rule()
    {
        var rig = Configured();
        long now = rig.Clock.UtcSeconds;
        Override(rig, "r-flood-1", 100, now + 3600, "rule", now);
        var after = rig.Reboot();
        after.Run(30);
        Assert.Equal(100, after.Json("telemetry").Last().GetProperty("level").GetInt32());
        Assert.Equal("rule", after.Json("telemetry").Last().GetProperty("source").GetString());
    }

    [Fact]
    public void An_unknown_origin_is_rejected_and_names_the_member()
    {
        var rig = Configured();
        long now = rig.Clock.UtcSeconds;
        Override(rig, "c-1", 100, now + 3600, "cloud", now);
        var ack = rig.Ack("c-1");
        Assert.Equal("rejected", ack.GetProperty("result").GetString());
        Assert.Contains("args.origin", ack.GetProperty("msg").GetString());
        Assert.Equal("schedule", Source(rig));
    }

    [Fact]
    public void Overrides_stored_by_the_previous_firmware_are_restored_as_operator_overrides()
    {
        // Format 1 (before the origin was kept): 'O', 1, count; level×100, start, expiry, issued, id, reason.
        var storage = new MemoryStorage();
        long now = Nodes.Jan2026;
        var record = new System.Collections.Generic.List<byte> { (byte)'O', 1, 1 };
        void Long(long v, int bytes) { for (int i = 0; i < bytes; i++) record.Add((byte)(v >> (8 * i))); }
        Long(7000, 4); Long(now - 60, 8); Long(now + 3600, 8); Long(now - 60, 8);
        record.Add(3); record.AddRange("c-1"u8.ToArray());
        record.Add(0);
        storage.Write(OverrideStore.StorageKey, record.ToArray(), record.Count);

        var set = new OverrideSet();
        new OverrideStore(storage).Restore(set, now);
        var held = set.ActiveAt(now);
        Assert.NotNull(held);
        Assert.Equal("c-1", held!.Id);
        Assert.Equal(70f, held.Level, 2);
        Assert.False(held.FromRule);
    }
}
