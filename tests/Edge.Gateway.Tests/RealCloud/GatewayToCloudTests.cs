using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Gateway.Outbox;
using Edge.Gateway.Registry;
using MQTTnet;

namespace Edge.Gateway.Tests.RealCloud;

/// <summary>
/// Nodes → gateway (embedded broker, outbox, HTTPS uplink) → the real cloud, on SQLite and on PostgreSQL: what the
/// nodes published is what the cloud stored, once each, in order; a record the cloud refuses is reported back
/// as a gateway record; the cloud derives its alarms from what arrived.
/// </summary>
public abstract class GatewayToCloudTests(CloudStorage storage)
{
    const string Light = "sl-0001";
    const string Stray = "sl-0099";
    const string Gauge = "wl-0003";

    static readonly (string Node, string Leaf, string Payload)[] Published =
    [
        (Light, "telemetry", TestGateway.Telemetry(1, 1)),
        (Gauge, "telemetry", """{"v":1,"type":"waterlevel","ts":1767305300,"boot":5,"seq":90,"levelMm":1100,"state":"watch","rateMmH":300,"batteryV":3.9}"""),
        (Light, "event", """{"v":1,"ts":1767306120,"boot":1,"seq":2,"kind":"lamp.fault","fault":"lamp-failure","active":true,"level":60,"watts":0.8,"volts":229.7,"msg":"lamp off"}"""),
        (Gauge, "event", """{"v":1,"ts":1767305400,"boot":5,"seq":91,"kind":"flood.state","from":"watch","to":"warning","cause":"level","levelMm":1215,"rateMmH":340}"""),
        // A node provisioned on the gateway by hand but not in the cloud's inventory: the gateway takes it, the cloud
        // refuses it (uplink.md §2: records only for nodes assigned to the posting gateway). Content the cloud would
        // refuse no longer gets this far: the gateway judges it with the same validator (protocol.md §5.6).
        (Stray, "telemetry", TestGateway.Telemetry(1, 3)),
        (Light, "cmd/ack", """{"v":1,"id":"c-1","result":"ok","ts":1767305403,"boot":1,"seq":4}"""),
        (Light, "telemetry", TestGateway.Telemetry(1, 5)),
    ];

    [Fact]
    public async Task What_nodes_publish_is_stored_by_the_real_cloud_once_in_order_bad_records_come_back_as_a_report_and_alarms_follow()
    {
        await using var cloud = await EdgeCloud.StartAsync(storage);
        var secrets = new[] { (Light, "streetlight"), (Gauge, "waterlevel") }.ToDictionary(n => n.Item1, n => cloud.AddNodeAsync(n.Item1, n.Item2).Result);
        await using var gateway = await TestGateway.StartAsync(null, cloud.GatewayArgs("--Gateway:Uplink:ForwardState=false"));
        var registry = gateway.Get<NodeRegistry>();
        await TestGateway.WaitUntilAsync(() => secrets.Keys.All(n => registry.Find(n) is not null), "the gateway learnt the nodes from the cloud's downlink");
        secrets[Stray] = registry.Add(new NodeRegistration(Stray, TestGateway.Site, "streetlight"));
        var clients = secrets.ToDictionary(kv => kv.Key, kv => gateway.ConnectAsync(kv.Key, kv.Value).Result);
        foreach (var (node, leaf, payload) in Published)
        {
            await clients[node].PublishAsync(TestGateway.Message(TestGateway.Topic(node, leaf), payload));
        }

        var outbox = gateway.Get<IOutboxReader>();
        await TestGateway.WaitUntilAsync(() => outbox.GetStats().Depth == 0 && cloud.RecordsAsync().Result.Any(r => r.Kind == "gateway"), "everything forwarded and the rejection reported", 60);
        var stored = await cloud.RecordsAsync();
        var nodeRecords = stored.Where(r => r.Node is not null).ToList();
        var expected = Published.Where((_, i) => i != 4).ToList();
        Assert.Equal(expected.Count, nodeRecords.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Node, nodeRecords[i].Node);
            Assert.Equal(expected[i].Leaf == "cmd/ack" ? "ack" : expected[i].Leaf, nodeRecords[i].Kind);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected[i].Payload), nodeRecords[i].Payload), $"record {i}: stored {nodeRecords[i].Payload.ToJsonString()}");
        }
        // Arrival order at the cloud is gateway-seq order, which is publish order.
        var storedSeqs = stored.Select(r => r.Seq).ToHashSet();
        Assert.Equal(stored.Select(r => r.Seq), cloud.Arrivals.Seqs().Where(storedSeqs.Contains));

        var report = Assert.Single(stored, r => r.Kind == "gateway").Payload;
        Assert.Equal("uplink.rejected", (string?)report["event"]);
        var rejected = Assert.Single(report["records"]!.AsArray())!;
        Assert.Equal(Stray, (string?)rejected["node"]);
        Assert.Equal("telemetry", (string?)rejected["kind"]);
        Assert.StartsWith("node: 'sl-0099' is not in the inventory", (string?)rejected["error"]);
        Assert.Equal(outbox.GetStats().LastGatewaySeq, outbox.ForwardedUpTo);

        Assert.Equal([$"flood.state@{TestGateway.Site}/{Gauge}", $"lamp.fault:lamp-failure@{TestGateway.Site}/{Light}"], await cloud.ActiveAlarmKeysAsync());
        foreach (var client in clients.Values) client.Dispose();
    }
}

public sealed class GatewayToCloudOnSqliteTests() : GatewayToCloudTests(CloudStorage.Sqlite);

public sealed class GatewayToCloudOnPostgresTests() : GatewayToCloudTests(CloudStorage.Postgres);
