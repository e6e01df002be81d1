using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Edge.Firmware.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Firmware.Host.Link;

/// <summary>
/// <see cref="IMessageLink"/> over MQTTnet 5: MQTT 3.1.1, clean session, QoS 1 (docs/protocol.md §1–§4).
/// The node runtime polls it from its control loop; MQTTnet's own tasks deliver messages and PUBACKs,
/// which wait in thread-safe queues until the runtime takes them. Nothing here owns a thread, so a
/// simulator can run hundreds of links in one process.
/// </summary>
public sealed class MqttNetLink : IMessageLink, IDisposable
{
    // One factory for every link in the process: it holds no per-connection state.
    private static readonly MqttClientFactory Factory = new();

    private readonly ILogger _logger;
    private readonly string? _caCertificateFile;
    private readonly ConcurrentQueue<ReceivedMessage> _inbound = new();
    private readonly ConcurrentQueue<int> _acknowledged = new();
    private readonly object _gate = new();

    private IMqttClient? _client;
    // Connect and disconnect must not overlap on one MQTTnet client: each waits for the previous one.
    private Task _lifecycle = Task.CompletedTask;
    private volatile int _state = (int)LinkState.Disconnected;
    private volatile string _lastError = "";
    private volatile bool _closingOnPurpose;
    private int _nextPublishId;
    private string _endpoint = "";

    /// <param name="logger">Where connection changes are logged (no per-message logging).</param>
    /// <param name="caCertificateFile">PEM/DER CA certificate that signs the broker's TLS certificate, when the node was provisioned with one (protocol §1.1).</param>
    public MqttNetLink(ILogger? logger = null, string? caCertificateFile = null)
    {
        _logger = logger ?? NullLogger.Instance;
        _caCertificateFile = caCertificateFile;
    }

    public LinkState State => (LinkState)_state;

    public string LastError => _lastError;

    /// <summary>Messages received and not yet taken by <see cref="TryReceive"/> (diagnostics and tests).</summary>
    public int PendingInbound => _inbound.Count;

