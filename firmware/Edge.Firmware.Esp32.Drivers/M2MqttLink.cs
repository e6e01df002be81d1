using System;
using System.Threading;
using Edge.Firmware.Protocol;
using Edge.Firmware.Runtime;
using nanoFramework.M2Mqtt;
using nanoFramework.M2Mqtt.Messages;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// <see cref="IMessageLink"/> on nanoFramework.M2Mqtt 5.1.220 (MQTT 3.1.1), as it really behaves:
/// <list type="bullet">
/// <item>its constructor resolves the broker's host name (Dns.GetHostEntry) and keeps that address, so a client is
/// built by each connect attempt, on its worker thread, once the runtime has brought Wi-Fi up: a gateway given by
/// name is resolved again on every reconnect, and a failed resolution is a failed attempt, not an exception out
/// of Main;</item>
/// <item>Connect blocks (DNS, TCP, TLS, up to 30 s for CONNACK, longer for a TCP connect to a dead host) while the
/// runtime gives up after 15 s, and Disconnect closes the socket asynchronously, so a client is never reused:
/// <see cref="ConnectAttempts"/> allows one attempt at a time, closes an attempt the runtime abandoned on its own
/// worker, and events of any client but the session's are ignored.</item>
/// </list>
/// M2Mqtt raises its events on its own threads; they only queue into small rings here, and the node's control loop
/// takes them through the polled Try… methods. Received payloads are M2Mqtt's own arrays (it allocates one per
/// message): the ring keeps references, not preallocated copies, and hands the array itself to the runtime
/// (<see cref="InboundMessage.Take"/>), so a payload is held once and nothing is held between messages
/// (hardware/heap.md).
/// </summary>
public sealed class M2MqttLink : IMessageLink
{
    private const int AckSlots = 32;

    private readonly object _sync = new object();
    private readonly ConnectAttempts _attempts = new ConnectAttempts();
    private readonly string _host;
    private readonly int _port;
    private readonly bool _tls;
    private readonly string[] _oneTopic = new string[1];
    private readonly MqttQoSLevel[] _oneQos = new MqttQoSLevel[] { MqttQoSLevel.AtLeastOnce };
    private MqttClient? _client; // the session's client; null while there is none
    private int _clientAttempt;
    private int _starting;

    // Inbound ring: topics and M2Mqtt's payload arrays, waiting for the control loop.
    private readonly int _maxPayload;
    private readonly int _slots;
    private readonly string[] _inTopic;
    private readonly byte[][] _inPayload;
    private readonly bool[] _inRetained;
    private int _inHead;
    private int _inCount;
    private int _inDropped;

    private readonly int[] _acks = new int[AckSlots];
    private int _ackHead;
    private int _ackCount;

    private LinkState _state = LinkState.Disconnected;
    private string _lastError = "";
    private LinkOptions? _options;

    /// <param name="host">Gateway broker host name or address (resolved by each connect attempt).</param>
    /// <param name="port">1883, or 8883 with TLS.</param>
    /// <param name="maxPayload">Largest inbound payload taken; longer ones are dropped on arrival and counted.</param>
    /// <param name="slots">How many inbound messages can wait for the loop at once (2–8).</param>
    public M2MqttLink(string host, int port, bool useTls, int maxPayload, int slots)
    {
        if (slots < 2 || slots > 8) throw new ArgumentOutOfRangeException("slots");
        _host = host;
        _port = port;
        _tls = useTls;
        _maxPayload = maxPayload;
        _slots = slots;
        _inTopic = new string[slots];
        _inPayload = new byte[slots][];
        _inRetained = new bool[slots];
    }

    public LinkState State { get { lock (_sync) return _state; } }

    public string LastError { get { lock (_sync) return _lastError; } }

    /// <summary>Inbound messages dropped because the ring was full or the payload too long (reported as a counter).</summary>
    public int InboundDropped { get { lock (_sync) return _inDropped; } }

    /// <summary>Connect attempts refused because the previous attempt's worker had not returned yet.</summary>
    public int ConnectsRefusedWhileBusy { get { return _attempts.RefusedWhileBusy; } }

