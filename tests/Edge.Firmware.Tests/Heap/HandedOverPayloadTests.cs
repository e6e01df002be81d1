using System.IO;
using System.Text;
using Edge.Firmware.Runtime;
using Edge.Firmware.Tests.Runtime;

namespace Edge.Firmware.Tests.Heap;

/// <summary>
/// On the ESP32 the link hands M2Mqtt's own payload array to the runtime (no copy buffer, hardware/heap.md): the
/// node must work from it and, once the message is handled, keep nothing of it reachable, or a kept parser would
/// hold the last config or command on the heap until the next one.
/// </summary>
[Collection(HeapModelCollection.Name)]
public class HandedOverPayloadTests
{
    private const long Noon = Nodes.Jan2026 + 12 * 3600;

    [Fact]
    public void A_street_light_applies_a_handed_over_config_and_command_and_keeps_neither_array()
    {
        var options = Nodes.Options();
        options.InboundBytes = 4096;
        options.LinkHandsOverPayloads = true;
        var link = new FakeLink { HandOver = true };
        var clock = new FakeClock { Utc = Noon };
        var pwm = new FakePwm();
        var node = new StreetLightNode(options, link, new MemoryStorage(), clock, new FakePlatform(), null, pwm, new FakeMeter(pwm));
        void Run(int seconds) { for (int i = 0; i < seconds; i++) { node.Tick(); clock.Advance(1000); } }
        string prefix = "edge/" + options.Site + "/" + options.NodeId + "/";

        Run(3);
        byte[] config = Encoding.UTF8.GetBytes(NodeRuntimeTests.Config(7, 300, File.ReadAllText(Repo.File("docs/examples/igoumenitsa-residential.json"))));
        link.Deliver(prefix + "config", config, retained: true);
        byte[] command = Encoding.UTF8.GetBytes("{\"v\":1,\"id\":\"c-1\",\"kind\":\"override\",\"args\":{\"level\":40,\"until\":" + (Noon + 3600)
            + ",\"reason\":\"works\"},\"issued\":" + Noon + ",\"expires\":" + (Noon + 300) + "}");
        link.Deliver(prefix + "cmd", command, retained: false);
        Run(5);

        Assert.Equal(7, node.Runtime.Config.AppliedVersion);
        Assert.Contains(link.On("cmd/ack"), a => a.Text.Contains("\"id\":\"c-1\"") && a.Text.Contains("\"result\":\"ok\""));
        var walker = new HeapWalker();
        walker.Add(node, "node");
        Assert.False(walker.Reached(config), "a handled config payload is still reachable from the node");
        Assert.False(walker.Reached(command), "a handled command payload is still reachable from the node");
    }
}
