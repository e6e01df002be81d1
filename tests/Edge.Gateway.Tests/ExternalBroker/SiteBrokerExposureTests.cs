using System.Text;
using System.Threading.Tasks;
using Edge.Gateway.Tests.Exposure;

namespace Edge.Gateway.Tests.ExternalBroker;

/// <summary>The site Mosquitto, configured as docs/gateway.md says, bounds packets too (its <c>max_packet_size</c>).</summary>
public sealed class SiteBrokerExposureTests
{
    [Fact]
    public async Task Mosquitto_closes_a_CONNECT_announcing_255_MB_and_an_oversize_PUBLISH_of_a_node()
    {
        await using var site = await ExternalSite.StartAsync("sl-0001");

        using (var attacker = await RawMqtt.OpenAsync(site.Broker.Port))
        {
            await attacker.SendAsync(RawMqtt.Header(0x10, 268_435_455));
            Assert.Empty(await attacker.ReadUntilClosedAsync());
        }

        using var node = await RawMqtt.LoginAsync(site.Broker.Port, "sl-0001", site.Secrets["sl-0001"]);
        await node.SendAsync(RawMqtt.Publish(Encoding.ASCII.GetBytes(TestGateway.Topic("sl-0001", "telemetry")), 1, new string('x', SiteMosquitto.MaxPacketSize)));
        Assert.Empty(await node.ReadUntilClosedAsync()); // closed, no PUBACK
    }
}
