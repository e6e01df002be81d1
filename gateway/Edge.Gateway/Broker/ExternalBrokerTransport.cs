using System;
using System.Buffers;
using System.Diagnostics.Metrics;
using System.Collections.Concurrent;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Edge.Gateway.Operations;
using Edge.Gateway.Registry;
using Edge.Gateway.Uplink;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Gateway.Broker;

/// <summary>
/// The gateway as a privileged client of the site's own broker (Mosquitto), instead of the embedded one
/// (Gateway:Broker:Mode = external; docs/gateway.md "External broker"). Nodes connect to Mosquitto, which checks
/// their credentials and the topic ACL (files written by <see cref="MosquittoExport"/>) and PUBACKs them; the
/// gateway subscribes to every node's telemetry, event, state and cmd/ack with QoS 1.
///
/// Acknowledge after commit, the external way: MQTT 3.1.1 with clean session false and a fixed client id, so
/// Mosquitto keeps the gateway's subscriptions and queues QoS 1 messages while it is away, and re-sends any it has
/// not PUBACKed. Manual acknowledgement: MQTTnet 5.2 invokes ApplicationMessageReceivedAsync one message at a time
/// (MqttClient.ProcessReceivedPublishPackets) and sends the PUBACK itself only when the handler leaves
/// <c>AutoAcknowledge</c> true; otherwise only <c>MqttApplicationMessageReceivedEventArgs.AcknowledgeAsync</c> sends it
/// (MqttClient.AcknowledgeReceivedPublishPacket). The handler here sets AutoAcknowledge = false, hands the message to
/// <see cref="InboundPipeline"/> (which queues it for the outbox's group commit before its first await, so arrival
/// order is commit order) and returns at once, so many messages share one commit; an acknowledger loop awaits each
/// message's commit in arrival order and only then PUBACKs it to Mosquitto (MQTT 3.1.1 §4.6: PUBACKs in order).
/// A commit failure sends no PUBACK and drops the connection: Mosquitto re-sends everything unacknowledged after
/// the reconnect, and the outbox's (node, boot, seq) dedupe makes re-sent but already committed messages harmless.
/// Acks of a connection that has ended are never sent on the next one (packet ids belong to a connection).
///
/// Same rules as the embedded broker: size, JSON, version and member checks, counted rejections acknowledged and
/// dropped; a topic naming a node the registry does not know is rejected as <c>unknown_node</c>; a node publishing
/// under another site is an ACL violation. Online/offline comes from <c>state</c> (birth, heartbeat, and the will
/// Mosquitto publishes): the registry's <c>Connected</c> follows the last status, since a client of Mosquitto cannot
/// see the nodes' TCP sessions.
/// </summary>
public sealed class ExternalBrokerTransport : INodeTransport, IDisposable
{
    static readonly string[] Subscriptions = ["edge/+/+/" + NodeTopics.Telemetry, "edge/+/+/" + NodeTopics.Event, "edge/+/+/" + NodeTopics.State, "edge/+/+/" + NodeTopics.CmdAck];

    readonly ExternalBrokerOptions _options;
    readonly NodeRegistry _registry;
    readonly InboundPipeline _pipeline;
    readonly RetainedStore _retained;
    readonly GatewayMetrics _metrics;
    readonly ILogger _logger;
    readonly Counter<long> _reconnects;
    readonly SemaphoreSlim _versionedPublish = new(1, 1);
    readonly SemaphoreSlim _connectionLost = new(0);
    readonly ConcurrentDictionary<string, byte> _retainedToPublish = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, long> _unknownPerNode = new(StringComparer.Ordinal);
    readonly Channel<PendingAck> _acks = Channel.CreateUnbounded<PendingAck>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    IMqttClient? _client;
    CancellationTokenSource? _stopping;
    Task _connectionLoop = Task.CompletedTask;
    Task _ackLoop = Task.CompletedTask;
    int _connection;
    int _disposed;
    int _stopped;
    volatile bool _ready;
    volatile bool _accepting;

    sealed record PendingAck(MqttApplicationMessageReceivedEventArgs Args, Task<InboundDecision> Work, int Connection, NodeRecord? Node, string Topic);

