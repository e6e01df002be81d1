using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway;
using Edge.Gateway.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Edge.Tests.Metrics;

namespace Edge.Gateway.Tests;

/// <summary>The gateway started in-process on free ports with its own data directory.</summary>
public sealed class TestGateway : IAsyncDisposable
{
    public const string Site = "kalamaki";

    TestGateway(WebApplication app, MeterReader metrics, string dataDir, int mqttPort, int httpPort)
    {
        App = app;
        Metrics = metrics;
        DataDir = dataDir;
        MqttPort = mqttPort;
        HttpPort = httpPort;
    }

    public WebApplication App { get; }

    /// <summary>This gateway's instruments (its own meter, not a parallel test's), read in-process.</summary>
    public MeterReader Metrics { get; }
    public string DataDir { get; }
    public int MqttPort { get; }
    public int HttpPort { get; }

    public static Task<TestGateway> StartAsync(string? dataDir = null, params string[] extraArgs) => StartWithAsync(null, dataDir, extraArgs);

    /// <summary>As <see cref="StartAsync"/>, with a hook to replace services (e.g. the siren relay) before the host is built.</summary>
    public static async Task<TestGateway> StartWithAsync(Action<WebApplicationBuilder>? configure, string? dataDir = null, params string[] extraArgs)
    {
        dataDir ??= NewTempDir();
        var mqttPort = FreePort();
        var httpPort = FreePort();
        var args = new List<string>
        {
            "--data-dir", dataDir, "--port", mqttPort.ToString(), "--bind", "127.0.0.1", "--http-port", httpPort.ToString(),
            "--Logging:LogLevel:Default=Warning",
        };
        args.AddRange(extraArgs);
        var app = GatewayHost.Build(args.ToArray(), configure);
        var metrics = new MeterReader(app.Services.GetRequiredService<IMeterFactory>());
        await app.StartAsync();
        return new TestGateway(app, metrics, dataDir, mqttPort, httpPort);
    }

    /// <summary>The argument that picks who accepts the broker's connections (Gateway:Broker:Transport: mqttnet or kestrel).</summary>
    public static string Transport(string transport) => "--Gateway:Broker:Transport=" + transport;

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>Provisions a node and returns its secret.</summary>
    public string AddNode(string nodeId, string type = "streetlight") => Get<NodeRegistry>().Add(new NodeRegistration(nodeId, Site, type));

    public static string Topic(string nodeId, string leaf) => $"edge/{Site}/{nodeId}/{leaf}";

    public async Task<IMqttClient> ConnectAsync(string nodeId, string secret, Action<MqttClientOptionsBuilder>? configure = null)
    {
        var (client, result) = await TryConnectAsync(nodeId, secret, configure);
        if (result != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new InvalidOperationException($"CONNECT of {nodeId} refused: {result}");
        }
        return client;
    }

    /// <summary>Connects like a node (protocol.md §2.2) and returns the CONNACK result.</summary>
    public async Task<(IMqttClient Client, MqttClientConnectResultCode Result)> TryConnectAsync(string nodeId, string secret, Action<MqttClientOptionsBuilder>? configure = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", MqttPort)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(nodeId)
            .WithCredentials(nodeId, secret)
            .WithCleanSession()
            .WithTimeout(TimeSpan.FromSeconds(15));
        configure?.Invoke(builder);
        var result = await client.ConnectAsync(builder.Build());
        return (client, result.ResultCode);
    }

    public static MqttApplicationMessage Message(string topic, string payload, bool retain = false)
        => new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes(payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build();

    public static string Telemetry(long boot, long seq) => $"{{\"v\":1,\"type\":\"streetlight\",\"ts\":1767304800,\"boot\":{boot},\"seq\":{seq},\"level\":60}}";

    /// <summary>An event as a node writes it (protocol.md §7); a lamp fault carries the members the cloud requires.</summary>
    public static string Event(long boot, long seq, string kind = "lamp.fault")
        => $"{{\"v\":1,\"ts\":1767306120,\"boot\":{boot},\"seq\":{seq},\"kind\":\"{kind}\"{(kind == "lamp.fault" ? ",\"fault\":\"lamp-failure\",\"active\":true" : "")}}}";

    public static string NewTempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "edge-gw-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after <paramref name="timeoutSeconds"/> (a hang guard, not a timing assertion).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gave up waiting for: {what}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await App.StopAsync(cts.Token);
        await App.DisposeAsync();
        Metrics.Dispose();
    }
}
