using System;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Gateways;
using Edge.Cloud.Tests.Support;
using Edge.Cloud.Web.Technicians;
using Edge.Cloud.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Web.Tests.Browser;

/// <summary>The gateways page on the real cloud: a gateway that delivered a batch whose oldest record waited an hour
/// (sent with its version and the 1,234 records still behind it, docs/uplink.md §2), one that never connected, and one
/// silent for an hour that the cloud's offline sweep marks offline.</summary>
[Collection(ConsoleSiteCollection.Name)]
public sealed class GatewaysPageTests(ConsoleSite site)
{
    [Fact]
    public async Task Each_gateway_shows_its_status_last_batch_how_far_behind_it_was_its_backlog_and_version()
    {
        var services = site.Server.App.Services;
        var registry = services.GetRequiredService<GatewayRegistry>();
        var (_, token) = await registry.RegisterAsync("gw-boards", "Port cabinet");
        await registry.RegisterAsync("gw-silent");
        var now = site.Server.Clock.UnixNow;
        // Registered an hour ago and silent since: the cloud's offline sweep (Alarms:GatewayOfflineMinutes, 10) says offline.
        site.Server.Clock.Now = DateTimeOffset.FromUnixTimeSeconds(now - 3600);
        await registry.RegisterAsync("gw-down");
        site.Server.Clock.Now = DateTimeOffset.FromUnixTimeSeconds(now);
        await services.GetRequiredService<RecordFeed>().RunOnceAsync();

        // Its backlog, oldest first: a record it received an hour ago and one from a minute ago, sent now.
        var batch = Records.Batch("gw-boards", Records.GatewayEvent(1, now - 3600, "uplink.retry"), Records.GatewayEvent(2, now - 60, "uplink.retry"));
        batch["sentAt"] = now;
        using (var client = new HttpClient { BaseAddress = new Uri(site.Server.BaseUrl) })
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            client.DefaultRequestHeaders.UserAgent.ParseAdd("edge-gateway/2.1.0+3f9a2c1");
            client.DefaultRequestHeaders.Add("Edge-Outbox-Depth", "1234");
            using var response = await client.PostAsync("/api/v1/gateways/gw-boards/batches", new StringContent(batch.ToJsonString(), Encoding.UTF8, "application/json"));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        var rows = (await services.GetRequiredService<GatewayBoards>().ListAsync()).ToDictionary(r => r.Id);
        Assert.Equal("online", rows["gw-boards"].Status);
        Assert.Equal(now, rows["gw-boards"].LastBatch);
        Assert.Equal(2, rows["gw-boards"].LastBatchRecords);
        Assert.Equal(3600, rows["gw-boards"].Behind);
        Assert.Equal(0, rows["gw-boards"].ClockOffsetS);
        Assert.Equal("2.1.0+3f9a2c1", rows["gw-boards"].Version);
        Assert.Equal(1234, rows["gw-boards"].Backlog);
        Assert.Null(rows["gw-silent"].Version);
        Assert.Null(rows["gw-silent"].Backlog);
        Assert.Equal("never", rows["gw-silent"].Status);
        Assert.Null(rows["gw-silent"].LastBatch);
        Assert.Equal("offline", rows["gw-down"].Status);
        Assert.StartsWith("no batch or poll from gateway gw-down since", Assert.Single(rows["gw-down"].Alarms));

        var page = await site.SignedInPageAsync("viewer", "/gateways");
        await page.WaitForURLAsync("**/gateways");
        var table = await page.Locator("#gateways").InnerTextAsync();
        Assert.Contains("gw-boards (Port cabinet)", table);
        Assert.Contains("60 min", table); // behind by the hour its oldest record waited
        Assert.Contains("1.234", table); // its backlog, in Greek number format
        Assert.Contains("2.1.0+3f9a2c1", table);
        // The API lists the same (GET /api/v1/gateways, the viewer's session).
        var api = await page.Context.APIRequest.GetAsync(site.Server.BaseUrl.TrimEnd('/') + "/api/v1/gateways");
        Assert.Equal(200, api.Status);
        var listed = System.Text.Json.Nodes.JsonNode.Parse(await api.TextAsync())!.AsArray().Single(g => (string?)g!["id"] == "gw-boards")!;
        Assert.Equal("2.1.0+3f9a2c1", (string?)listed["version"]);
        Assert.Equal(1234, (long?)listed["outboxDepth"]);
        Assert.Contains("δεν συνδέθηκε ποτέ", table);
        Assert.Contains("εκτός σύνδεσης", table);
        await page.Context.CloseAsync();
    }
}
