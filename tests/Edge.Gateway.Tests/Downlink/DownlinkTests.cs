using System;
using System.Linq;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Gateway.Registry;
using Edge.Gateway.Tests.Uplink;

namespace Edge.Gateway.Tests.Downlink;

/// <summary>The desired-state downlink (docs/uplink.md §3) with real MQTT clients subscribed as nodes.</summary>
public sealed class DownlinkTests
{
    const string LightSecret = "bGlnaHQtc2VjcmV0LWZvci10ZXN0cy0wMDAwMDAwMDAwMA";
    const string StopSecret = "c3RvcC1zZWNyZXQtZm9yLXRlc3RzLTAwMDAwMDAwMDAwMA";

    static object Nodes() => new
    {
        nodes = new object[]
        {
            new { node = "sl-0001", site = TestGateway.Site, type = "streetlight", zone = "zone-3", secretHash = SecretHasher.Hash(LightSecret, 1000), removed = false },
            new { node = "bs-0001", site = TestGateway.Site, type = "busstop", zone = "zone-3", secretHash = SecretHasher.Hash(StopSecret, 1000), removed = false },
        },
    };

    static object Config(long version) => new
    {
        configs = new[] { new { node = "sl-0001", version, document = new { v = 1, version, type = "streetlight", issued = 1767200000, node = new { telemetryS = 300 } } } },
    };

