using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using Edge.Gateway.Operations;
using Edge.Gateway.Outbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Edge.Gateway.Tests.Exposure;

/// <summary>
/// Port 1883 is on the shared site Wi-Fi: what a peer can make the embedded broker hold, log and keep open
/// (docs/gateway.md "Exposure limits"). Hand-built packets over real TCP to the real broker.
/// </summary>
public sealed class BrokerExposureTests
{
    [Theory]
    [InlineData("mqttnet")]
    [InlineData("kestrel")]
    public async Task A_silent_socket_is_closed_after_the_configured_connect_timeout(string transport)
    {
        await using var gateway = await TestGateway.StartAsync(null, "--Gateway:Broker:Limits:ConnectTimeoutSeconds=1", TestGateway.Transport(transport));
        using var silent = await RawMqtt.OpenAsync(gateway.MqttPort);

        Assert.Empty(await silent.ReadUntilClosedAsync(guardSeconds: 15)); // MQTTnet's default would hold it 100 s
    }

    [Theory]
    [InlineData("mqttnet")]
    [InlineData("kestrel")]
    public async Task On_the_TLS_port_a_stalled_handshake_is_closed_after_the_connect_timeout_and_nodes_still_connect(string transport)
    {
        var certificatePath = Path.Combine(TestGateway.NewTempDir(), "server.p12");
        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(certificatePath, certificate.Export(X509ContentType.Pkcs12));
        }
        var tlsPort = TestGateway.FreePort();
        await using var gateway = await TestGateway.StartAsync(null,
            "--tls-port", tlsPort.ToString(CultureInfo.InvariantCulture), "--tls-cert", certificatePath, "--Gateway:Broker:Limits:ConnectTimeoutSeconds=1", TestGateway.Transport(transport));

        using (var stalled = await RawMqtt.OpenAsync(tlsPort))
        {
            Assert.Empty(await stalled.ReadUntilClosedAsync()); // no ClientHello: MQTTnet's own listener waits forever
        }

        var secret = gateway.AddNode("sl-0001");
        using var node = await gateway.ConnectAsync("sl-0001", secret, builder => builder.WithTcpServer("127.0.0.1", tlsPort)
            .WithTlsOptions(tls => tls.UseTls().WithCertificateValidationHandler(_ => true)));
        var published = await node.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, 1)));
        Assert.Equal(MqttClientPublishReasonCode.Success, published.ReasonCode);
        Assert.Equal(1, gateway.Get<IOutboxReader>().GetStats().Depth);

        // A burst in flight at once: packets that arrive together in TLS records are read ahead and decoded unchanged.
        var burst = await Task.WhenAll(Enumerable.Range(2, 20).Select(seq =>
            node.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, seq)))));
        Assert.All(burst, result => Assert.Equal(MqttClientPublishReasonCode.Success, result.ReasonCode));
        Assert.Equal(21, gateway.Get<IOutboxReader>().GetStats().Depth);
    }

    [Theory]
    [InlineData("plus", "mqttnet")]
    [InlineData("hash", "mqttnet")]
    [InlineData("nul", "mqttnet")]
    [InlineData("ill-formed", "mqttnet")]
    [InlineData("overlong", "mqttnet")]
    [InlineData("surrogate", "mqttnet")]
    [InlineData("hash", "kestrel")]
    [InlineData("ill-formed", "kestrel")]
    public async Task A_PUBLISH_topic_with_a_wildcard_NUL_or_ill_formed_UTF8_closes_the_connection_without_PUBACK(string kind, string transport)
    {
        await using var gateway = await TestGateway.StartAsync(null, TestGateway.Transport(transport));
        var secret = gateway.AddNode("sl-0001");
        var own = Encoding.ASCII.GetBytes(TestGateway.Topic("sl-0001", "telemetry"));
        byte[] topic = kind switch
        {
            "plus" => Encoding.ASCII.GetBytes(TestGateway.Topic("sl-0001", "+")),
            "hash" => Encoding.ASCII.GetBytes(TestGateway.Topic("sl-0001", "#")),
            "nul" => [.. own[..^3], 0x00, .. own[^2..]],
            "ill-formed" => [.. own, 0xC3, 0x28],          // lead byte followed by a non-continuation byte
            "overlong" => [.. own, 0xC0, 0xAF],            // '/' encoded in two bytes
            _ => [.. own, 0xED, 0xA0, 0x80],               // U+D800, a surrogate, which UTF-8 must not encode
        };
        using var node = await RawMqtt.LoginAsync(gateway.MqttPort, "sl-0001", secret);

        // The same connection works for a well-formed publish first.
        await node.SendAsync(RawMqtt.Publish(own, 1, TestGateway.Telemetry(1, 1)));
        Assert.Equal(RawMqtt.PubAck(1), await node.ReadPacketAsync());

        await node.SendAsync(RawMqtt.Publish(topic, 2, TestGateway.Telemetry(1, 2)));

        Assert.Empty(await node.ReadUntilClosedAsync()); // closed, and no PUBACK for packet 2
        Assert.Equal(1, gateway.Metrics.Get("edge.gateway.mqtt.connections.closed", "reason", "bad_topic"));
        Assert.Equal(1, gateway.Get<IOutboxReader>().GetStats().Depth);
    }

    [Fact]
    public async Task Refused_connects_log_a_clipped_cleaned_client_id_at_most_N_times_per_interval_then_the_suppressed_count()
    {
        var logs = new LogCapture();
        var clock = new ManualClock();
        await using var gateway = await TestGateway.StartWithAsync(builder =>
        {
            builder.Logging.AddProvider(logs);
            builder.Services.AddSingleton<TimeProvider>(clock);
        }, null, "--Gateway:Broker:Limits:LogLinesPerAddress=3", "--Gateway:Broker:Limits:LogIntervalSeconds=60");
        // 3000 bytes of client id with line breaks and a terminal escape: fits the CONNECT limit, so it reaches the log.
        var clientId = string.Concat(Enumerable.Repeat("evil\n\u001b[31m", 300));

        for (var i = 0; i < 10; i++) await RefusedConnectAsync(gateway.MqttPort, clientId);
        clock.Advance(TimeSpan.FromSeconds(61));
        await RefusedConnectAsync(gateway.MqttPort, clientId);

        var lines = logs.Lines("CONNECT refused");
        Assert.Equal(4, lines.Length);
        Assert.All(lines, line =>
        {
            Assert.True(line.Length < 400, $"log line of {line.Length} characters");
            Assert.DoesNotContain('\n', line);
            Assert.DoesNotContain('\u001b', line);
            Assert.Contains("evil??[31mevil", line, StringComparison.Ordinal);
            Assert.Contains("(3000 chars)", line, StringComparison.Ordinal);
        });
        Assert.DoesNotContain("suppressed", string.Concat(lines[..3]), StringComparison.Ordinal);
        Assert.Contains("7 earlier lines from this address suppressed", lines[3], StringComparison.Ordinal);
        Assert.Equal(11, gateway.Metrics.Get("edge.gateway.auth.failures", "reason", "client_id_mismatch")); // every refusal is still counted
    }

    static async Task RefusedConnectAsync(int port, string clientId)
    {
        using var raw = await RawMqtt.OpenAsync(port);
        await raw.SendAsync(RawMqtt.Connect(Encoding.UTF8.GetBytes(clientId), "sl-9999", "not-a-secret"));
        Assert.Equal(new byte[] { 0x20, 0x02, 0x00, 0x02 }, await raw.ReadUntilClosedAsync()); // CONNACK 2: identifier rejected
    }
}
