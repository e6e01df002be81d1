using System;
using System.Threading;
using Edge.Firmware.Protocol;
using Edge.Firmware.Runtime;
using nanoFramework.M2Mqtt;
using nanoFramework.M2Mqtt.Messages;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// <see cref="IMessageLink"/> on nanoFramework.M2Mqtt (MQTT 3.1.1). One <see cref="MqttClient"/> for the node's
/// whole life: M2Mqtt's Connect may be called again on the same client after its ConnectionClosed event
/// (it stops the old worker threads first), and creating a client per attempt would fragment the small heap.
/// M2Mqtt raises its events on its own threads; they only queue into fixed rings here, and the node's control
/// loop takes them through the polled Try… methods. Connect blocks (TCP, TLS, CONNACK), so BeginConnect runs it
/// on one short-lived thread; the runtime owns the backoff and calls BeginConnect again after a drop.
/// </summary>
public sealed class M2MqttLink : IMessageLink
{
    private const int AckSlots = 32;

    private readonly object _sync = new object();
    private readonly MqttClient _client;
    private readonly string[] _oneTopic = new string[1];
    private readonly MqttQoSLevel[] _oneQos = new MqttQoSLevel[] { MqttQoSLevel.AtLeastOnce };

    // Inbound ring: topics and payload copies; payload buffers are allocated once.
    // Inbound slots are preallocated at their full size: each costs maxPayload bytes of a plain
    // ESP32's ~100 KB heap, so apps ask for as few as their traffic needs (config, cmd, time are rare).
    private readonly int _slots;
    private readonly string[] _inTopic;
    private readonly byte[][] _inPayload;
    private readonly int[] _inLength;
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

    /// <param name="host">Gateway broker host name or address.</param>
    /// <param name="port">1883, or 8883 with TLS.</param>
    /// <param name="maxPayload">Largest inbound payload kept (protocol size limit); longer ones are dropped.</param>
    /// <param name="slots">How many inbound messages can wait for the loop at once (2–8).</param>
    public M2MqttLink(string host, int port, bool useTls, int maxPayload, int slots)
    {
        if (slots < 2 || slots > 8) throw new ArgumentOutOfRangeException("slots");
        _slots = slots;
        _inTopic = new string[slots];
        _inPayload = new byte[slots][];
        _inLength = new int[slots];
        _inRetained = new bool[slots];
        for (int i = 0; i < slots; i++) _inPayload[i] = new byte[maxPayload];
        _client = new MqttClient(host, port, useTls, null, null, useTls ? MqttSslProtocols.TLSv1_2 : MqttSslProtocols.None);
        _client.ProtocolVersion = MqttProtocolVersion.Version_3_1_1;
        _client.MqttMsgPublishReceived += OnPublishReceived;
        _client.MqttMsgPublished += OnPublished;
        _client.ConnectionClosed += OnConnectionClosed;
    }

    public LinkState State { get { lock (_sync) return _state; } }

    public string LastError { get { lock (_sync) return _lastError; } }

    /// <summary>Inbound messages dropped because the ring was full or the payload too long (reported as a counter).</summary>
    public int InboundDropped { get { lock (_sync) return _inDropped; } }

    public void BeginConnect(LinkOptions options)
    {
        lock (_sync)
        {
            if (_state != LinkState.Disconnected) return;
            _state = LinkState.Connecting;
            _options = options;
        }
        new Thread(ConnectWorker).Start();
    }

    private void ConnectWorker()
    {
        LinkOptions options;
        lock (_sync) options = _options!;
        string error = "";
        try
        {
            // The will payload is UTF-8 JSON built by the runtime; M2Mqtt takes the will as a string.
            string will = options.WillPayload.Length > 0
                ? Utf8.GetString(options.WillPayload, 0, options.WillPayload.Length)
                : "";
            MqttReasonCode code = _client.Connect(
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
        lock (_sync)
        {
            _state = error.Length == 0 ? LinkState.Connected : LinkState.Disconnected;
            _lastError = error;
        }
    }

    public void Disconnect()
    {
        try
        {
            if (_client.IsConnected) _client.Disconnect();
        }
        catch (Exception)
        {
            // Already gone: nothing to close.
        }
        lock (_sync)
        {
            _state = LinkState.Disconnected;
            _lastError = "";
        }
    }

    public void Subscribe(string topicFilter)
    {
        if (State != LinkState.Connected) return;
        _oneTopic[0] = topicFilter;
        try
        {
            _client.Subscribe(_oneTopic, _oneQos);
        }
        catch (Exception e)
        {
            Dropped("subscribe failed: " + e.Message);
        }
    }

    public int Publish(string topic, byte[] payload, int offset, int count, bool retain)
    {
        if (State != LinkState.Connected) return 0;
        // M2Mqtt publishes whole arrays and keeps the array until the broker's PUBACK: copy is required anyway.
        var message = new byte[count];
        Array.Copy(payload, offset, message, 0, count);
        try
        {
            ushort id = _client.Publish(topic, message, null, null, MqttQoSLevel.AtLeastOnce, retain);
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
            int length = _inLength[slot];
            if (length > message.Payload.Length)
            {
                _inDropped++;
                length = 0;
            }
            message.Topic = _inTopic[slot];
            Array.Copy(_inPayload[slot], message.Payload, length);
            message.Length = length;
            message.Retained = _inRetained[slot];
            _inTopic[slot] = "";
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
            if (_inCount == _slots || body.Length > _inPayload[0].Length)
            {
                // QoS 1: the broker redelivers config and commands it did not see acknowledged only on a
                // new session, so a drop here is counted and reported rather than silently lost.
                _inDropped++;
                return;
            }
            int slot = (_inHead + _inCount) % _slots;
            _inTopic[slot] = e.Topic;
            Array.Copy(body, _inPayload[slot], body.Length);
            _inLength[slot] = body.Length;
            _inRetained[slot] = e.Retain;
            _inCount++;
        }
    }

    private void OnPublished(object sender, MqttMsgPublishedEventArgs e)
    {
        if (!e.IsPublished) return; // retries exhausted: the runtime keeps the message in its outbox
        lock (_sync)
        {
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
        Dropped("connection closed by the broker or the network");
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