    public void BeginConnect(LinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_gate)
        {
            if (State != LinkState.Disconnected) return;
            _state = (int)LinkState.Connecting;
            _lastError = "";
            _closingOnPurpose = false;
            _endpoint = options.Host + ":" + options.Port;
            var client = _client ??= CreateClient();
            MqttClientOptions mqttOptions = BuildOptions(options);
            Task previous = _lifecycle;
            _lifecycle = ConnectAfterAsync(previous, client, mqttOptions);
        }
    }

    public void Disconnect()
    {
        lock (_gate)
        {
            IMqttClient? client = _client;
            if (client == null || State == LinkState.Disconnected) return;
            _closingOnPurpose = true;
            _state = (int)LinkState.Disconnected;
            Task previous = _lifecycle;
            _lifecycle = DisconnectAfterAsync(previous, client);
        }
    }

    /// <summary>Completes when the last connect, DISCONNECT or abort begun on this link has finished.</summary>
    public Task WhenIdleAsync()
    {
        lock (_gate) return _lifecycle;
    }

    /// <summary>
    /// Drops the connection without DISCONNECT, as a power cut or a pulled cable would: the broker then
    /// publishes the will (protocol §4.3). Used by the host platform's simulated faults and by tests.
    /// </summary>
    public void Abort()
    {
        lock (_gate)
        {
            IMqttClient? client = _client;
            _client = null;
            _closingOnPurpose = true;
            _state = (int)LinkState.Disconnected;
            _lastError = "connection aborted";
            // Disposing an MQTTnet client closes its socket without sending DISCONNECT.
            Task previous = _lifecycle;
            _lifecycle = previous.ContinueWith(_ => client?.Dispose(), TaskScheduler.Default);
        }
        _logger.LogInformation("MQTT connection to {Endpoint} aborted (no DISCONNECT)", _endpoint);
    }

    public void Subscribe(string topicFilter)
    {
        IMqttClient? client = _client;
        if (client == null || State != LinkState.Connected) return;
        var subscribe = Factory.CreateSubscribeOptionsBuilder()
            .WithTopicFilter(topicFilter, MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        Task<MqttClientSubscribeResult> sending;
        try
        {
            sending = client.SubscribeAsync(subscribe);
        }
        catch (Exception e)
        {
            Fail(client, "subscribe to " + topicFilter + " failed: " + Describe(e));
            return;
        }
        _ = sending.ContinueWith(t => OnSubscribed(client, topicFilter, t), TaskScheduler.Default);
    }

    public int Publish(string topic, byte[] payload, int offset, int count, bool retain)
    {
        IMqttClient? client = _client;
        if (client == null || State != LinkState.Connected) return 0;
        var copy = new byte[count];
        Buffer.BlockCopy(payload, offset, copy, 0, count);
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(copy)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        int id = NextPublishId();
        Task<MqttClientPublishResult> sending;
        try
        {
            // Called on the runtime's thread: MQTTnet queues the packet for its send lock (FIFO) before
            // the first await, so publishes leave in the order the runtime made them (protocol §14.4).
            sending = client.PublishAsync(message);
        }
        catch (Exception e)
        {
            Fail(client, "publish to " + topic + " failed: " + Describe(e));
            return 0;
        }
        _ = sending.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully && t.Result.IsSuccess) _acknowledged.Enqueue(id);
            // Otherwise the message stays in the runtime's outbox and is sent again after a reconnect.
        }, TaskScheduler.Default);
        return id;
    }

    public bool TryGetAcknowledged(out int publishId) => _acknowledged.TryDequeue(out publishId);

    public bool TryReceive(InboundMessage message)
    {
        if (!_inbound.TryDequeue(out var received)) return false;
        message.Topic = received.Topic;
        message.Retained = received.Retained;
        // A payload larger than the runtime's buffer is reported by its full length but not copied
        // beyond the buffer: the runtime rejects it as too large (protocol §13).
        message.Length = received.Payload.Length;
        Buffer.BlockCopy(received.Payload, 0, message.Payload, 0, Math.Min(received.Payload.Length, message.Payload.Length));
        return true;
    }

    public void Dispose()
    {
        IMqttClient? client;
        lock (_gate)
        {
            client = _client;
            _client = null;
            _closingOnPurpose = true;
            _state = (int)LinkState.Disconnected;
        }
        client?.Dispose();
    }

    private IMqttClient CreateClient()
    {
        IMqttClient client = Factory.CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            MqttApplicationMessage m = e.ApplicationMessage;
            _inbound.Enqueue(new ReceivedMessage(m.Topic, m.Payload.ToArray(), m.Retain));
            return Task.CompletedTask;
        };
        client.DisconnectedAsync += e =>
        {
            // A failed connect also raises this; ConnectAsync reports those itself.
            if (!e.ClientWasConnected || !ReferenceEquals(client, _client)) return Task.CompletedTask;
            if (_closingOnPurpose) return Task.CompletedTask;
            string why = "connection lost (" + e.Reason + ")" + (e.Exception != null ? ": " + Describe(e.Exception) : "");
            _lastError = why;
            _state = (int)LinkState.Disconnected;
            _logger.LogWarning("MQTT {Endpoint}: {Why}", _endpoint, why);
            return Task.CompletedTask;
        };
        return client;
    }

    private MqttClientOptions BuildOptions(LinkOptions options)
    {
        var builder = Factory.CreateClientOptionsBuilder()
            .WithTcpServer(options.Host, options.Port)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(options.ClientId)
            .WithCredentials(options.Username, options.Password)
            .WithCleanSession(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(options.KeepAliveSeconds))
            // Protocol §4.1: at most 15 s for CONNACK and SUBACK.
            .WithTimeout(TimeSpan.FromSeconds(15));
        if (options.WillTopic.Length > 0)
        {
            builder = builder.WithWillTopic(options.WillTopic)
                .WithWillPayload(options.WillPayload)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithWillRetain(options.WillRetain);
        }
        if (options.UseTls)
        {
            builder = builder.WithTlsOptions(tls =>
            {
                tls.UseTls().WithTargetHost(options.Host);
                if (_caCertificateFile != null)
                {
                    var chain = new X509Certificate2Collection();
                    chain.ImportFromPemFile(_caCertificateFile);
                    tls.WithTrustChain(chain);
                }
            });
        }
        return builder.Build();
    }

    private async Task ConnectAfterAsync(Task previous, IMqttClient client, MqttClientOptions options)
    {
        try { await previous.ConfigureAwait(false); } catch { /* the previous step reported itself */ }
        try
        {
            MqttClientConnectResult result = await client.ConnectAsync(options).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                SetFailed("broker refused the connection: " + DescribeRefusal(result.ResultCode));
                return;
            }
            if (!ReferenceEquals(client, _client) || _closingOnPurpose)
            {
                // Aborted or disposed while connecting.
                return;
            }
            _state = (int)LinkState.Connected;
            _logger.LogInformation("MQTT connected to {Endpoint} as {ClientId}", _endpoint, options.ClientId);
        }
        catch (Exception e)
        {
            SetFailed("cannot connect to " + _endpoint + ": " + Describe(e));
        }
    }

    private async Task DisconnectAfterAsync(Task previous, IMqttClient client)
    {
        try { await previous.ConfigureAwait(false); } catch { /* reported already */ }
        try
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build()).ConfigureAwait(false);
            }
            _logger.LogInformation("MQTT disconnected from {Endpoint}", _endpoint);
        }
        catch (Exception e)
        {
            _logger.LogWarning("MQTT disconnect from {Endpoint} failed: {Error}", _endpoint, Describe(e));
        }
    }

    private void OnSubscribed(IMqttClient client, string topicFilter, Task<MqttClientSubscribeResult> task)
    {
        if (!task.IsCompletedSuccessfully)
        {
            Fail(client, "subscribe to " + topicFilter + " failed: " + Describe(task.Exception!.GetBaseException()));
            return;
        }
        foreach (MqttClientSubscribeResultItem item in task.Result.Items)
        {
            if (item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
            {
                // Protocol §4.1 step 3 / §15 C5: a refused subscription is a failed connection.
                Fail(client, "broker refused the subscription to " + topicFilter + " (SUBACK 0x80)");
                return;
            }
        }
    }

    /// <summary>Ends a connection that cannot be used (refused subscription, send error) and reports why.</summary>
    private void Fail(IMqttClient client, string why)
    {
        bool alreadyClosed;
        lock (_gate)
        {
            alreadyClosed = !ReferenceEquals(client, _client) || State == LinkState.Disconnected;
            if (!alreadyClosed)
            {
                _closingOnPurpose = true;
                _lastError = why;
                _state = (int)LinkState.Disconnected;
                Task previous = _lifecycle;
                _lifecycle = DisconnectAfterAsync(previous, client);
            }
        }
        // A connection already closed — on purpose (a node stopping) or after an earlier failure, reported then — fails
        // what was still in flight on it as a matter of course, not as news.
        if (alreadyClosed) _logger.LogDebug("MQTT {Endpoint}: {Why} (the connection was already closed)", _endpoint, why);
        else _logger.LogWarning("MQTT {Endpoint}: {Why}", _endpoint, why);
    }

    private void SetFailed(string why)
    {
        _lastError = why;
        _state = (int)LinkState.Disconnected;
        _logger.LogWarning("MQTT {Endpoint}: {Why}", _endpoint, why);
    }

    private int NextPublishId()
    {
        int id = Interlocked.Increment(ref _nextPublishId);
        if (id <= 0)
        {
            // Wrapped after 2^31 publishes: start again at 1 (ids only need to be unique among those in flight).
            Interlocked.CompareExchange(ref _nextPublishId, 1, id);
            id = 1;
        }
        return id;
    }

    /// <summary>MQTTnet maps MQTT 3.1.1 CONNACK codes onto MQTT 5 reason codes; name the 3.1.1 code too.</summary>
    internal static string DescribeRefusal(MqttClientConnectResultCode code) => code switch
    {
        MqttClientConnectResultCode.UnsupportedProtocolVersion => "unacceptable protocol version (CONNACK 1)",
        MqttClientConnectResultCode.ClientIdentifierNotValid => "client identifier rejected (CONNACK 2)",
        MqttClientConnectResultCode.ServerUnavailable => "server unavailable (CONNACK 3)",
        MqttClientConnectResultCode.BadUserNameOrPassword => "bad user name or password (CONNACK 4)",
        MqttClientConnectResultCode.NotAuthorized => "not authorised (CONNACK 5)",
        _ => code.ToString(),
    };

    private static string Describe(Exception e)
    {
        // MQTTnet wraps socket errors; the innermost message says what actually happened.
        Exception inner = e;
        while (inner.InnerException != null) inner = inner.InnerException;
        return ReferenceEquals(inner, e) ? e.Message : e.Message + " (" + inner.Message + ")";
    }

    private readonly record struct ReceivedMessage(string Topic, byte[] Payload, bool Retained);
}