    public void BeginConnect(LinkOptions options)
    {
        lock (_sync)
        {
            if (_state != LinkState.Disconnected) return;
            int attempt = _attempts.TryBegin();
            if (attempt == 0)
            {
                // The previous Connect still blocks (CONNACK wait or TCP connect): a failed attempt, the runtime backs off.
                _lastError = "previous connect attempt still running";
                return;
            }
            _state = LinkState.Connecting;
            _options = options;
            _starting = attempt;
        }
        new Thread(ConnectWorker).Start();
    }

    private void ConnectWorker()
    {
        LinkOptions options;
        int attempt;
        lock (_sync)
        {
            options = _options!;
            attempt = _starting;
        }
        string error = "";
        MqttClient? client = null;
        try
        {
            // Resolves the host name now, with the network up, on every attempt.
            client = new MqttClient(_host, _port, _tls, null, null, _tls ? MqttSslProtocols.TLSv1_2 : MqttSslProtocols.None);
            client.ProtocolVersion = MqttProtocolVersion.Version_3_1_1;
            client.MqttMsgPublishReceived += OnPublishReceived;
            client.MqttMsgPublished += OnPublished;
            client.ConnectionClosed += OnConnectionClosed;
            // The will payload is UTF-8 JSON built by the runtime; M2Mqtt takes the will as a string.
            string will = options.WillPayload.Length > 0
                ? Utf8.GetString(options.WillPayload, 0, options.WillPayload.Length)
                : "";
            MqttReasonCode code = client.Connect(
                options.ClientId,
                options.Username,
                options.Password,
                options.WillRetain,
                MqttQoSLevel.AtLeastOnce,
                options.WillTopic.Length > 0,
                options.WillTopic,
                will,
                true,
                (ushort)options.KeepAliveSeconds);
            if (code != MqttReasonCode.Success) error = "broker refused the connection: " + ReasonText(code);
        }
        catch (Exception e)
        {
            error = "connect failed: " + e.Message;
        }
        if (error.Length == 0)
        {
            lock (_sync)
            {
                if (_attempts.Connected(attempt))
                {
                    _client = client;
                    _clientAttempt = attempt;
                    _state = LinkState.Connected;
                    _lastError = "";
                    return;
                }
            }
            error = "connect abandoned by the node (no CONNACK in time)";
        }
        // Failed or abandoned: this client is never used again; close it here (M2Mqtt's Close sleeps and joins).
        if (client != null) Close(client);
        _attempts.Finished(attempt);
        lock (_sync)
        {
            if (_state == LinkState.Connecting)
            {
                _state = LinkState.Disconnected;
                _lastError = error;
            }
        }
    }

    public void Disconnect()
    {
        MqttClient? client;
        lock (_sync)
        {
            _attempts.Abandon();
            client = _client;
            _client = null;
            _clientAttempt = 0;
            _state = LinkState.Disconnected;
            _lastError = "";
        }
        if (client == null) return;
        try
        {
            // Sends DISCONNECT (no will); M2Mqtt then closes the socket on its own threads. The client is not reused.
            if (client.IsConnected) client.Disconnect();
        }
        catch (Exception)
        {
            // Already gone: nothing to close.
        }
    }

    private static void Close(MqttClient client)
    {
        try
        {
            client.Close();
        }
        catch (Exception)
        {
            // Never connected or already closed.
        }
    }

    public void Subscribe(string topicFilter)
    {
        MqttClient? client = Session();
        if (client == null) return;
        _oneTopic[0] = topicFilter;
        try
        {
            client.Subscribe(_oneTopic, _oneQos);
        }
        catch (Exception e)
        {
            Dropped("subscribe failed: " + e.Message);
        }
    }

