using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Outbox;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Edge.Gateway.Tests;

/// <summary>
/// Gateway:Broker:Transport: MQTTnet's channel over the gateway's listener, or Kestrel with MQTTnet.AspNetCore. The
/// same node-facing behaviour from both, with a real MQTTnet client (the limits, TLS port and ACL tests also run
/// against both: BrokerExposureTests, BrokerMemoryTests, BrokerAccessTests).
/// </summary>
public sealed class BrokerTransportTests
{
    [Theory]
    [InlineData("mqttnet")]
    [InlineData("kestrel")]
    public async Task A_node_logs_in_and_its_QoS1_publish_is_committed_when_the_PUBACK_arrives_and_a_wrong_secret_is_refused(string transport)
    {
        await using var gateway = await TestGateway.StartAsync(null, TestGateway.Transport(transport));
        var secret = gateway.AddNode("sl-0001");

        // Who holds the MQTT port: the web server's addresses list it only with the Kestrel transport.
        var addresses = gateway.Get<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Assert.Equal(transport == "kestrel", addresses.Any(a => new Uri(a).Port == gateway.MqttPort));

        var refused = await gateway.TryConnectAsync("sl-0001", "not-the-secret");
        refused.Client.Dispose();
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, refused.Result);
        Assert.Equal(1, gateway.Metrics.Get("edge.gateway.auth.failures", "reason", "bad_secret"));

        using var node = await gateway.ConnectAsync("sl-0001", secret);
        for (var seq = 1; seq <= 3; seq++)
        {
            var acked = await node.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, seq)));
            Assert.Equal(MqttClientPublishReasonCode.Success, acked.ReasonCode);
            // Read at once, no waiting: the PUBACK is sent only after the outbox commit (protocol.md, gateway duties, 2).
            Assert.Equal(seq, gateway.Get<IOutboxReader>().GetStats().Depth);
        }
    }

    [Fact]
    public void An_unknown_transport_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new BrokerOptions { Transport = "tcp" }.IsKestrel);
        Assert.Equal("Gateway:Broker:Transport: 'tcp' is neither \"mqttnet\" nor \"kestrel\"", error.Message);
        Assert.True(new BrokerOptions { Transport = "Kestrel" }.IsKestrel);
        Assert.False(new BrokerOptions().IsKestrel);
    }

    [Theory]
    [InlineData("mqttnet")]
    [InlineData("kestrel")]
    public async Task Stopping_the_gateway_closes_connected_nodes_without_waiting_out_the_shutdown_timeout(string transport)
    {
        var logs = new LogCapture();
        await using var gateway = await TestGateway.StartWithAsync(builder =>
        {
            builder.Logging.AddProvider(logs);
            builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(20));
        }, null, TestGateway.Transport(transport), "--Logging:LogLevel:Microsoft.AspNetCore.Server.Kestrel=Debug");
        var secret = gateway.AddNode("sl-0001");
        using var node = await gateway.ConnectAsync("sl-0001", secret);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        node.DisconnectedAsync += _ => { closed.TrySetResult(); return Task.CompletedTask; };

        await gateway.App.StopAsync(CancellationToken.None);

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard
        // Kestrel waits for its connections until the shutdown timeout, then says so and aborts them.
        Assert.DoesNotContain(logs.Lines, line => line.Text.Contains("failed to close gracefully", StringComparison.Ordinal));
    }
}
