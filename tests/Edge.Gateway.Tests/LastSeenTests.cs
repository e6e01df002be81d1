using System;
using System.IO;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using MQTTnet;
using MQTTnet.Formatter;

namespace Edge.Gateway.Tests;

/// <summary>
/// docs/gateway.md: a node's "last seen" is kept in memory and flushed to gateway.db every LastSeenFlushSeconds (30 s),
/// so a crash loses at most that much of it — and a flushed value survives the crash. Checked on the gateway process,
/// killed with SIGKILL, reading gateway.db itself.
/// </summary>
public sealed class LastSeenTests
{
    [Theory]
    [InlineData(3600, false)] // not flushed yet when the process dies: the crash loses it
    [InlineData(1, true)]     // flushed: it survives the crash and the restarted gateway reports it
    public async Task Last_seen_is_flushed_every_interval_and_a_crash_loses_only_what_was_not_flushed(int flushSeconds, bool flushedBeforeTheCrash)
    {
        var dataDir = TestGateway.NewTempDir();
        var mqttPort = TestGateway.FreePort();
        var httpPort = TestGateway.FreePort();
        var args = new[] { "--uplink", "none", $"--Gateway:Registry:LastSeenFlushSeconds={flushSeconds}" };
        using var http = new HttpClient();
        using (var gateway = await GatewayProcess.StartAsync(dataDir, mqttPort, httpPort, args))
        {
            var added = await http.PostAsJsonAsync($"http://127.0.0.1:{httpPort}/api/nodes", new { nodeId = "sl-0001", site = TestGateway.Site, type = "streetlight" });
            var secret = (string)JsonNode.Parse(await added.EnsureSuccessStatusCode().Content.ReadAsStringAsync())!["secret"]!;
            var before = StoredLastSeen(dataDir);
            var publishedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            using (var client = new MqttClientFactory().CreateMqttClient())
            {
                await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mqttPort).WithProtocolVersion(MqttProtocolVersion.V311)
                    .WithClientId("sl-0001").WithCredentials("sl-0001", secret).WithCleanSession().Build());
                await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, 1)));
            }
            if (flushedBeforeTheCrash)
            {
                await TestGateway.WaitUntilAsync(() => StoredLastSeen(dataDir) >= publishedAt, "last seen flushed to gateway.db");
            }
            gateway.KillHard();
            var after = StoredLastSeen(dataDir);
            if (flushedBeforeTheCrash) Assert.True(after >= publishedAt);
            else Assert.Equal(before, after); // the touch was only in memory
        }
        using (await GatewayProcess.StartAsync(dataDir, mqttPort, httpPort, args))
        {
            var node = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{httpPort}/api/nodes/sl-0001"))!;
            Assert.Equal(StoredLastSeen(dataDir), (long?)node["lastSeenUnixMs"]);
        }
        try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
    }

    static long? StoredLastSeen(string dataDir)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(dataDir, "gateway.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT last_seen_ms FROM nodes WHERE node_id = 'sl-0001'";
        return command.ExecuteScalar() is long ms ? ms : null;
    }
}
