using System;
using System.Buffers;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Broker.Exposure;
using Edge.Gateway.Operations;
using Edge.Gateway.Registry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.AspNetCore;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Edge.Gateway.Broker;

/// <summary>
/// The embedded MQTT broker (MQTTnet.Server 5.2) that nodes connect to (protocol.md §1–§4).
///
/// PUBACK after commit — verified in MQTTnet 5.2.0 source: MqttConnectedClient.HandleIncomingPublishPacket awaits
/// MqttClientSessionsManager.DispatchApplicationMessage, which awaits the InterceptingPublishEvent handlers (our
/// <see cref="OnInterceptingPublishAsync"/>, which awaits the outbox commit) and, for retained messages,
/// MqttRetainedMessagesManager.UpdateMessage (which awaits RetainedMessageChangedEvent → <see cref="RetainedStore"/>);
/// only after it returns does it enqueue the MqttPubAckPacket (Source/MQTTnet.Server/Internal/MqttConnectedClient.cs,
/// "case MqttQualityOfServiceLevel.AtLeastOnce"). When a handler sets CloseConnection, the client is stopped and no
/// PUBACK is sent. The receive loop of a connection also awaits each publish before reading the next packet, so one
/// node's messages are committed in the order it sent them. The last will goes through the same dispatch, so the
/// ACL and validation apply to it too.
/// </summary>
public sealed class EmbeddedBroker : INodeTransport, IDisposable
{
    const string NodeSessionKey = "edge.node";

    readonly GatewayOptions _options;
    readonly NodeRegistry _registry;
    readonly InboundPipeline _pipeline;
    readonly RetainedStore _retained;
    readonly GatewayMetrics _metrics;
    readonly ExposureLog _exposureLog;
    readonly ILogger _logger;
    readonly SemaphoreSlim _versionedPublish = new(1, 1);
    readonly LoginGate _logins;
    readonly MqttConnectionHandler _kestrelAdapter;
    readonly IHostApplicationLifetime _lifetime;
    readonly Lock _stopLock = new();
    MqttServer? _server;
    Task? _stopped;
    CancellationTokenRegistration _stopWithHost;

    public EmbeddedBroker(GatewayOptions options, NodeRegistry registry, InboundPipeline pipeline, RetainedStore retained, GatewayMetrics metrics, ExposureLog exposureLog, LoginGate logins,
        MqttConnectionHandler kestrelAdapter, IHostApplicationLifetime lifetime, ILogger<EmbeddedBroker> logger)
    {
        _kestrelAdapter = kestrelAdapter;
        _lifetime = lifetime;
        _logins = logins;
        _exposureLog = exposureLog;
        _options = options;
        _registry = registry;
        _pipeline = pipeline;
        _retained = retained;
        _metrics = metrics;
        _logger = logger;
        metrics.Meter.CreateObservableGauge("edge.gateway.nodes.connected", () => _registry.ConnectedCount, "{node}", "Nodes with an open MQTT connection.");
    }

    public bool IsListening => _server?.IsStarted == true;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var broker = _options.Broker;
        var builder = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointPort(broker.Port)
            .WithMaxPendingMessagesPerClient(1000)
            // MQTTnet waits this long for a connection's CONNECT (and for sending DISCONNECT): a silent socket is closed.
            .WithDefaultCommunicationTimeout(TimeSpan.FromSeconds(broker.Limits.ConnectTimeoutSeconds));
        if (!string.Equals(broker.BindAddress, "any", StringComparison.OrdinalIgnoreCase))
        {
            var address = IPAddress.Parse(broker.BindAddress);
            builder = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? builder.WithDefaultEndpointBoundIPV6Address(address).WithDefaultEndpointBoundIPAddress(IPAddress.None)
                : builder.WithDefaultEndpointBoundIPAddress(address).WithDefaultEndpointBoundIPV6Address(IPAddress.None);
        }
        if (broker.TlsPort > 0)
        {
            var certificate = BrokerCertificate.Load(broker);
            builder = builder.WithEncryptedEndpoint().WithEncryptedEndpointPort(broker.TlsPort).WithEncryptionCertificate(certificate)
                .WithEncryptionSslProtocol(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13);
        }

