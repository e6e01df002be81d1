using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Tasks;

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
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE edge_gateway_rejected_messages_total counter\n", text);
        Assert.Contains("edge_gateway_rejected_messages_total{reason=\"malformed\"} 1\n", text);
        Assert.Contains("edge_gateway_outbox_depth 1\n", text);
        Assert.Contains("edge_gateway_messages_accepted_total{leaf=\"telemetry\"} 1\n", text);
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
