using System;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using System.Text.Json.Nodes;
using Edge.Cloud.Commands;
using Edge.Firmware.Runtime;
using Edge.Sim.Demo;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.EndToEnd.Tests;

/// <summary>
/// The demo's storm at <c>--speed 60</c> from a December noon: the gateway's flood rule must reach nodes whose clocks
/// are two weeks ahead of the real one and run a minute a second. Its override (issued, until, expires) and the banner
/// document's validity are written in node time (Edge.Gateway.Downlink.NodeTime), and so is a technician's command
/// from the cloud (Edge.Cloud.Commands.NodeClock); in real time the lights would ack
/// the override <c>expired</c> and stay dark, and the stop would drop the banner as out of date.
/// </summary>
public sealed class AcceleratedFloodTests() : OwnSiteTest("fast")
{

    [Fact]
    public async Task At_sixty_times_the_flood_rule_lights_the_zone_and_banners_its_stop_in_node_time()
    {
        var fleet = IgoumenitsaFleet.Create();
        var keep = new[] { IgoumenitsaFleet.StormGauge, "bs-ladochori", "sl-lado-01", "sl-lado-02" };
        fleet.Nodes.RemoveAll(n => !keep.Contains(n.Id));
        var noon = DateTimeOffset.Parse("2026-12-16T10:00:00Z", CultureInfo.InvariantCulture); // 12:00 EET: lights off by the schedule
        var site = await StartSiteAsync(fleet, o => { o.Speed = 60; o.ClockStart = noon; o.TickInterval = TimeSpan.FromMilliseconds(100); });
        try
        {
            var lights = new[] { site.Nodes["sl-lado-01"], site.Nodes["sl-lado-02"] };
            await SiteFixture.WaitForAsync("the Ladochori lights at 100 % by the flood rule's override", () =>
            {
                var duties = lights.Select(l => l.Lamp!.Duty).ToList();
                return Task.FromResult((duties.All(d => d == 1f), true, "duties " + string.Join(", ", duties) + " at node time "
                    + DateTimeOffset.FromUnixTimeSeconds(lights[0].Clock.UtcSeconds).ToString("u", CultureInfo.InvariantCulture)));
            }, TimeSpan.FromMilliseconds(200));
            foreach (var light in lights)
            {
                Assert.InRange(light.Clock.UtcSeconds, noon.ToUnixTimeSeconds(), noon.AddHours(6).ToUnixTimeSeconds()); // still daytime: only the override lights it
                Assert.NotNull(((StreetLightNode)light.App).Controller.Overrides.ActiveAt(light.Clock.UtcSeconds));
            }

            var stop = (BusStopNode)site.Nodes["bs-ladochori"].App;
            await SiteFixture.WaitForAsync("the banner on bs-ladochori", () =>
                Task.FromResult((stop.Display.Banner is not null, true, "content version " + stop.ContentVersion)), TimeSpan.FromMilliseconds(200));
            Assert.Equal("Flood warning", stop.Display.Banner!.Title.English);

            // A technician's override from the cloud is written in node time too (Edge.Cloud.Commands.NodeClock): acked ok.
            var commands = site.Cloud.Services.GetRequiredService<CommandService>();
            var issued = await commands.IssueAsync("technician", "sl-lado-01",
                new CommandRequest("override", new JsonObject { ["level"] = 20, ["durationS"] = 3600, ["reason"] = "e2e at 60x" }, 600));
            var acked = await SiteFixture.WaitForAsync("the technician's override acked", async () =>
            {
                var c = await commands.GetAsync(issued.Id);
                return (c.Result is not null, c, c.Status + " " + c.Result + " " + c.Message);
            }, TimeSpan.FromMilliseconds(200));
            Assert.Equal("ok", acked.Result);
        }
        finally
        {
            await site.DisposeAsync();
        }
    }
}