    public ExternalBrokerTransport(GatewayOptions options, NodeRegistry registry, InboundPipeline pipeline, RetainedStore retained, GatewayMetrics metrics, ILogger<ExternalBrokerTransport> logger)
    {
        _options = options.Broker.External;
        _registry = registry;
        _pipeline = pipeline;
        _retained = retained;
        _metrics = metrics;
        _logger = logger;
        _reconnects = metrics.Meter.CreateCounter<long>("edge.gateway.site_broker.connects", "{connect}", "Successful connections to the site's MQTT broker (external mode).");
        metrics.Meter.CreateObservableGauge("edge.gateway.nodes.connected", () => _registry.ConnectedCount, "{node}",
            "Nodes whose last state said online (external broker: the gateway cannot see their connections).");
        metrics.Meter.CreateObservableGauge("edge.gateway.site_broker.up", () => _ready ? 1 : 0, null, "1 while the gateway is connected and subscribed to the site's MQTT broker.");
        // Keep Connected in step with the reported status, before the feed announces the state (ApplyState raises
        // Changed inside its lock, the pipeline publishes to the feed after it).
        _registry.Changed += FollowStatus;
    }

    /// <summary>True while connected to the site broker with the node subscriptions in place.</summary>
    public bool IsListening => _ready;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += OnMessageReceivedAsync;
        client.DisconnectedAsync += OnDisconnectedAsync;
        _client = client;
        _stopping = new CancellationTokenSource();
        _accepting = true;
        _ackLoop = Task.Run(() => AcknowledgeInOrderAsync(_stopping.Token));
        _connectionLoop = Task.Run(() => KeepConnectedAsync(client, _stopping.Token));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_client is not { } client || _stopping is not { } stopping || Interlocked.Exchange(ref _stopped, 1) != 0) return;
        // Stop taking messages, let the acknowledger finish what was taken (PUBACKs after their commit), then leave
        // cleanly: the session stays with Mosquitto, which queues what arrives until the gateway is back.
        _accepting = false;
        _acks.Writer.TryComplete();
        try { await _ackLoop.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false); }
        catch (TimeoutException) { _logger.LogWarning("Pending acknowledgements not finished at shutdown; the site broker re-sends them"); }
        stopping.Cancel();
        try { await _connectionLoop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        _ready = false;
        if (client.IsConnected)
        {
            try { await client.DisconnectAsync(new MqttClientDisconnectOptions(), cancellationToken).ConfigureAwait(false); }
            catch (Exception exception) when (exception is not OperationCanceledException) { _logger.LogDebug(exception, "Disconnect from the site broker"); }
        }
    }

    /// <summary>
    /// The gateway cannot end a node's session on another broker. After a removal or a secret rotation, re-export the
    /// Mosquitto files and reload Mosquitto: it then disconnects clients whose password no longer matches.
    /// </summary>
    public Task DisconnectAsync(string nodeId)
    {
        _logger.LogWarning("Node {NodeId}: with an external broker its session ends only when Mosquitto reloads re-exported files (Edge.Gateway --export-mosquitto, then SIGHUP)", nodeId);
        return Task.CompletedTask;
    }

    async Task KeepConnectedAsync(IMqttClient client, CancellationToken stopping)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(_options.ReconnectBaseMilliseconds), TimeSpan.FromMilliseconds(_options.ReconnectCapMilliseconds));
        var options = BuildClientOptions();
        while (!stopping.IsCancellationRequested)
        {
            if (!client.IsConnected)
            {
                try
                {
                    var result = await client.ConnectAsync(options, stopping).ConfigureAwait(false);
                    if (result.ResultCode != MqttClientConnectResultCode.Success) throw new InvalidOperationException($"CONNACK {result.ResultCode}");
                    var subscribe = new MqttClientSubscribeOptionsBuilder();
                    foreach (var filter in Subscriptions) subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
                    var granted = await client.SubscribeAsync(subscribe.Build(), stopping).ConfigureAwait(false);
                    // The stored retained messages below are read from gateway.db, under its lock (SocketCompletions).
                    await SocketCompletions.LeaveEventThread();
                    foreach (var item in granted.Items)
                    {
                        if (item.ResultCode != MqttClientSubscribeResultCode.GrantedQoS1)
                        {
                            throw new InvalidOperationException($"subscription {item.TopicFilter.Topic} not granted at QoS 1 ({item.ResultCode}): check the gateway user's ACL (readwrite edge/#)");
                        }
                    }
                    // A broker without the gateway's session lost its retained store too (or never had it): give
                    // it every config and display again; otherwise only those published while disconnected.
                    await PublishStoredRetainedAsync(client, all: !result.IsSessionPresent, stopping).ConfigureAwait(false);
                    _ready = true;
                    _reconnects.Add(1);
                    backoff.Reset();
                    _logger.LogInformation("Attached to the site broker {Host}:{Port} as {ClientId} (session present: {SessionPresent})",
                        _options.Host, _options.Port, _options.ClientId, result.IsSessionPresent);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception)
                {
                    _ready = false;
                    var delay = backoff.NextDelay();
                    _logger.LogWarning("Site broker {Host}:{Port} unavailable ({Error}); retrying in {Delay} ms", _options.Host, _options.Port, exception.Message, (long)delay.TotalMilliseconds);
                    if (client.IsConnected)
                    {
                        try { await client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false); } catch (Exception) { }
                    }
                    await Task.Delay(delay, stopping).ConfigureAwait(false);
                    continue;
                }
            }
            await _connectionLost.WaitAsync(stopping).ConfigureAwait(false);
        }
    }

    MqttClientOptions BuildClientOptions()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(_options.ClientId)
            .WithCleanSession(false)
            .WithCredentials(_options.UserName, _options.Password)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(Math.Max(5, _options.KeepAliveSeconds)))
            .WithTimeout(TimeSpan.FromSeconds(15));
        if (_options.UseTls)
        {
            builder = builder.WithTlsOptions(tls =>
            {
                tls.UseTls().WithSslProtocols(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13);
                if (!string.IsNullOrEmpty(_options.TlsCaCertificatePath))
                {
                    tls.WithTrustChain([X509CertificateLoader.LoadCertificateFromFile(_options.TlsCaCertificatePath)]);
                }
            });
        }
        return builder.Build();
    }

    Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        // Everything received on the ended connection is now stale: its acks must not go out on the next one.
        Interlocked.Increment(ref _connection);
        if (_ready)
        {
            _logger.LogWarning("Lost the site broker ({Reason}); reconnecting", e.ReasonString ?? e.Reason.ToString());
        }
        _ready = false;
        _connectionLost.Release();
        return Task.CompletedTask;
    }

    Task OnMessageReceivedAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        e.AutoAcknowledge = false;
        if (!_accepting) return Task.CompletedTask; // shutting down: not acknowledged, Mosquitto re-sends it later
        var connection = Volatile.Read(ref _connection);
        var message = e.ApplicationMessage;
        // The payload belongs to MQTTnet: copy it before returning.
        var payload = message.Payload.ToArray();
        NodeRecord? node = null;
        Task<InboundDecision> work;
        try
        {
            work = Dispatch(message.Topic, payload, out node);
        }
        catch (Exception exception)
        {
            work = Task.FromException<InboundDecision>(exception);
        }
        if (!_acks.Writer.TryWrite(new PendingAck(e, work, connection, node, message.Topic)))
        {
            _logger.LogDebug("Shutting down: {Topic} left unacknowledged for redelivery", message.Topic);
        }
        return Task.CompletedTask;
    }

    Task<InboundDecision> Dispatch(string topic, byte[] payload, out NodeRecord? node)
    {
        node = null;
        var parts = topic.Split('/', 4);
        if (parts.Length != 4 || parts[0] != "edge")
        {
            _metrics.Rejected.Add(1, GatewayMetrics.Tag("reason", "unknown_topic"));
            return Task.FromResult(InboundDecision.Rejected);
        }
        var (nodeId, leaf) = (parts[2], parts[3]);
        if (leaf == NodeTopics.State && payload.Length == 0)
        {
            // A cleared retained state (the gateway's own ClearRetainedAsync, or an operator's): nothing to apply.
            return Task.FromResult(InboundDecision.Stored);
        }
        node = _registry.Find(nodeId);
        if (node is null)
        {
            _metrics.Rejected.Add(1, GatewayMetrics.Tag("reason", "unknown_node"));
            var count = _unknownPerNode.AddOrUpdate(nodeId, 1, (_, c) => c + 1);
            if (BitOperations.IsPow2(count))
            {
                _logger.LogWarning("Message on {Topic} names node {NodeId}, which is not registered; dropped (problem #{Count}; re-export the Mosquitto files?)", topic, nodeId, count);
            }
            return Task.FromResult(InboundDecision.Rejected);
        }
        return _pipeline.HandleAsync(node, topic, payload);
    }

    async Task AcknowledgeInOrderAsync(CancellationToken stopping)
    {
        await foreach (var pending in _acks.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            InboundDecision decision;
            try
            {
                decision = await pending.Work.ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // Not durable: no PUBACK. Dropping the connection makes Mosquitto re-send it (and everything after it).
                _logger.LogError(exception, "Could not store a message on {Topic}; reconnecting to the site broker so it is re-sent", pending.Topic);
                if (pending.Connection == Volatile.Read(ref _connection) && _client is { IsConnected: true } client)
                {
                    try { await client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false); }
                    catch (Exception disconnectError) { _logger.LogDebug(disconnectError, "Disconnect after a commit failure"); }
                }
                continue;
            }
            if (pending.Connection != Volatile.Read(ref _connection)) continue; // that connection ended: Mosquitto re-sends it
            try
            {
                await pending.Args.AcknowledgeAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                _logger.LogDebug(exception, "PUBACK for {Topic} not sent; the site broker re-sends it", pending.Topic);
                continue;
            }
            if (decision is InboundDecision.Rejected or InboundDecision.PayloadInvalid && pending.Node is { } node && pending.Topic == NodeTopics.For(node.Site, node.NodeId, NodeTopics.State))
            {
                // The embedded broker never retains a rejected state; Mosquitto may already have (a retained
                // publish reaches an existing subscription with the retain flag cleared, so we cannot tell): clear it.
                await TryPublishAsync(pending.Topic, Array.Empty<byte>(), MqttQualityOfServiceLevel.AtLeastOnce, retain: true).ConfigureAwait(false);
            }
        }
    }

    void FollowStatus(NodeRecord node)
    {
        var connected = node.Status == NodeStatus.Online;
        if (node.Connected != connected && _client is not null)
        {
            _registry.SetConnected(node.NodeId, connected);
        }
    }

    public Task<bool> PublishConfigAsync(string site, string nodeId, byte[] payload, CancellationToken cancellationToken = default)
        => PublishVersionedAsync(NodeTopics.For(site, nodeId, NodeTopics.Config), payload, cancellationToken);

    public Task<bool> PublishDisplayAsync(string site, string nodeId, byte[] payload, CancellationToken cancellationToken = default)
        => PublishVersionedAsync(NodeTopics.For(site, nodeId, NodeTopics.Display), payload, cancellationToken);

    public async Task SendCommandAsync(string site, string nodeId, byte[] payload, CancellationToken cancellationToken = default)
    {
        CheckSize(payload, 1024, "cmd");
        var client = ConnectedClient() ?? throw new InvalidOperationException("not connected to the site broker; the command ledger re-sends it");
        await PublishAsync(client, NodeTopics.For(site, nodeId, NodeTopics.Cmd), payload, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, cancellationToken).ConfigureAwait(false);
    }

    public async Task SendTimeAsync(string site, string nodeId, byte[] payload, CancellationToken cancellationToken = default)
    {
        CheckSize(payload, 256, "time");
        // QoS 0 and re-sent after every birth and hourly (§12.3): nothing to keep when the broker is away.
        if (ConnectedClient() is { } client)
        {
            await PublishAsync(client, NodeTopics.For(site, nodeId, NodeTopics.Time), payload, MqttQualityOfServiceLevel.AtMostOnce, retain: false, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task ClearRetainedAsync(string site, string nodeId, CancellationToken cancellationToken = default)
    {
        foreach (var leaf in new[] { NodeTopics.Config, NodeTopics.Display, NodeTopics.State })
        {
            var topic = NodeTopics.For(site, nodeId, leaf);
            _retained.Save(topic, Array.Empty<byte>(), MqttQualityOfServiceLevel.AtLeastOnce);
            _retainedToPublish[topic] = 0;
            await PublishPendingAsync(topic, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Config and display: the gateway's retained store (gateway.db) is the reference, as with the embedded broker —
    /// the version rule reads it, and a broker that lost its retained messages gets them again at the next connect.
    /// Stored first; published now if the broker is there, else at the reconnect.
    /// </summary>
    async Task<bool> PublishVersionedAsync(string topic, byte[] payload, CancellationToken cancellationToken)
    {
        CheckSize(payload, 16384, topic);
        var version = RetainedVersion.Read(payload) ?? throw new ArgumentException($"{topic}: payload has no integer 'version' (protocol.md §9.1, §11.1)");
        await _versionedPublish.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_retained.Get(topic) is { } current && RetainedVersion.Read(current) is { } currentVersion && currentVersion >= version)
            {
                return false;
            }
            _retained.Save(topic, payload, MqttQualityOfServiceLevel.AtLeastOnce);
            _retainedToPublish[topic] = 0;
        }
        finally
        {
            _versionedPublish.Release();
        }
        await PublishPendingAsync(topic, cancellationToken).ConfigureAwait(false);
        return true;
    }

    async Task PublishPendingAsync(string topic, CancellationToken cancellationToken)
    {
        if (ConnectedClient() is not { } client) return;
        try
        {
            await PublishRetainedFromStoreAsync(client, topic, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _logger.LogWarning("Retained {Topic} not published now ({Error}); published after the reconnect", topic, exception.Message);
        }
    }

    async Task PublishStoredRetainedAsync(IMqttClient client, bool all, CancellationToken cancellationToken)
    {
        if (all)
        {
            foreach (var message in _retained.Load())
            {
                // gateway.db may hold states from embedded mode: only what the gateway itself owns goes out.
                if (message.Topic.EndsWith("/" + NodeTopics.Config, StringComparison.Ordinal) || message.Topic.EndsWith("/" + NodeTopics.Display, StringComparison.Ordinal))
                {
                    _retainedToPublish[message.Topic] = 0;
                }
            }
        }
        foreach (var topic in _retainedToPublish.Keys)
        {
            await PublishRetainedFromStoreAsync(client, topic, cancellationToken).ConfigureAwait(false);
        }
    }

    async Task PublishRetainedFromStoreAsync(IMqttClient client, string topic, CancellationToken cancellationToken)
    {
        // Take the flag first: a newer Save during the publish sets it again and is published by that caller or the next connect.
        if (!_retainedToPublish.TryRemove(topic, out _)) return;
        try
        {
            var payload = _retained.Get(topic) ?? Array.Empty<byte>();
            await PublishAsync(client, topic, payload, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _retainedToPublish[topic] = 0;
            throw;
        }
    }

    async Task TryPublishAsync(string topic, byte[] payload, MqttQualityOfServiceLevel qos, bool retain)
    {
        if (ConnectedClient() is not { } client) return;
        try { await PublishAsync(client, topic, payload, qos, retain, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception exception) { _logger.LogDebug(exception, "Publish to {Topic} failed", topic); }
    }

    static async Task PublishAsync(IMqttClient client, string topic, byte[] payload, MqttQualityOfServiceLevel qos, bool retain, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessage
        {
            Topic = topic,
            Payload = new ReadOnlySequence<byte>(payload),
            QualityOfServiceLevel = qos,
            Retain = retain,
        };
        var result = await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        // A QoS 0 publish completes with its socket write, possibly on a socket event thread; callers go on to
        // SQLite (the downlink's store) after it (SocketCompletions).
        await SocketCompletions.LeaveEventThread();
        if (!result.IsSuccess) throw new InvalidOperationException($"site broker refused the publish to {topic}: {result.ReasonCode}");
    }

    IMqttClient? ConnectedClient() => _client is { IsConnected: true } client ? client : null;

    static void CheckSize(byte[] payload, int limit, string what)
    {
        if (payload.Length > limit) throw new ArgumentException($"{what}: {payload.Length} bytes exceed the limit of {limit} (protocol.md §13)");
    }

    /// <summary>Idempotent: the DI container disposes it through both its registrations.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _registry.Changed -= FollowStatus;
        _stopping?.Cancel();
        _client?.Dispose();
    }
}
