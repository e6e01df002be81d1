using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Tasks;
using Edge.Tests.Metrics;

namespace Edge.Gateway.Tests;

/// <summary>/health, /metrics and the provisioning API over real HTTP.</summary>
public sealed class OperationsTests
{
    [Fact]
    public async Task Health_reports_readiness_details_and_metrics_use_the_prometheus_text_format()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secret = gateway.AddNode("sl-0001");
        using (var client = await gateway.ConnectAsync("sl-0001", secret))
        {
            await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), "not json"));
            await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, 1)));
        }
        using var http = new HttpClient();
        var health = await http.GetAsync($"http://127.0.0.1:{gateway.HttpPort}/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        Assert.Equal("ready", report.RootElement.GetProperty("status").GetString());
        Assert.True(report.RootElement.GetProperty("brokerListening").GetBoolean());
        Assert.True(report.RootElement.GetProperty("outboxWritable").GetBoolean());
        Assert.Equal("Ok", report.RootElement.GetProperty("quotaState").GetString());
        Assert.Equal(1, report.RootElement.GetProperty("outboxDepth").GetInt64());

        var metrics = await http.GetAsync($"http://127.0.0.1:{gateway.HttpPort}/metrics");
        Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType!.ToString());
    }

    /// <summary>
    /// What Prometheus sees: N node messages and one malformed one, then a scrape of the running gateway's /metrics,
    /// parsed as the text exposition format. The meter's dotted names arrive as Prometheus names (counters with
    /// <c>_total</c>, units as suffixes), with the runtime's and ASP.NET Core's instruments beside them.
    /// </summary>
    [Fact]
    public async Task A_scrape_of_metrics_counts_the_messages_sent_and_shows_runtime_and_http_instruments()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secret = gateway.AddNode("sl-0001");
        const int n = 7;
        using (var client = await gateway.ConnectAsync("sl-0001", secret))
        {
            await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), "not json"));
            for (var seq = 1; seq <= n; seq++)
            {
                await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, seq)));
            }
            await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, n))); // a re-send
        }
        using var http = new HttpClient();
        await http.GetStringAsync($"http://127.0.0.1:{gateway.HttpPort}/health");
        var scrape = new PrometheusText(await http.GetStringAsync($"http://127.0.0.1:{gateway.HttpPort}/metrics"));

        Assert.Equal("counter", scrape.TypeOf("edge_gateway_messages_accepted_total"));
        Assert.Equal(n, scrape.Value("edge_gateway_messages_accepted_total", "leaf", "telemetry"));
        Assert.Equal(1, scrape.Value("edge_gateway_messages_rejected_total", "reason", "malformed"));
        Assert.Equal(1, scrape.Value("edge_gateway_messages_duplicates_total"));
        Assert.Equal("gauge", scrape.TypeOf("edge_gateway_outbox_depth"));
        Assert.Equal(n, scrape.Value("edge_gateway_outbox_depth"));
        Assert.Equal(0, scrape.Value("edge_gateway_nodes_connected")); // the node has disconnected
        Assert.True(scrape.Value("edge_gateway_outbox_size_bytes") > 0);
        Assert.Equal(n, scrape.Value("edge_gateway_outbox_last_sequence"));
        // ASP.NET Core's request histogram saw the /health request; the runtime reports its GC.
        Assert.Equal(1, scrape.Value("http_server_request_duration_seconds_count", "http_route", "/health", "http_response_status_code", "200"));
        Assert.Contains(scrape.Names, name => name.StartsWith("dotnet_gc_", System.StringComparison.Ordinal));
        // The gateway's own memory gauges (docs/scale.md): the GC heap now, gen0 at the last collection, SQLite's allocator.
        Assert.Equal("gauge", scrape.TypeOf("edge_gateway_gc_heap_now_bytes"));
        Assert.True(scrape.Value("edge_gateway_gc_heap_now_bytes") > 0);
        Assert.True(scrape.Value("edge_gateway_gc_gen0_before_collection_bytes") >= 0);
        Assert.True(scrape.Value("edge_gateway_sqlite_memory_bytes") > 0); // the registry and outbox are open
    }

    /// <summary>
    /// Each metric keeps at most <c>Gateway:Telemetry:MetricPointsPerMetric</c> tag combinations (the SDK allocates that
    /// many points per metric up front, docs/scale.md): beyond it, measurements are counted in one overflow series, not
    /// lost. The limit is set by a view over every instrument, which must keep the instruments' advised histogram
    /// buckets (ASP.NET Core's request duration starts at 5 ms, the SDK's own default at 0).
    /// </summary>
    [Fact]
    public async Task Metrics_keep_the_configured_tag_combinations_and_count_the_rest_as_overflow()
    {
        await using var gateway = await TestGateway.StartAsync(null, "--Gateway:Telemetry:MetricPointsPerMetric=1");
        var secret = gateway.AddNode("sl-0001");
        using (var client = await gateway.ConnectAsync("sl-0001", secret))
        {
            await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, 1)));
            await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "event"), TestGateway.Event(1, 2)));
        }
        using var http = new HttpClient();
        await http.GetStringAsync($"http://127.0.0.1:{gateway.HttpPort}/health");
        var scrape = new PrometheusText(await http.GetStringAsync($"http://127.0.0.1:{gateway.HttpPort}/metrics"));

        Assert.Equal(1, scrape.Value("edge_gateway_messages_accepted_total", "leaf", "telemetry"));
        Assert.Null(scrape.Value("edge_gateway_messages_accepted_total", "leaf", "event"));
        Assert.Equal(1, scrape.Value("edge_gateway_messages_accepted_total", "otel_metric_overflow", "true"));
        Assert.NotNull(scrape.Value("http_server_request_duration_seconds_bucket", "http_route", "/health", "le", "0.005"));
    }

    /// <summary>
    /// Two gateways in one process (the tests, the demo beside its cloud): each /metrics shows its own meter only,
    /// because the SDK listens to the meters of its host's IMeterFactory, not to every meter of that name.
    /// </summary>
    [Fact]
    public async Task Each_gateway_in_a_process_scrapes_only_its_own_instruments()
    {
        await using var busy = await TestGateway.StartAsync();
        await using var quiet = await TestGateway.StartAsync();
        var secret = busy.AddNode("sl-0001");
        using (var client = await busy.ConnectAsync("sl-0001", secret))
        {
            await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, 1)));
        }
        using var http = new HttpClient();
        var busyScrape = new PrometheusText(await http.GetStringAsync($"http://127.0.0.1:{busy.HttpPort}/metrics"));
        var quietScrape = new PrometheusText(await http.GetStringAsync($"http://127.0.0.1:{quiet.HttpPort}/metrics"));
        Assert.Equal(1, busyScrape.Value("edge_gateway_messages_accepted_total", "leaf", "telemetry"));
        Assert.Null(quietScrape.Value("edge_gateway_messages_accepted_total", "leaf", "telemetry"));
        Assert.Equal(0, quietScrape.Value("edge_gateway_outbox_depth"));
    }

    [Fact]
    public async Task Provisioning_api_adds_rotates_and_removes_nodes_and_requires_the_admin_token_when_one_is_set()
    {
        await using var gateway = await TestGateway.StartAsync(null, "--Gateway:Http:AdminToken=s3cret-token");
        using var http = new HttpClient();
        var url = $"http://127.0.0.1:{gateway.HttpPort}/api/nodes";
        var node = new { nodeId = "bs-0007", site = TestGateway.Site, type = "busstop", zone = "3" };

        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsJsonAsync(url, node)).StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-token");
        var created = await http.PostAsJsonAsync(url, node);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        Assert.Equal(43, secret.Length); // 32 bytes, base64url without padding (protocol.md §2.2)
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsJsonAsync(url, node)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsJsonAsync(url, new { nodeId = "BS_7", site = "x", type = "busstop" })).StatusCode);

        using (var client = await gateway.ConnectAsync("bs-0007", secret)) Assert.True(client.IsConnected);
        var rotated = (await (await http.PostAsync($"{url}/bs-0007/secret", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        Assert.Equal(MQTTnet.MqttClientConnectResultCode.BadUserNameOrPassword, (await gateway.TryConnectAsync("bs-0007", secret)).Result);
        using (var client = await gateway.ConnectAsync("bs-0007", rotated)) Assert.True(client.IsConnected);

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"{url}/bs-0007")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"{url}/bs-0007")).StatusCode);
        Assert.Equal(MQTTnet.MqttClientConnectResultCode.BadUserNameOrPassword, (await gateway.TryConnectAsync("bs-0007", rotated)).Result);
    }
}
