namespace Edge.Firmware.Runtime;

/// <summary>Where a <see cref="IMessageLink"/> stands.</summary>
public enum LinkState
{
    Disconnected = 0,
    Connecting = 1,
    Connected = 2,
}

/// <summary>How to open the MQTT session (docs/protocol.md §1–§4). Filled once at start-up and reused.</summary>
public sealed class LinkOptions
{
    public string Host = "";
    public int Port = 1883;
    public bool UseTls;
    /// <summary>Client id and user name: the node id (protocol §2).</summary>
    public string ClientId = "";
    public string Username = "";
    public string Password = "";
    public int KeepAliveSeconds = 60;
    /// <summary>CONNACK wait and outage reboot on the monotonic clock (<see cref="NodeOptions.ConnectWaitMs"/>, <see cref="NodeOptions.OutageRebootMs"/>).</summary>
    public long ConnectWaitMs = ConnectionManager.ConnectTimeoutMs;
    public long OutageRebootMs = ConnectionManager.OutageRebootMs;
    /// <summary>Last will: the retained "offline" state (protocol §4).</summary>
    public string WillTopic = "";
    public byte[] WillPayload = new byte[0];
    public bool WillRetain = true;
}

/// <summary>
/// A message the link received (one instance, reused). A link either copies the payload into <see cref="Buffer"/>
/// (the runtime's own array, sized by <see cref="NodeOptions.InboundBytes"/>) or, when it already allocated an
/// array for this one message (nanoFramework's M2Mqtt does), hands that array over with <see cref="Take"/>: on a
/// small heap the payload is then held once, not twice, and the runtime keeps no inbound buffer at all
/// (hardware/heap.md).
/// </summary>
public sealed class InboundMessage
{
    public string Topic = "";
    /// <summary>The payload of the message taken: <see cref="Buffer"/>, or the array the link handed over.</summary>
    public byte[] Payload;
    public int Length;
    public bool Retained;

    /// <summary>The runtime's copy buffer (empty when the link hands its arrays over).</summary>
    public readonly byte[] Buffer;

    public InboundMessage(int capacity)
    {
        Buffer = new byte[capacity];
        Payload = Buffer;
    }

    /// <summary>Hands over an array the link allocated for this message alone (no copy).</summary>
    public void Take(byte[] payload)
    {
        Payload = payload;
        Length = payload.Length;
    }

    /// <summary>Drops a handed-over array once the message is handled, so the collector can take it.</summary>
    public void Release()
    {
        Payload = Buffer;
        Length = 0;
    }
}

/// <summary>
/// The node's MQTT 3.1.1 connection, as the runtime sees it: non-blocking, polled from the node's one
/// control loop, so the same runtime drives nanoFramework's M2Mqtt on an ESP32 and MQTTnet on .NET
/// (hundreds of simulated nodes in one process). Implementations queue inbound messages and publish
/// acknowledgements from their own threads and hand them over through the Try… methods.
/// All publishes and subscriptions are QoS 1 (protocol §3).
/// </summary>
public interface IMessageLink
{
    LinkState State { get; }

    /// <summary>Why the last connect failed or the connection dropped ("" if it did not).</summary>
    string LastError { get; }

    /// <summary>Starts connecting; <see cref="State"/> becomes Connected, or Disconnected with <see cref="LastError"/>.</summary>
    void BeginConnect(LinkOptions options);

    /// <summary>Closes the session cleanly (no will is sent).</summary>
    void Disconnect();

    /// <summary>Subscribes at QoS 1; retained messages on the filter arrive through <see cref="TryReceive"/>.</summary>
    void Subscribe(string topicFilter);

    /// <summary>
    /// Publishes at QoS 1 (the payload is copied). Returns a publish id &gt; 0 that
    /// <see cref="TryGetAcknowledged"/> reports once the broker has acknowledged it, or 0 when the
    /// link is not connected (nothing was sent).
    /// </summary>
    int Publish(string topic, byte[] payload, int offset, int count, bool retain);

    /// <summary>Takes one publish id the broker has acknowledged since the last call.</summary>
    bool TryGetAcknowledged(out int publishId);

    /// <summary>
    /// Takes one received message into <paramref name="message"/> (copied into its <see cref="InboundMessage.Buffer"/>
    /// or handed over with <see cref="InboundMessage.Take"/>); false when none is waiting.
    /// </summary>
    bool TryReceive(InboundMessage message);
}
