using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Edge.Sim.Demo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Edge.EndToEnd.Tests;

/// <summary>
/// Stopping the demo composition cleanly (nodes, then gateway, then cloud) is a planned stop, not a blackout: every
/// node says <c>offline</c>/<c>shutdown</c>, the gateway says <c>gateway.stopping</c>, and an hour later the cloud
/// has raised no offline alarm. A small fleet of its own, so it does not disturb the shared demo site.
/// </summary>
public sealed class CleanStopTests() : OwnSiteTest("stop")
{

    [Fact]
    public async Task A_clean_stop_of_the_demo_raises_no_offline_alarms()
    {
        var fleet = IgoumenitsaFleet.Create();
        // Every node type: lights, a bus stop and a gauge each say goodbye their own way.
        var lights = fleet.Nodes.Where(n => n.Type == "streetlight").Take(4)
            .Concat(fleet.Nodes.Where(n => n.Type == "busstop").Take(1))
            .Concat(fleet.Nodes.Where(n => n.Type == "waterlevel").Take(1)).ToList();
        fleet.Nodes.RemoveAll(n => !lights.Contains(n));
        var site = await StartSiteAsync(fleet);
        try
        {
            // The gateway's HTTP listener binds where the demo banner says (loopback), not every interface.
            var gatewayAddresses = site.Gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            Assert.Equal(new[] { site.GatewayUrl.TrimEnd('/') }, gatewayAddresses.ToArray());
            var connections = site.Cloud.Services.GetRequiredService<IStorageConnections>();
            await SiteFixture.WaitForAsync("every node online in the cloud", async () =>
            {
                var online = await CountAsync(connections, "SELECT COUNT(*) FROM node_state WHERE status = 'online'");
                return (online == lights.Count, online, online + " of " + lights.Count);
            });
        }
        finally
        {
            await site.DisposeAsync();
        }

        // The cloud again, on the same database, an hour later.
        var later = new ShiftedClock(TimeSpan.FromHours(1));
        await using var cloud = Edge.Cloud.Program.CreateApp(Array.Empty<string>(), builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:Provider"] = "Sqlite",
                ["Storage:DataDirectory"] = Path.Combine(DataDir, "cloud"),
                ["Logging:LogLevel:Default"] = "Warning",
            });
            builder.Services.AddSingleton<TimeProvider>(later);
        });
        var store = cloud.Services.GetRequiredService<IStorageConnections>();
        Assert.Equal(lights.Count, await CountAsync(store,
            "SELECT COUNT(*) FROM records WHERE kind = 'state' AND payload LIKE '%\"status\":\"offline\"%' AND payload LIKE '%\"reason\":\"shutdown\"%'"));
        Assert.Equal(0, await CountAsync(store, "SELECT COUNT(*) FROM records WHERE kind = 'state' AND payload LIKE '%\"lost\"%'"));
        Assert.Equal(1, await CountAsync(store, "SELECT COUNT(*) FROM records WHERE kind = 'gateway' AND payload LIKE '%gateway.stopping%'"));

        await cloud.Services.GetRequiredService<RecordFeed>().RunOnceAsync();
        var alarms = await cloud.Services.GetRequiredService<AlarmService>().ListAsync("active", null, null, 100);
        Assert.DoesNotContain(alarms, a => a.Kind is "node.offline" or "gateway.offline");
    }

    private static async Task<long> CountAsync(IStorageConnections connections, string sql)
    {
        await using var tx = await Tx.ReadAsync(connections);
        return await tx.LongAsync(sql) ?? 0;
    }

    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow + offset;
    }
}