        var serverOptions = builder.Build();
        serverOptions.WriterBufferSize = broker.WriterBufferBytes;
        serverOptions.WriterBufferSizeMax = Math.Max(broker.WriterBufferBytes, broker.WriterBufferMaxBytes);
        // Either our listener in place of MQTTnet's, so every packet is size-checked before MQTTnet buffers it (docs/gateway.md
        // "Exposure limits"), or Kestrel's, whose endpoints (with the same guard) KestrelMqttListener adds to the web server.
        IMqttServerAdapter adapter = broker.IsKestrel ? _kestrelAdapter : new GuardedTcpServerAdapter(broker, _exposureLog, _logger);
        var server = new MqttServerFactory().CreateMqttServer(serverOptions, [adapter]);
        server.ValidatingConnectionAsync += OnValidatingConnectionAsync;
        server.InterceptingPublishAsync += OnInterceptingPublishAsync;
        server.InterceptingSubscriptionAsync += OnInterceptingSubscriptionAsync;
        // The handlers below take the registry's lock (held across its SQLite writes) or write gateway.db: each first
        // leaves the socket event thread it may have been called on (SocketCompletions).
        server.ClientConnectedAsync += async e =>
        {
            await SocketCompletions.LeaveEventThread();
            _registry.SetConnected(e.ClientId, true);
        };
        server.ClientDisconnectedAsync += OnClientDisconnectedAsync;
        server.LoadingRetainedMessageAsync += e => { e.LoadedRetainedMessages = _retained.Load(); return Task.CompletedTask; };
        server.RetainedMessageChangedAsync += async e =>
        {
            await SocketCompletions.LeaveEventThread();
            var message = e.ChangedRetainedMessage;
            _retained.Save(message.Topic, message.Payload.ToArray(), message.QualityOfServiceLevel);
        };
        await server.StartAsync().ConfigureAwait(false);
        lock (_stopLock)
        {
            _server = server;
            _stopped = null;
        }
        if (broker.IsKestrel)
        {
            // The web server stops before the hosted service that stops the broker, and waits (up to the host's shutdown
            // timeout) for its connections to end, which an MQTT connection does not do by itself: close them when the
            // host starts stopping, as MQTTnet's own listener is closed at the broker's stop.
            _stopWithHost = _lifetime.ApplicationStopping.Register(() => _ = StopAsync(CancellationToken.None));
        }
        _logger.LogInformation("MQTT broker listening on port {Port}{Tls} ({Transport} transport); socket completions {Completions}", broker.Port,
            broker.TlsPort > 0 ? $" and TLS port {broker.TlsPort}" : "", broker.IsKestrel ? "kestrel" : "mqttnet", SocketCompletions.Inline ? "inline (on the socket event threads)" : "on the thread pool");
    }

    /// <summary>Stops the server once: the host's stopping signal and the hosted service may both ask.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_stopLock) return _stopped ??= StopServerAsync(_server);
    }

    async Task StopServerAsync(MqttServer? server)
    {
        if (server is null) return;
        _stopWithHost.Unregister();
        await server.StopAsync(new MqttServerStopOptions()).ConfigureAwait(false);
        server.Dispose();
        lock (_stopLock) if (_server == server) _server = null;
    }

    public async Task DisconnectAsync(string nodeId)
    {
        if (_server is not { } server || !await IsConnectedAsync(server, nodeId).ConfigureAwait(false)) return;
        try
        {
            await server.DisconnectClientAsync(nodeId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.NotAuthorized }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The node may leave between the look-up and the disconnect (its session is being torn down, and is listed
            // until that ends): then it is gone, which is what was asked. Still there after a second: a real failure.
            for (var i = 0; i < 10 && await IsConnectedAsync(server, nodeId).ConfigureAwait(false); i++) await Task.Delay(100).ConfigureAwait(false);
            if (await IsConnectedAsync(server, nodeId).ConfigureAwait(false)) throw;
            _logger.LogDebug(e, "Node {Node} left while being disconnected", nodeId);
        }
    }

    static async Task<bool> IsConnectedAsync(MqttServer server, string nodeId) =>
        (await server.GetClientsAsync().ConfigureAwait(false)).Any(c => c.Id == nodeId);

    async Task OnValidatingConnectionAsync(ValidatingConnectionEventArgs e)
    {
        // Through the gate: a login storm must not take every pool thread (LoginGate).
        var (clientId, userName, password) = (e.ClientId, e.UserName, e.Password);
        var result = await _logins.RunAsync(() => _registry.Authenticate(clientId, userName, password)).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            _exposureLog.ConnectRefused(e.RemoteEndPoint, e.ClientId, e.UserName, result.FailureReason!);
            e.ReasonCode = result.FailureReason == "client_id_mismatch" ? MqttConnectReasonCode.ClientIdentifierNotValid : MqttConnectReasonCode.BadUserNameOrPassword;
            return;
        }
        e.SessionItems[NodeSessionKey] = result.Node!;
    }

    async Task OnInterceptingPublishAsync(InterceptingPublishEventArgs e)
    {
        // Messages the gateway itself injects (config, cmd, display, time) carry an empty sender id.
        if (e.ClientId.Length == 0) return;
        if (e.SessionItems[NodeSessionKey] is not NodeRecord node)
        {
            e.ProcessPublish = false;
            return;
        }
        // The payload buffer belongs to MQTTnet: copy it before the handler yields.
        var payload = e.ApplicationMessage.Payload.ToArray();
        InboundDecision decision;
        try
        {
            decision = await _pipeline.HandleAsync(node, e.ApplicationMessage.Topic, payload).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // Not durable: no PUBACK; the node re-sends after reconnecting.
            _logger.LogError(exception, "Node {NodeId}: could not store a message; closing its connection so it re-sends", node.NodeId);
            e.ProcessPublish = false;
            e.CloseConnection = true;
            return;
        }
        e.ProcessPublish = decision == InboundDecision.RetainState;
        // Seen by MQTT 5 clients only (a 3.1.1 PUBACK has no reason code).
        if (decision == InboundDecision.Rejected) e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
        else if (decision == InboundDecision.PayloadInvalid) e.Response.ReasonCode = MqttPubAckReasonCode.PayloadFormatInvalid;
    }

    Task OnInterceptingSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        var node = e.SessionItems[NodeSessionKey] as NodeRecord;
        if (node is null || !NodeTopics.MaySubscribe(node.Site, node.NodeId, e.TopicFilter.Topic))
        {
            _metrics.AclViolations.Add(1, GatewayMetrics.Tag("operation", "subscribe"));
            _logger.LogWarning("ACL: node {NodeId} may not subscribe to {Filter}; refused", e.ClientId, LogText.Clip(e.TopicFilter.Topic, _options.Broker.MaxTopicBytes));
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized; // SUBACK 0x80 for MQTT 3.1.1 (protocol.md §2.4)
        }
        return Task.CompletedTask;
    }

    async Task OnClientDisconnectedAsync(ClientDisconnectedEventArgs e)
    {
        await SocketCompletions.LeaveEventThread();
        // A takeover (the same node reconnected, protocol.md §1.4) leaves the new connection in place.
        if (e.DisconnectType != MqttClientDisconnectType.Takeover)
        {
            _registry.SetConnected(e.ClientId, false);
        }
    }

    public Task<bool> PublishConfigAsync(string site, string nodeId, byte[] payload, CancellationToken cancellationToken = default)
        => PublishVersionedAsync(NodeTopics.For(site, nodeId, NodeTopics.Config), payload, cancellationToken);

    public Task<bool> PublishDisplayAsync(string site, string nodeId, byte[] payload, CancellationToken cancellationToken = default)
        => PublishVersionedAsync(NodeTopics.For(site, nodeId, NodeTopics.Display), payload, cancellationToken);

    public Task SendCommandAsync(string site, string nodeId, byte[] payload, CancellationToken cancellationToken = default)
    {
        CheckSize(payload, 1024, "cmd");
        return InjectAsync(NodeTopics.For(site, nodeId, NodeTopics.Cmd), payload, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, cancellationToken);
    }

    public Task SendTimeAsync(string site, string nodeId, byte[] payload, CancellationToken cancellationToken = default)
    {
        CheckSize(payload, 256, "time");
        return InjectAsync(NodeTopics.For(site, nodeId, NodeTopics.Time), payload, MqttQualityOfServiceLevel.AtMostOnce, retain: false, cancellationToken);
    }

    public async Task ClearRetainedAsync(string site, string nodeId, CancellationToken cancellationToken = default)
    {
        foreach (var leaf in new[] { NodeTopics.Config, NodeTopics.Display, NodeTopics.State })
        {
            await InjectAsync(NodeTopics.For(site, nodeId, leaf), Array.Empty<byte>(), MqttQualityOfServiceLevel.AtLeastOnce, retain: true, cancellationToken).ConfigureAwait(false);
        }
    }

    async Task<bool> PublishVersionedAsync(string topic, byte[] payload, CancellationToken cancellationToken)
    {
        CheckSize(payload, 16384, topic);
        var version = ReadVersion(payload) ?? throw new ArgumentException($"{topic}: payload has no integer 'version' (protocol.md §9.1, §11.1)");
        await _versionedPublish.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var server = _server ?? throw new InvalidOperationException("broker not started");
            var current = await server.GetRetainedMessageAsync(topic).ConfigureAwait(false);
            if (current is not null && ReadVersion(current.Payload.ToArray()) is { } currentVersion && currentVersion >= version)
            {
                return false;
            }
            await InjectAsync(topic, payload, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _versionedPublish.Release();
        }
    }

    Task InjectAsync(string topic, byte[] payload, MqttQualityOfServiceLevel qos, bool retain, CancellationToken cancellationToken)
    {
        var server = _server ?? throw new InvalidOperationException("broker not started");
        var message = new MqttApplicationMessage
        {
            Topic = topic,
            Payload = new ReadOnlySequence<byte>(payload),
            QualityOfServiceLevel = qos,
            Retain = retain,
        };
        return server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = string.Empty }, cancellationToken);
    }

    static void CheckSize(byte[] payload, int limit, string what)
    {
        if (payload.Length > limit) throw new ArgumentException($"{what}: {payload.Length} bytes exceed the limit of {limit} (protocol.md §13)");
    }

    static long? ReadVersion(byte[] payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var version) ? version : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _server?.Dispose();
        _versionedPublish.Dispose();
    }
}
