using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading.Tasks;
using Edge.Cloud.Inventory;
using Edge.Cloud.Tests.Support;
using Edge.Tests.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Tests.Telemetry;

/// <summary>
/// The cloud's /metrics as Prometheus scrapes it, over real HTTP after known traffic: batches accepted and refused,
/// records accepted, duplicate and refused, the store timed per batch, ASP.NET Core's request histogram beside them;
/// and the endpoint closed to anyone without the scrape token (the cloud faces the internet).
/// </summary>
public sealed class MetricsEndpointTests
{
    private const string Gateway = "gw-igoumenitsa-1";
    private const string Token = "token-of-gw-igoumenitsa-1-at-least-32-chars";
    private const string ScrapeToken = "scrape-token-for-prometheus-only";

    [Fact]
    public async Task A_scrape_counts_the_batches_and_records_sent_and_needs_the_scrape_token()
    {
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateways:Seed:0:Id"] = Gateway,
            ["Gateways:Seed:0:Token"] = Token,
            ["Telemetry:MetricsToken"] = ScrapeToken,
        });
        var inventory = server.App.Services.GetRequiredService<InventoryService>();
        await inventory.PutSiteAsync("installer", Records.Site, new SiteRequest("Igoumenitsa", null));
        foreach (var node in new[] { "sl-0001", "sl-0002" })
        {
            await inventory.PutNodeAsync("installer", node, new NodeRequest(Records.Site, "streetlight", Gateway, null, null, null, null, null, null, null, null, null));
        }
        // Three records the inventory allows and one of a node it does not know (refused, uplink.md §2 rule 7); sent twice.
        var batch = Records.Batch(Gateway,
            Records.Streetlight(1, "sl-0001", 1767304800, level: 60),
            Records.Streetlight(2, "sl-0002", 1767304800, level: 40),
            Records.LampFault(3, "sl-0002", 1767304801),
            Records.Streetlight(4, "sl-0404", 1767304801, level: 10));
        Assert.Equal(HttpStatusCode.OK, (await server.PostBatchAsync(Gateway, Token, batch)).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.PostBatchAsync(Gateway, Token, batch)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.PostBatchAsync(Gateway, "not-the-token-of-this-gateway-at-all", batch)).Status);

        // The record feed has applied the stored records (it may have already, on their arrival): two nodes, two rows.
        await server.App.Services.GetRequiredService<Edge.Cloud.Alarms.RecordFeed>().RunOnceAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client.GetAsync("/metrics")).StatusCode);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "scrape-token-for-prometheus-onlX") } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client.SendAsync(wrong)).StatusCode);
        using var scrapeRequest = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", ScrapeToken) } };
        var answer = await server.Client.SendAsync(scrapeRequest);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var scrape = new PrometheusText(await answer.Content.ReadAsStringAsync());

        Assert.Equal("counter", scrape.TypeOf("edge_cloud_ingestion_records_total"));
        Assert.Equal(3, scrape.Value("edge_cloud_ingestion_records_total", "outcome", "accepted"));
        Assert.Equal(3, scrape.Value("edge_cloud_ingestion_records_total", "outcome", "duplicate"));
        Assert.Equal(2, scrape.Value("edge_cloud_ingestion_records_total", "outcome", "rejected", "reason", "refused"));
        Assert.Equal(2, scrape.Value("edge_cloud_ingestion_batches_total", "outcome", "accepted"));
        Assert.Equal(1, scrape.Value("edge_cloud_ingestion_batches_total", "outcome", "rejected", "reason", "unauthenticated"));
        Assert.Equal("histogram", scrape.TypeOf("edge_cloud_ingestion_store_duration_seconds"));
        Assert.Equal(2, scrape.Value("edge_cloud_ingestion_store_duration_seconds_count"));
        // Bounds in seconds (the instrument's advice), not the SDK's millisecond defaults: a store is counted by 10 s.
        Assert.Equal(2, scrape.Value("edge_cloud_ingestion_store_duration_seconds_bucket", "le", "10"));
        Assert.NotNull(scrape.Value("edge_cloud_ingestion_store_duration_seconds_bucket", "le", "0.001"));
        // The whole handler of every batch request, the refused one too: a batch's latency splits into its stages, the rest
        // of the handler and what lies outside it.
        Assert.Equal(3, scrape.Value("edge_cloud_ingestion_stage_duration_seconds_count", "stage", "handler"));
        Assert.Equal(2, scrape.Value("edge_cloud_ingestion_stage_duration_seconds_count", "stage", "store"));
        Assert.Equal("counter", scrape.TypeOf("edge_cloud_feed_node_state_rows_total"));
        Assert.Equal(2, scrape.Value("edge_cloud_feed_node_state_rows_total"));
        Assert.Equal(2, scrape.Value("http_server_request_duration_seconds_count",
            "http_route", "/api/v1/gateways/{gatewayId}/batches", "http_response_status_code", "200"));
    }

    [Fact]
    public async Task Without_a_scrape_token_metrics_answer_the_machine_itself()
    {
        await using var server = await CloudServer.StartAsync();
        var answer = await server.Client.GetAsync("/metrics"); // the client is on 127.0.0.1
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("target_info{service_name=\"edge-cloud\"", await answer.Content.ReadAsStringAsync());
    }
}