    public int Publish(string topic, byte[] payload, int offset, int count, bool retain)
    {
        MqttClient? client = Session();
        if (client == null) return 0;
        // M2Mqtt publishes whole arrays and keeps the array until the broker's PUBACK: copy is required anyway.
        var message = new byte[count];
        Array.Copy(payload, offset, message, 0, count);
        try
        {
            ushort id = client.Publish(topic, message, null, null, MqttQoSLevel.AtLeastOnce, retain);
            return id;
        }
        catch (Exception e)
        {
            Dropped("publish failed: " + e.Message);
            return 0;
        }
    }

    public bool TryGetAcknowledged(out int publishId)
    {
        lock (_sync)
        {
            publishId = 0;
            if (_ackCount == 0) return false;
            publishId = _acks[_ackHead];
            _ackHead = (_ackHead + 1) % AckSlots;
            _ackCount--;
            return true;
        }
    }

    public bool TryReceive(InboundMessage message)
    {
        lock (_sync)
        {
            if (_inCount == 0) return false;
            int slot = _inHead;
            message.Topic = _inTopic[slot];
            // M2Mqtt allocated this array for this message alone: hand it over, no second copy (longer ones were
            // dropped on arrival).
            message.Take(_inPayload[slot]);
            message.Retained = _inRetained[slot];
            _inTopic[slot] = "";
            _inPayload[slot] = null!; // the runtime holds it until the message is handled, then it is garbage
            _inHead = (_inHead + 1) % _slots;
            _inCount--;
            return true;
        }
    }

    private void OnPublishReceived(object sender, MqttMsgPublishEventArgs e)
    {
        byte[] body = e.Message;
        lock (_sync)
        {
            if (sender != _client) return; // a client of an earlier attempt
            if (_inCount == _slots || body.Length > _maxPayload)
            {
                // QoS 1: the broker redelivers config and commands it did not see acknowledged only on a
                // new session, so a drop here is counted and reported rather than silently lost.
                _inDropped++;
                return;
            }
            int slot = (_inHead + _inCount) % _slots;
            _inTopic[slot] = e.Topic;
            _inPayload[slot] = body;
            _inRetained[slot] = e.Retain;
            _inCount++;
        }
    }

    private void OnPublished(object sender, MqttMsgPublishedEventArgs e)
    {
        if (!e.IsPublished) return; // retries exhausted: the runtime keeps the message in its outbox
        lock (_sync)
        {
            if (sender != _client) return; // an id of an earlier session: that message is sent again
            if (_ackCount == AckSlots)
            {
                // The runtime polls every tick; if it fell this far behind, drop the oldest ack: the
                // message stays in the outbox and is sent again (QoS 1 allows a duplicate, not a loss).
                _ackHead = (_ackHead + 1) % AckSlots;
                _ackCount--;
            }
            _acks[(_ackHead + _ackCount) % AckSlots] = e.MessageId;
            _ackCount++;
        }
    }

    private void OnConnectionClosed(object sender, EventArgs e)
    {
        lock (_sync)
        {
            // A client closed after the runtime abandoned or ended it reports late: not this session's end.
            if (sender != _client || !_attempts.Closed(_clientAttempt)) return;
            _client = null;
            _clientAttempt = 0;
        }
        Dropped("connection closed by the broker or the network");
    }

    private MqttClient? Session()
    {
        lock (_sync) return _state == LinkState.Connected ? _client : null;
    }

    private void Dropped(string why)
    {
        lock (_sync)
        {
            if (_state == LinkState.Disconnected) return;
            _state = LinkState.Disconnected;
            _lastError = why;
        }
    }

    private static string ReasonText(MqttReasonCode code)
    {
        switch (code)
        {
            case MqttReasonCode.ConnectionRefusedUnacceptableProtocolVersion: return "unacceptable protocol version";
            case MqttReasonCode.ConnectionRefusedIdentifierRejected: return "client id rejected";
            case MqttReasonCode.ConnectionRefusedServerUnavailable: return "server unavailable";
            case MqttReasonCode.ConnectionRefusedBadUserNameOrPassword: return "bad user name or password";
            case MqttReasonCode.ConnectionRefusedNotAuthorized: return "not authorized";
            default: return "code " + ((int)code).ToString();
        }
    }
}
