using System.IO;
using System.Text.Json;
using Edge.Gateway.Downlink;

namespace Edge.Gateway.Tests.Downlink;

/// <summary>Overrides as desired state in the gateway's ledger (protocol.md §10.5), on a real <c>downlink.db</c>.</summary>
public sealed class OverrideLedgerTests
{
    const long Now = 1767304800;

    static DesiredCommand Command(string id, string kind, object args, long issued) => new("sl-0001", id, issued + 300,
        JsonSerializer.SerializeToUtf8Bytes(new { v = 1, id, kind, args, issued, expires = issued + 300 }));

    [Fact]
    public void An_acked_override_is_resent_with_a_fresh_delivery_window_until_it_ends_and_a_clear_forgets_it()
    {
        using var store = new DownlinkStore(Path.Combine(TestGateway.NewTempDir(), "downlink.db"));
        var ledger = new OverrideLedger(store);
        var kept = Command("c-1", "override", new { level = 30, until = Now + 3600 }, Now);
        var refused = Command("c-2", "override", new { level = 90, until = Now + 3600 }, Now);
        store.AddCommand(kept);
        store.AddCommand(refused);
        ledger.OnAck("sl-0001", "c-1", "ok");
        ledger.OnAck("sl-0001", "c-2", "rejected");
        ledger.OnAck("sl-0002", "c-1", "ok"); // another node's ack of this id changes nothing

        // Half an hour later, long after the original delivery window, the node is born again.
        var resend = Assert.Single(ledger.Resends("sl-0001", Now + 1800));
        var root = JsonDocument.Parse(resend).RootElement;
        Assert.Equal(("c-1", Now, Now + 1800 + OverrideLedger.ResendWindowSeconds), (root.GetProperty("id").GetString(), root.GetProperty("issued").GetInt64(), root.GetProperty("expires").GetInt64()));
        Assert.Equal(30, root.GetProperty("args").GetProperty("level").GetInt32());
        // Near its end the window shrinks to the end; after its end nothing is sent.
        Assert.Equal(Now + 3600, JsonDocument.Parse(Assert.Single(ledger.Resends("sl-0001", Now + 3500))).RootElement.GetProperty("expires").GetInt64());
        Assert.Empty(ledger.Resends("sl-0001", Now + 3600));
        Assert.Empty(ledger.Resends("sl-0002", Now + 1800));

        var clear = Command("c-3", "override.clear", new { }, Now + 60);
        store.AddCommand(clear);
        ledger.OnAck("sl-0001", "c-3", "ok");
        Assert.Empty(ledger.Resends("sl-0001", Now + 120));
    }

    [Fact]
    public void An_override_longer_than_the_command_lifetime_is_resent_only_within_seven_days_of_issue()
    {
        using var store = new DownlinkStore(Path.Combine(TestGateway.NewTempDir(), "downlink.db"));
        var ledger = new OverrideLedger(store);
        var month = Command("c-long", "override", new { level = 0, until = Now + 30 * 86400 }, Now);
        store.AddCommand(month);
        ledger.OnAck("sl-0001", "c-long", "ok");
        Assert.Equal(Now + 7 * 86400, JsonDocument.Parse(Assert.Single(ledger.Resends("sl-0001", Now + 7 * 86400 - 100))).RootElement.GetProperty("expires").GetInt64());
        Assert.Empty(ledger.Resends("sl-0001", Now + 7 * 86400)); // the node would reject expires − issued > 7 days
    }
}
