namespace Edge.Firmware.Runtime;

/// <summary>
/// What a node is provisioned with (protocol §2.3): identity, secret, where the gateway is, and a few
/// sizes. Filled once by the host or the ESP32 app (from its provisioning record) and handed to a node.
/// </summary>
public sealed class NodeOptions
{
    public string Site = "";
    public string NodeId = "";
    /// <summary>The node's MQTT password (protocol §2.2).</summary>
    public string Secret = "";
    public string BrokerHost = "";
    public int BrokerPort = 1883;
    public bool UseTls;
    /// <summary>Firmware version reported in state and node.boot.</summary>
    public string Firmware = "1.0.0";
    /// <summary>Board name (pins.json <c>board</c>) reported in state.</summary>
    public string Hardware = "host";
    /// <summary>Provisioned position for the no-config default (protocol §9.6); NaN when unknown.</summary>
    public double Latitude = double.NaN;
    public double Longitude = double.NaN;
    /// <summary>RAM outbox size in bytes (protocol §14.2).</summary>
    public int OutboxBytes = 16384;
    /// <summary>Whether the outbox is also kept in <see cref="IStorage"/> so it survives a reboot.</summary>
    public bool PersistOutbox = true;
    /// <summary>Flash ring behind the RAM outbox in bytes (protocol §14.2: 64 KB); 0 for none. Used only with <see cref="PersistOutbox"/>.</summary>
    public int FlashOutboxBytes = 65536;
    /// <summary>Largest inbound payload (config and display documents, protocol §13).</summary>
    public int InboundBytes = 16384;
    /// <summary>
    /// True when the link hands each received payload over in an array of its own (<see cref="InboundMessage.Take"/>,
    /// the ESP32's M2MqttLink): the runtime then keeps no <see cref="InboundBytes"/> copy buffer.
    /// </summary>
    public bool LinkHandsOverPayloads;
    /// <summary>Seed of the backoff jitter; give each node its own (e.g. a hash of its id and the boot counter).</summary>
    public uint JitterSeed = 1;
    /// <summary>Software watchdog timeout (protocol §15 W1).</summary>
    public int WatchdogSeconds = 120;
    /// <summary>
    /// How long to wait for CONNACK, on the monotonic clock (protocol §4.1: 15 s). A host whose clock runs faster than
    /// real time scales it, as <see cref="WatchdogSeconds"/>: the network does not speed up with the clock.
    /// </summary>
    public long ConnectWaitMs = ConnectionManager.ConnectTimeoutMs;
    /// <summary>No MQTT connection for this long reboots the node once (protocol §4.5: 6 h); scaled like <see cref="ConnectWaitMs"/>.</summary>
    public long OutageRebootMs = ConnectionManager.OutageRebootMs;

    /// <summary>
    /// Sizes for a plain ESP32 without PSRAM (~90 KB of managed heap shared with M2Mqtt, Wi-Fi and TLS;
    /// hardware/heap.md): applied by the ESP32 apps' start-up and by the heap model that checks the budget.
    /// </summary>
    public static void UseSmallHeap(NodeOptions options)
    {
        // RAM ring: one flash page's worth; it spills to the 64 KB flash ring as soon as it is full.
        options.OutboxBytes = 4096;
        options.FlashOutboxBytes = 65536;
    }
}