    static object Command(string id) => new
    {
        commands = new[]
        {
            new { node = "sl-0001", command = new { v = 1, id, kind = "identify", args = new { durationS = 30 }, issued = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), expires = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600 } },
        },
    };

    static object Display(long version) => new
    {
        displays = new[]
        {
            new
            {
                node = "bs-0001", version,
                document = new
                {
                    schema = 1, version, generatedAt = "2026-11-26T12:30:00Z", validUntil = "2026-11-26T12:45:00Z", utcOffset = "+02:00",
                    stop = new { id = "igo-port-1", name = new { el = "Λιμάνι", en = "Port" } },
                    arrivals = new[] { new { route = "1", headsign = new { el = "Πλαταριά", en = "Plataria" }, at = "2026-11-26T12:34:10Z", realtime = true } },
                },
            },
        },
    };

    [Fact]
    public async Task Long_poll_provisions_nodes_and_delivers_retained_config_display_and_commands_resent_after_each_birth_until_acked()
    {
        await using var cloud = await FakeCloud.StartAsync();
        cloud.AddChange(Nodes());
        cloud.AddChange(Config(43));
        cloud.AddChange(Display(51734));
        cloud.AddChange(Command("c-1"));
        await using var gateway = await TestGateway.StartAsync(null, CloudArgs.For(cloud));
        await TestGateway.WaitUntilAsync(() => gateway.Get<NodeRegistry>().Find("bs-0001") is not null && cloud.PollCursors().Contains("c:4"), "nodes provisioned and the answer stored");

        // The node connects with the secret whose hash came from the cloud; retained config arrives after SUBACK,
        // time and the pending command after the birth (time first, protocol.md §12.3).
        var light = await NodeClient.ConnectAsync(gateway, "sl-0001", LightSecret, "streetlight");
        await TestGateway.WaitUntilAsync(() => light.Of("cmd").Length == 1 && light.Of("config").Length == 1, "config and command at the light");
        var config = light.Of("config").Single();
        Assert.Equal(43L, (long)config["version"]!);
        Assert.True(light.Received.First(m => m.Leaf == "config").Retained);
        Assert.Equal("c-1", (string?)light.Of("cmd")[0]["id"]);
        var leaves = light.Received.Select(m => m.Leaf).Where(l => l is "time" or "cmd").ToArray();
        Assert.Equal("time", leaves[0]);
        Assert.Equal("cmd", leaves[1]);
        var time = light.Of("time")[0];
        Assert.Equal(1, (int)time["v"]!);
        Assert.InRange((long)time["ts"]!, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);

        var stop = await NodeClient.ConnectAsync(gateway, "bs-0001", StopSecret, "busstop");
        await TestGateway.WaitUntilAsync(() => stop.Of("display").Length == 1, "display at the bus stop");
        var display = stop.Of("display")[0];
        Assert.Equal(51734L, (long)display["version"]!); // nothing overlaid: the cloud's own version
        Assert.Equal("Plataria", (string?)display["arrivals"]![0]!["headsign"]!["en"]);

        // No ack: a new birth (the node rebooted: boot 2) re-sends the command (protocol.md §10.4).
        await light.BirthAsync("streetlight", 43, boot: 2);
        await TestGateway.WaitUntilAsync(() => light.Of("cmd").Length == 2, "command re-sent after the second birth");
        Assert.Equal("c-1", (string?)light.Of("cmd")[1]["id"]);

        // Acked: the next birth re-sends nothing. A later command proves it: had c-1 been re-sent, it would come first.
        await light.PublishAsync("cmd/ack", """{"v":1,"id":"c-1","result":"ok","ts":1767305403,"boot":1,"seq":1}""");
        await TestGateway.WaitUntilAsync(() => cloud.Records().Any(r => (string?)r["kind"] == "ack"), "the ack at the cloud as an ack record");
        await light.BirthAsync("streetlight", 43, boot: 3);
        await TestGateway.WaitUntilAsync(() => light.Of("time").Length == 3, "time after the third birth");
        cloud.AddChange(Command("c-2"));
        await TestGateway.WaitUntilAsync(() => light.Of("cmd").Length == 3, "the new command");
        Assert.Equal("c-2", (string?)light.Of("cmd")[2]["id"]);
        await light.DisposeAsync();
        await stop.DisposeAsync();
    }

    [Fact]
    public async Task A_new_boot_or_a_new_connection_is_a_birth()
    {
        await using var cloud = await FakeCloud.StartAsync();
        cloud.AddChange(Nodes());
        cloud.AddChange(Command("c-1"));
        await using var gateway = await TestGateway.StartAsync(null, CloudArgs.For(cloud));
        await TestGateway.WaitUntilAsync(() => gateway.Get<NodeRegistry>().Find("sl-0001") is not null && cloud.PollCursors().Contains("c:2"), "node provisioned, command stored");

        var light = await NodeClient.ConnectAsync(gateway, "sl-0001", LightSecret, "streetlight");
        await TestGateway.WaitUntilAsync(() => light.Of("time").Length == 1 && light.Of("cmd").Length == 1, "time and the command after the birth");

        // A heartbeat (same boot, same connection) asks for nothing (NodeRegistryBirthTests); a new boot is a birth.
        await light.BirthAsync("streetlight", 0, boot: 2);
        await TestGateway.WaitUntilAsync(() => light.Of("time").Length == 2 && light.Of("cmd").Length == 2, "time and the command after the new boot");

        // A new connection of the same boot (Wi-Fi dropped, the node reconnected) is a birth again.
        await light.DisposeAsync();
        await TestGateway.WaitUntilAsync(() => gateway.Get<NodeRegistry>().Find("sl-0001") is { Connected: false }, "disconnected");
        var again = await NodeClient.ConnectAsync(gateway, "sl-0001", LightSecret, "streetlight"); // boot 1 again
        await TestGateway.WaitUntilAsync(() => again.Of("time").Length == 1 && again.Of("cmd").Length == 1, "time and the command after the reconnect");
        await again.DisposeAsync();
    }

    [Fact]
    public async Task Restarted_with_the_cloud_down_the_gateway_still_serves_the_cached_config_and_pending_commands()
    {
        await using var cloud = await FakeCloud.StartAsync();
        cloud.AddChange(Nodes());
        cloud.AddChange(Config(43));
        cloud.AddChange(Command("c-7"));
        var dataDir = TestGateway.NewTempDir();
        await using (var first = await TestGateway.StartAsync(dataDir, CloudArgs.For(cloud)))
        {
            await TestGateway.WaitUntilAsync(() => cloud.PollCursors().Contains("c:3"), "answer stored");
        }
        await cloud.GoOfflineAsync();

        await using var gateway = await TestGateway.StartAsync(dataDir, CloudArgs.For(cloud));
        var light = await NodeClient.ConnectAsync(gateway, "sl-0001", LightSecret, "streetlight");
        await TestGateway.WaitUntilAsync(() => light.Of("config").Length == 1 && light.Of("cmd").Length == 1, "cached config and pending command");
        Assert.Equal(43L, (long)light.Of("config")[0]["version"]!);
        Assert.Equal("c-7", (string?)light.Of("cmd")[0]["id"]);
        using var http = new HttpClient();
        var health = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{gateway.HttpPort}/health"))!;
        Assert.Equal("degraded", (string?)health["components"]!["downlink"]!["status"]);
        Assert.Equal("c:3", (string?)health["components"]!["downlink"]!["data"]!["cursor"]);

        // The cloud returns: the gateway continues from its stored cursor instead of asking for everything again.
        var polls = cloud.PollCursors().Count;
        await cloud.GoOnlineAsync();
        await TestGateway.WaitUntilAsync(() => cloud.PollCursors().Count > polls, "a poll after the cloud came back");
        Assert.Equal("c:3", cloud.PollCursors()[polls]);
        await light.DisposeAsync();
    }
}
