using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Edge.Gateway.Broker;
using Edge.Gateway.Outbox;
using Edge.Gateway.Registry;
using MQTTnet;
using MQTTnet.Formatter;

namespace Edge.Gateway.Tests.ExternalBroker;

/// <summary>
/// A site with its own Mosquitto and the gateway attached to it in external mode (in-process, own data directory):
/// nodes are provisioned in the gateway's registry, the Mosquitto files are exported from it, then Mosquitto starts.
/// </summary>
public sealed class ExternalSite : IAsyncDisposable
{
    public const string GatewayPassword = "site-gateway-password-for-tests";

    ExternalSite(SiteMosquitto broker, string dataDir)
    {
        Broker = broker;
        DataDir = dataDir;
    }

    public SiteMosquitto Broker { get; }
    public string DataDir { get; }
    public TestGateway? Gateway { get; private set; }
    public Dictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal);

    public TestGateway Running => Gateway ?? throw new InvalidOperationException("the gateway is stopped");

    public static async Task<ExternalSite> StartAsync(params string[] nodeIds)
    {
        var site = new ExternalSite(SiteMosquitto.Create(), TestGateway.NewTempDir());
        await site.StartGatewayAsync(waitForBroker: false);
        foreach (var nodeId in nodeIds) site.Secrets[nodeId] = site.Running.AddNode(nodeId);
        site.Export();
        await site.Broker.StartAsync();
        await site.WaitAttachedAsync();
        return site;
    }

    public string[] GatewayArgs =>
    [
        "--broker-mode", "external", "--broker-host", "127.0.0.1", "--broker-port", Broker.Port.ToString(CultureInfo.InvariantCulture),
        "--Gateway:Broker:External:Password=" + GatewayPassword,
        "--Gateway:Broker:External:ReconnectBaseMilliseconds=50",
        "--Gateway:Broker:External:ReconnectCapMilliseconds=500",
    ];

    public async Task StartGatewayAsync(bool waitForBroker = true)
    {
        if (Gateway is not null) throw new InvalidOperationException("already running");
        Gateway = await TestGateway.StartAsync(DataDir, GatewayArgs);
        if (waitForBroker) await WaitAttachedAsync();
    }

    /// <summary>Stops the gateway gracefully (the host's StopAsync): it leaves its session with Mosquitto.</summary>
    public async Task StopGatewayAsync()
    {
        if (Gateway is null) return;
        await Gateway.DisposeAsync();
        Gateway = null;
    }

    public Task WaitAttachedAsync() => TestGateway.WaitUntilAsync(() => Running.Get<INodeTransport>().IsListening, "gateway attached to the site broker\n" + Broker.Log);

    /// <summary>What <c>Edge.Gateway --export-mosquitto</c> does, against the running gateway's registry.</summary>
    public MosquittoExportResult Export()
    {
        var options = Running.Get<GatewayOptions>();
        return MosquittoExport.Write(Broker.ExportDirectory, Running.Get<NodeRegistry>(), options.Broker.External, options.Registry.HashIterations);
    }

    public async Task<IMqttClient> ConnectNodeAsync(string nodeId, string? secret = null)
    {
        var (client, result) = await TryConnectNodeAsync(nodeId, secret ?? Secrets[nodeId]);
        if (result != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new InvalidOperationException($"CONNECT of {nodeId} refused: {result}");
        }
        return client;
    }

    public async Task<(IMqttClient Client, MqttClientConnectResultCode Result)> TryConnectNodeAsync(string nodeId, string secret)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", Broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(nodeId)
            .WithCredentials(nodeId, secret)
            .WithCleanSession()
            .WithTimeout(TimeSpan.FromSeconds(15))
            .Build();
        var result = await client.ConnectAsync(options);
        return (client, result.ResultCode);
    }

    /// <summary>Everything in the outbox (nothing is forwarded: no uplink in these tests).</summary>
    public async Task<IReadOnlyList<OutboxMessage>> OutboxAsync() => await Running.Get<IOutboxReader>().ReadAfterAsync(0, 100_000, int.MaxValue, default);

    /// <summary>Polls the outbox until <paramref name="condition"/> holds (a hang guard, not a timing assertion).</summary>
    public async Task<IReadOnlyList<OutboxMessage>> WaitForOutboxAsync(Func<IReadOnlyList<OutboxMessage>, bool> condition, string what, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var messages = await OutboxAsync();
            if (condition(messages)) return messages;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gave up waiting for: {what} (outbox holds {messages.Count})\n{Broker.Log}");
            await Task.Delay(20);
        }
    }

    public static string Text(OutboxMessage message) => Encoding.UTF8.GetString(message.Payload);

    public static int CountOf(IReadOnlyList<OutboxMessage> messages, string nodeId) => messages.Count(m => m.NodeId == nodeId);

    public async ValueTask DisposeAsync()
    {
        await StopGatewayAsync();
        await Broker.DisposeAsync();
    }
}
