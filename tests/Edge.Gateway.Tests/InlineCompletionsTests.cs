using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text;
using System.Threading.Tasks;
using Edge.Gateway.Tests.Exposure;
using Microsoft.Data.Sqlite;
using MQTTnet;
using MQTTnet.Formatter;

namespace Edge.Gateway.Tests;

/// <summary>
/// The gateway process as shipped runs socket completions inline (Program.Main, Operations/SocketCompletions): a read's
/// continuation runs on the socket event thread, which every other connection registered with it shares. These run
/// the real process with ONE event thread (<c>DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT=1</c>, so both nodes' sockets are
/// on it) and hold a slow step of one node with a real resource, not a hook.
/// </summary>
public sealed class InlineCompletionsTests
{
    const string Birth = "{\"v\":1,\"status\":\"online\",\"ts\":1767220005,\"type\":\"streetlight\",\"fw\":\"1.2.0\",\"hw\":\"esp32\",\"boot\":5}";

    [Theory]
    [InlineData("mqttnet")]
    [InlineData("kestrel")]
    public async Task A_state_write_held_by_a_database_lock_does_not_stall_another_nodes_telemetry_on_the_same_event_thread(string transport)
    {
        var dataDir = TestGateway.NewTempDir();
        var (mqttPort, httpPort) = (TestGateway.FreePort(), TestGateway.FreePort());
        using var gateway = await StartWithOneEventThreadAsync(dataDir, mqttPort, httpPort, transport);
        var secrets = await ProvisionAsync(httpPort, "sl-0001", "sl-0002");
        using var other = await ConnectAsync(mqttPort, "sl-0002", secrets["sl-0002"]);
        using var held = await RawMqtt.LoginAsync(mqttPort, "sl-0001", secrets["sl-0001"]);

        // Another program holds gateway.db's write lock (a backup, an operator's sqlite3): the registry's write of
        // sl-0001's state waits for it (SQLite's busy timeout) — the slow step.
        using var holder = new SqliteConnection($"Data Source={Path.Combine(dataDir, "gateway.db")};Pooling=False");
        holder.Open();
        using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }
        try
        {
            // Sent to a connection whose read already waits for the socket (it was idle): the event thread reads it.
            Assert.True(await held.SendAsync(RawMqtt.Publish(Encoding.UTF8.GetBytes(TestGateway.Topic("sl-0001", "state")), 1, Birth)));
            // The gateway has read the state PUBLISH (its socket's receive queue is empty): the write is under way.
            await TestGateway.WaitUntilAsync(() => GatewayReceiveQueue(mqttPort, held.LocalPort) == 0, "the gateway reading the state PUBLISH");

            // The other node's telemetry, read by the same event thread, is committed and acknowledged meanwhile.
            var ack = await other.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0002", "telemetry"), TestGateway.Telemetry(1, 1)));
            Assert.True(ack.IsSuccess);
            Assert.Equal(1, OutboxRows(dataDir, "sl-0002"));
            // ...while the held node's write still waits: no PUBACK yet, connection open (a write that gave up would
            // have closed it).
            Assert.True(held.HasReceivedNothingAndIsOpen, "the held node's state was acknowledged, or its connection closed, before the other node's telemetry");
        }
        finally
        {
            using var rollback = holder.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        // Released: the held node's state is written, then acknowledged.
        Assert.Equal(RawMqtt.PubAck(1), await held.ReadPacketAsync());
        using var check = new SqliteConnection($"Data Source={Path.Combine(dataDir, "gateway.db")};Mode=ReadOnly;Pooling=False");
        check.Open();
        using var status = check.CreateCommand();
        status.CommandText = "SELECT status, fw FROM nodes WHERE node_id = 'sl-0001'";
        using var reader = status.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(("online", "1.2.0"), (reader.GetString(0), reader.GetString(1)));
    }

