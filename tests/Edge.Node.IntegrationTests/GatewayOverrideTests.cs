using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Tasks;
using Edge.Firmware.Host.Configuration;
using Edge.Firmware.Host.Hosting;
using Edge.Gateway;
using Edge.Gateway.Downlink;
using Edge.Gateway.Registry;
using Edge.Node.IntegrationTests.Mosquitto;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Node.IntegrationTests;

/// <summary>
/// An override is desired state (protocol.md §10.5), end to end between the real gateway (embedded broker, command
/// dispatcher) and a host street light over real MQTT: a node restarted mid-override comes back at the override
/// level from its flash; a node that lost its flash gets the override again from the gateway after its birth.
/// </summary>
public sealed class GatewayOverrideTests : IAsyncLifetime
{
    private const string Site = "kalamaki";
    private const string NodeId = "sl-0042";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edge-override-" + Guid.NewGuid().ToString("N"));
    private WebApplication _gateway = null!;
    private int _mqttPort;
    private string _secret = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _mqttPort = FreePort();
        _gateway = GatewayHost.Build(new[]
        {
            "--data-dir", Path.Combine(_dir, "gateway"), "--port", _mqttPort.ToString(), "--bind", "127.0.0.1",
            "--http-port", FreePort().ToString(), "--Logging:LogLevel:Default=Warning",
        });
        await _gateway.StartAsync();
        _secret = _gateway.Services.GetRequiredService<NodeRegistry>().Add(new NodeRegistration(NodeId, Site, "streetlight"));
    }

    public async Task DisposeAsync()
    {
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_node_restarted_mid_override_returns_to_the_override_level()
    {
        // No config and no position: the light's safe default is 100 %, so an override at 30 % is unmistakable.
        var node = Start();
        await Wait.Until(() => Connected() && node.Runtime.Connection.IsOnline, node.Tick, "the node online at the gateway");
        Assert.Equal(100f, node.Light().Controller.Level);

        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var command = Override("c-override-1", 30, now, now + 3600);
        await _gateway.Services.GetRequiredService<CommandDispatcher>().SubmitAsync(command);
        var store = _gateway.Services.GetRequiredService<DownlinkStore>();
        await Wait.Until(() => node.Light().Controller.Level == 30f && store.CommandResult(command.Id) == "ok", node.Tick, "the override applied and acked");

        // A reboot mid-override (same flash): back at 30 % at the first tick, before any gateway traffic.
        node.Stop();
        await Wait.Until(() => !Connected(), "the gateway to see the node go");
        node = Start();
        node.Tick();
        Assert.Equal(30f, node.Light().Controller.Level);
        await Wait.Until(() => Connected() && node.Runtime.Connection.IsOnline, node.Tick, "the rebooted node online");
        node.Stop();
        await Wait.Until(() => !Connected(), "the gateway to see the node go");

        // A swapped board (empty flash): starts at its default, and the gateway re-asserts the override after its birth.
        Directory.Delete(DataDir, true);
        node = Start();
        node.Tick();
        Assert.Equal(100f, node.Light().Controller.Level);
        await Wait.Until(() => node.Light().Controller.Level == 30f, node.Tick, "the override re-asserted by the gateway after the birth");
        var active = node.Light().Controller.Overrides.ActiveAt(node.Clock.UtcSeconds)!;
        Assert.Equal((command.Id, now + 3600), (active.Id, active.ExpiresUtc));
        node.Stop();
    }

    private string DataDir => Path.Combine(_dir, "node");

    private bool Connected() => _gateway.Services.GetRequiredService<NodeRegistry>().Find(NodeId)?.Connected == true;

    private RuntimeHostedNode Start() => new(new NodeSettings
    {
        NodeId = NodeId,
        Site = Site,
        Type = "streetlight",
        Secret = _secret,
        Broker = new BrokerSettings { Host = "127.0.0.1", Port = _mqttPort },
        DataDir = DataDir,
        Seed = 42,
        Lamp = new LampSettings { RatedWatts = 40, Noise = 0 },
    }, NullLoggerFactory.Instance);

    private static DesiredCommand Override(string id, int level, long issued, long until)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new
        {
            v = 1, id, kind = "override", args = new { level, until, reason = "integration test" }, issued, expires = issued + 300,
        });
        return new DesiredCommand(NodeId, id, issued + 300, payload);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal static class HostedNodeExtensions
{
    public static Edge.Firmware.Runtime.StreetLightNode Light(this RuntimeHostedNode node) => (Edge.Firmware.Runtime.StreetLightNode)node.App;
}
