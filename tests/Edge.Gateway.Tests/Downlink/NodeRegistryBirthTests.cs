using System;
using System.IO;
using Edge.Gateway.Registry;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Gateway.Tests.Downlink;

/// <summary>
/// Births and heartbeats (protocol.md §4.2, §12.3, §10.4): the gateway sends time and re-sends commands after a
/// birth — the first <c>online</c> of a connection or of a new boot — and not after the hourly heartbeat. An
/// accelerated demo node sends a heartbeat every minute of wall time; taken as births, each stepped its clock back
/// to the present. On a real gateway database.
/// </summary>
public sealed class NodeRegistryBirthTests : IDisposable
{
    readonly string _dir = TestGateway.NewTempDir();
    readonly NodeRegistry _registry;

    public NodeRegistryBirthTests()
    {
        _registry = new NodeRegistry(Path.Combine(_dir, "gateway.db"), 1000, NullLogger<NodeRegistry>.Instance);
        _registry.Add(new NodeRegistration("sl-0001", TestGateway.Site, "streetlight"));
    }

    public void Dispose()
    {
        _registry.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    static NodeStateReport Online(long boot) => new(NodeStatus.Online, null, "streetlight", "1.2.0", null, 43, null, null, boot);

    [Fact]
    public void Only_the_first_online_of_a_connection_or_of_a_boot_is_a_birth()
    {
        _registry.SetConnected("sl-0001", true);
        Assert.True(_registry.ApplyState("sl-0001", Online(17)));   // birth
        Assert.False(_registry.ApplyState("sl-0001", Online(17)));  // heartbeat
        Assert.False(_registry.ApplyState("sl-0001", Online(17)));  // heartbeat (or a config-version change, §4.2)
        Assert.True(_registry.ApplyState("sl-0001", Online(18)));   // it rebooted between two of our looks

        _registry.SetConnected("sl-0001", false);                   // the connection ends…
        _registry.SetConnected("sl-0001", true);                    // …and a new one starts: same boot, new birth
        Assert.True(_registry.ApplyState("sl-0001", Online(18)));
        Assert.False(_registry.ApplyState("sl-0001", Online(18)));

        Assert.False(_registry.ApplyState("sl-0001", new NodeStateReport(NodeStatus.Asleep, null, null, null, null, null, null, 1767305460, 18)));
        Assert.True(_registry.ApplyState("sl-0001", Online(18)));   // woke up (boot continues across deep sleep, §4.6)
        Assert.False(_registry.ApplyState("sl-0001", new NodeStateReport(NodeStatus.Offline, "lost", null, null, null, null, null, null)));
        Assert.True(_registry.ApplyState("sl-0001", Online(18)));   // back after its will (external broker: no connect event)
    }

    [Fact]
    public void A_takeover_connect_without_a_disconnect_makes_the_next_online_a_birth()
    {
        _registry.SetConnected("sl-0001", true);
        Assert.True(_registry.ApplyState("sl-0001", Online(5)));
        _registry.SetConnected("sl-0001", true); // the embedded broker: the same node connected again (MQTT session takeover)
        Assert.True(_registry.ApplyState("sl-0001", Online(5)));
    }
}
