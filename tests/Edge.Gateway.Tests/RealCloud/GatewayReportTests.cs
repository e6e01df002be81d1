using System.Linq;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using System.Reflection;
using System.Threading.Tasks;
using Edge.Gateway.Outbox;
using Edge.Gateway.Registry;
using Edge.Gateway.Uplink;

namespace Edge.Gateway.Tests.RealCloud;

/// <summary>
/// The gateway tells the real cloud its software version and its outbox backlog with each batch (docs/uplink.md §2,
/// <c>User-Agent: edge-gateway/&lt;version&gt;</c> and <c>Edge-Outbox-Depth</c>), and the cloud keeps the latest: a
/// backlog of five records sent two at a time shows 2 waiting after the second batch, 0 once drained.
/// </summary>
public sealed class GatewayReportTests
{
    const string Light = "sl-0001";

    [Fact]
    public async Task Each_batch_carries_the_gateway_version_and_the_records_behind_it_and_the_cloud_keeps_the_latest()
    {
        // Hold the first batch while the backlog builds up, and the third to look at the cloud after the second.
        var gate = new BatchGate(1, 3);
        await using var cloud = await EdgeCloud.StartAsync(CloudStorage.Sqlite, services: s => s.AddSingleton<IStartupFilter>(gate));
        var secret = await cloud.AddNodeAsync(Light, "streetlight");
        await using var gateway = await TestGateway.StartAsync(null, cloud.GatewayArgs("--Gateway:Uplink:ForwardState=false", "--Gateway:Uplink:MaxBatchRecords=2"));
        await TestGateway.WaitUntilAsync(() => gateway.Get<NodeRegistry>().Find(Light) is not null, "the gateway learnt the node from the cloud's downlink");
        using var client = await gateway.ConnectAsync(Light, secret);
        var outbox = gateway.Get<IOutboxReader>();

        await client.PublishAsync(TestGateway.Message(TestGateway.Topic(Light, "telemetry"), TestGateway.Telemetry(1, 1)));
        await TestGateway.WaitUntilAsync(() => gate.Arrived == 1, "the first batch (one record) reached the cloud");
        for (var seq = 2; seq <= 5; seq++) await client.PublishAsync(TestGateway.Message(TestGateway.Topic(Light, "telemetry"), TestGateway.Telemetry(1, seq)));
        await TestGateway.WaitUntilAsync(() => outbox.GetStats().Depth == 5, "five records wait in the outbox");
        Assert.Null(await cloud.UplinkReportAsync());

        gate.Release(); // batch 1 (record 1, none behind), then batch 2 (records 2–3, two behind); batch 3 is held
        await TestGateway.WaitUntilAsync(() => gate.Arrived == 3 && outbox.GetStats().Depth == 2, "the second batch stored, the third at the gate");
        // The version is the gateway assembly's informational version, read here independently of the uplink's code.
        var version = typeof(UplinkService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        var report = await cloud.UplinkReportAsync();
        Assert.NotNull(report);
        Assert.Equal(version, report.Version);
        Assert.Equal(2, report.OutboxDepth);

        gate.Release();
        await TestGateway.WaitUntilAsync(() => outbox.GetStats().Depth == 0, "the backlog drained");
        await TestGateway.WaitUntilAsync(() => cloud.UplinkReportAsync().Result?.OutboxDepth == 0, "the cloud stored the last batch's report");
        Assert.Equal(version, (await cloud.UplinkReportAsync())!.Version);
        var headers = gate.Headers();
        Assert.Equal(["0", "2", "0"], headers.Select(h => h.Depth));
        Assert.All(headers, h => Assert.Equal("edge-gateway/" + version, h.UserAgent));
        Assert.Equal(5, (await cloud.RecordsAsync()).Count);
    }
}