    [Theory]
    [InlineData("mqttnet")]
    [InlineData("kestrel")]
    public async Task A_login_check_that_takes_long_does_not_stall_another_nodes_telemetry_on_the_same_event_thread(string transport)
    {
        var dataDir = TestGateway.NewTempDir();
        var (mqttPort, httpPort) = (TestGateway.FreePort(), TestGateway.FreePort());
        Dictionary<string, string> secrets;
        using (await StartWithOneEventThreadAsync(dataDir, mqttPort, httpPort, transport))
        {
            secrets = await ProvisionAsync(httpPort, "sl-0001", "sl-0002");
        }
        // sl-0001's stored hash asks for 2^31-1 PBKDF2 iterations: its CONNECT check is the real check, only minutes
        // long (a slow CPU, a storm) instead of milliseconds. The registry reads hashes at start, hence the restart.
        using (var registry = new SqliteConnection($"Data Source={Path.Combine(dataDir, "gateway.db")};Pooling=False"))
        {
            registry.Open();
            using var update = registry.CreateCommand();
            update.CommandText = "UPDATE nodes SET secret_hash = 'pbkdf2-sha256$2147483647$' || substr(secret_hash, instr(substr(secret_hash, 15), '$') + 15) WHERE node_id = 'sl-0001'";
            Assert.Equal(1, update.ExecuteNonQuery());
        }
        using var gateway = await StartWithOneEventThreadAsync(dataDir, mqttPort, httpPort, transport);
        using var other = await ConnectAsync(mqttPort, "sl-0002", secrets["sl-0002"]);

        using var slow = await RawMqtt.OpenAsync(mqttPort);
        var connect = RawMqtt.Connect(Encoding.UTF8.GetBytes("sl-0001"), "sl-0001", secrets["sl-0001"]);
        // Its first byte, read at once: the gateway's next read of this connection then waits for the socket, so the
        // rest of the CONNECT is read by the event thread (sent whole, it could be read before the read waited).
        Assert.True(await slow.SendAsync(connect.AsMemory(0, 1)));
        await TestGateway.WaitUntilAsync(() => GatewayReceiveQueue(mqttPort, slow.LocalPort) == 0, "the gateway reading the CONNECT's first byte");
        Assert.True(await slow.SendAsync(connect.AsMemory(1)));
        // The gateway has read the CONNECT: its check is running.
        await TestGateway.WaitUntilAsync(() => GatewayReceiveQueue(mqttPort, slow.LocalPort) == 0, "the gateway reading the CONNECT");

        var ack = await other.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0002", "telemetry"), TestGateway.Telemetry(1, 1)));
        Assert.True(ack.IsSuccess);
        Assert.Equal(1, OutboxRows(dataDir, "sl-0002"));
        Assert.True(slow.HasReceivedNothingAndIsOpen, "the slow login was answered before the other node's telemetry");
    }

    /// <summary>
    /// The gateway process as shipped (inline completions: its start line says so), with one socket event thread and
    /// the given broker transport (Kestrel's sockets complete on the same event threads).
    /// </summary>
    static async Task<GatewayProcess> StartWithOneEventThreadAsync(string dataDir, int mqttPort, int httpPort, string transport)
    {
        var gateway = await GatewayProcess.StartAsync(dataDir, mqttPort, httpPort,
            new Dictionary<string, string> { ["DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT"] = "1" },
            "--Logging:LogLevel:Edge.Gateway.Broker.EmbeddedBroker=Information", TestGateway.Transport(transport));
        try
        {
            await TestGateway.WaitUntilAsync(() => gateway.Output.Any(l => l.Contains("MQTT broker listening", StringComparison.Ordinal)), "the broker's start line");
            Assert.Contains(gateway.Output, l => l.Contains($"({transport} transport); socket completions inline", StringComparison.Ordinal));
            return gateway;
        }
        catch
        {
            gateway.Dispose();
            throw;
        }
    }

    static async Task<Dictionary<string, string>> ProvisionAsync(int httpPort, params string[] nodeIds)
    {
        var secrets = new Dictionary<string, string>();
        using var http = new HttpClient();
        foreach (var id in nodeIds)
        {
            var response = await http.PostAsJsonAsync($"http://127.0.0.1:{httpPort}/api/nodes", new { nodeId = id, site = TestGateway.Site, type = "streetlight" });
            response.EnsureSuccessStatusCode();
            secrets[id] = (await response.Content.ReadFromJsonAsync<Dictionary<string, string>>())!["secret"];
        }
        return secrets;
    }

    static async Task<IMqttClient> ConnectAsync(int mqttPort, string nodeId, string secret)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mqttPort).WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(nodeId).WithCredentials(nodeId, secret).WithCleanSession().WithTimeout(TimeSpan.FromSeconds(90)).Build());
        return client;
    }

    static long OutboxRows(string dataDir, string nodeId)
    {
        using var outbox = new SqliteConnection($"Data Source={Path.Combine(dataDir, "outbox.db")};Mode=ReadOnly;Pooling=False");
        outbox.Open();
        using var count = outbox.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM outbox WHERE node_id = $node";
        count.Parameters.AddWithValue("$node", nodeId);
        return (long)count.ExecuteScalar()!;
    }

    /// <summary>
    /// Bytes waiting in the receive queue of the broker's socket 127.0.0.1:<paramref name="brokerPort"/> ↔
    /// 127.0.0.1:<paramref name="clientPort"/>, from the kernel's table (/proc/net/tcp: "tx_queue:rx_queue" in hex); -1
    /// while the socket is not listed.
    /// </summary>
    static long GatewayReceiveQueue(int brokerPort, int clientPort)
    {
        var local = $"0100007F:{brokerPort:X4}";
        var remote = $"0100007F:{clientPort:X4}";
        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields[1] == local && fields[2] == remote)
            {
                return long.Parse(fields[4].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }
        return -1;
    }
}
