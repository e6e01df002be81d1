using System;
using System.IO;

namespace Edge.Gateway;

/// <summary>
/// Everything the gateway reads from configuration (section <c>Gateway</c>): appsettings.json, environment
/// variables (<c>Gateway__Broker__Port=1883</c>) and command-line flags (<c>--data-dir</c>, <c>--port</c>, …).
/// </summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Directory holding gateway.db (registry, retained messages) and outbox.db.</summary>
    public string DataDir { get; set; } = "/var/lib/edge-gateway";

    public BrokerOptions Broker { get; set; } = new();
    public OutboxOptions Outbox { get; set; } = new();
    public HttpOptions Http { get; set; } = new();
    public RegistryOptions Registry { get; set; } = new();
    public Uplink.UplinkOptions Uplink { get; set; } = new();
    public Downlink.DownlinkOptions Downlink { get; set; } = new();
    public Rules.RulesOptions Rules { get; set; } = new();
    public Operations.TelemetryOptions Telemetry { get; set; } = new();
    public MemoryOptions Memory { get; set; } = new();

    public string ResolveDataDir() => Path.GetFullPath(DataDir);
}

public sealed class BrokerOptions
{
    /// <summary>
    /// "embedded" (default): nodes connect to the gateway's own MQTTnet broker. "external": the gateway attaches as a
    /// client to the site's broker (Mosquitto), see <see cref="External"/> and docs/gateway.md "External broker".
    /// </summary>
    public string Mode { get; set; } = "embedded";

    /// <summary>The site broker the gateway attaches to when <see cref="Mode"/> is "external".</summary>
    public ExternalBrokerOptions External { get; set; } = new();

    public bool IsExternal => string.Equals(Mode, "external", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Who accepts the embedded broker's connections: "mqttnet" (default), MQTTnet's channel over the gateway's own
    /// listener (<see cref="Broker.Exposure.GuardedTcpServerAdapter"/>), or "kestrel", the gateway's ASP.NET Core server with
    /// MQTTnet.AspNetCore's pipe-based connection (<see cref="Broker.KestrelMqttListener"/>). Same ports, TLS, limits, login
    /// and ACL either way; what differs is the thread hand-offs per packet (docs/gateway.md "Benchmark").
    /// </summary>
    public string Transport { get; set; } = "mqttnet";

    public bool IsKestrel => Transport.ToLowerInvariant() switch
    {
        "kestrel" => true,
        "mqttnet" => false,
        _ => throw new InvalidOperationException($"Gateway:Broker:Transport: '{Transport}' is neither \"mqttnet\" nor \"kestrel\""),
    };

    /// <summary>Plain MQTT listener (protocol.md §1.1).</summary>
    public int Port { get; set; } = 1883;

    /// <summary>Address to bind; "any" for every interface.</summary>
    public string BindAddress { get; set; } = "any";

    /// <summary>TLS listener port (protocol.md §1.1: 8883); 0 disables it.</summary>
    public int TlsPort { get; set; }

    /// <summary>PKCS#12 file with the server certificate and key for the TLS listener.</summary>
    public string? TlsCertificatePath { get; set; }

    public string? TlsCertificatePassword { get; set; }

    /// <summary>Largest node → gateway payload (protocol.md §13).</summary>
    public int MaxNodePayloadBytes { get; set; } = 4096;

    /// <summary>Each connection's packet write buffer as it starts (MQTTnet's <c>WriterBufferSize</c>, whose own default
    /// is 4096). MQTTnet 5.2 writes a packet's header, topic and ids into it but sends a PUBLISH's payload from its own
    /// buffer (MqttV3PacketFormatter.Encode), so what the gateway sends a node — PUBACK, SUBACK, and the headers of
    /// config, display, cmd and time with topics of at most MaxTopicBytes — fits in 256 bytes: the buffer never grows,
    /// and every idle node costs that much less (docs/scale.md).</summary>
    public int WriterBufferBytes { get; set; } = 256;

    /// <summary>What a connection's write buffer shrinks back to after a larger packet
    /// (MQTTnet's <c>WriterBufferSizeMax</c>, whose own default is 65535).</summary>
    public int WriterBufferMaxBytes { get; set; } = 4096;

    /// <summary>Longest topic (protocol.md §13).</summary>
    public int MaxTopicBytes { get; set; } = 128;

    /// <summary>What one connection to the embedded broker may cost before it is closed (docs/gateway.md "Exposure limits").</summary>
    public BrokerLimitsOptions Limits { get; set; } = new();

    /// <summary>
    /// Largest PUBLISH the embedded broker reads (MQTT remaining length): <see cref="BrokerLimitsOptions.MaxPublishPacketBytes"/>
    /// when set, otherwise the largest one a node may send (protocol.md §13): 2-byte topic length, <see cref="MaxTopicBytes"/>
    /// of topic, 2-byte packet id and <see cref="MaxNodePayloadBytes"/> of payload.
    /// </summary>
    public int MaxPublishPacketBytes => Limits.MaxPublishPacketBytes ?? 2 + MaxTopicBytes + 2 + MaxNodePayloadBytes;
}

/// <summary>
/// Bounds on what anyone on the site network can make the embedded broker hold (Gateway:Broker:Limits). Port 1883 is
/// on the shared Wi-Fi: a packet larger than its limit closes the connection before its body is read, so an
/// attacker cannot make the gateway allocate more than these sizes per connection. Sizes are MQTT remaining
/// lengths (the packet after its fixed header). Until a connection's first packet (its CONNECT) has been read,
/// every packet is held to <see cref="MaxConnectPacketBytes"/>.
/// </summary>
public sealed class BrokerLimitsOptions
{
    /// <summary>CONNECT: client id, user name, 43-character secret and the will (protocol.md §2.2) need well under 1 KB.</summary>
    public int MaxConnectPacketBytes { get; set; } = 4096;

    /// <summary>SUBSCRIBE and UNSUBSCRIBE: a node subscribes to four topics in one packet (protocol.md §4.1).</summary>
    public int MaxSubscribePacketBytes { get; set; } = 2048;

    /// <summary>PUBLISH; unset = derived from the protocol's payload and topic limits (<see cref="BrokerOptions.MaxPublishPacketBytes"/>).</summary>
    public int? MaxPublishPacketBytes { get; set; }

    /// <summary>Every other packet (PUBACK, PINGREQ, DISCONNECT, …): a few bytes in MQTT 3.1.1.</summary>
    public int MaxOtherPacketBytes { get; set; } = 1024;

    /// <summary>
    /// A connection that has not delivered its CONNECT (and, on the TLS port, finished its handshake) this long after
    /// the TCP accept is closed. A node sends CONNECT at once (protocol.md §4.1); 10 s leaves room for a few TCP
    /// retransmissions on poor Wi-Fi.
    /// </summary>
    public int ConnectTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// At most this many CONNECT checks (a PBKDF2 hash each) run at once; the rest wait without holding a thread
    /// (<see cref="Broker.LoginGate"/>). Unset = one per core but one, at least one.
    /// </summary>
    public int? ConcurrentLogins { get; set; }

    /// <summary>At most this many refusal or close lines per remote address per <see cref="LogIntervalSeconds"/>; the rest are counted.</summary>
    public int LogLinesPerAddress { get; set; } = 5;

    public int LogIntervalSeconds { get; set; } = 60;

    /// <summary>Client ids, user names and topics from unauthenticated peers are logged cut to this many characters.</summary>
    public int LoggedTextChars { get; set; } = 64;
}

/// <summary>Connection to the site's own MQTT broker (Gateway:Broker:Mode = external).</summary>
public sealed class ExternalBrokerOptions
{
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>1883, or 8883 with <see cref="UseTls"/>.</summary>
    public int Port { get; set; } = 1883;

    /// <summary>
    /// Fixed client id: with clean session false the broker keeps the gateway's subscriptions and queues QoS 1 node
    /// messages while the gateway is down, and delivers them when a client with this id returns.
    /// </summary>
    public string ClientId { get; set; } = "edge-gateway";

    /// <summary>The gateway's broker account (the exported ACL gives it readwrite on edge/#).</summary>
    public string UserName { get; set; } = "edge-gateway";

    /// <summary>Its password, in clear (put it in /etc/edge-gateway/env); --export-mosquitto writes its hash.</summary>
    public string? Password { get; set; }

    public bool UseTls { get; set; }

    /// <summary>PEM file of the CA that signed the broker's certificate, when it is not in the system store.</summary>
    public string? TlsCaCertificatePath { get; set; }

    public int KeepAliveSeconds { get; set; } = 30;

    public int ReconnectBaseMilliseconds { get; set; } = 500;

    public int ReconnectCapMilliseconds { get; set; } = 30_000;
}

public sealed class OutboxOptions
{
    /// <summary>Disk quota for queued messages (payload bytes plus a per-row overhead estimate).</summary>
    public long QuotaBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>
    /// How long the committer waits for more messages after the first one of a batch arrives. 0 = commit what
    /// has queued up while the previous commit ran (natural group commit, no added latency).
    /// </summary>
    public int CommitLingerMicroseconds { get; set; }

    /// <summary>Most messages in one transaction.</summary>
    public int MaxBatch { get; set; } = 2000;

    /// <summary>How long (node, boot, seq) keys are remembered for dedupe, in hours (longer than any node outbox holds).</summary>
    public int DedupeWindowHours { get; set; } = 24 * 7;

    /// <summary>
    /// "FULL" (default): every commit is fsynced before PUBACK — survives power loss. "NORMAL" survives a process
    /// kill but may lose the last commits on power loss (see docs/gateway.md).
    /// </summary>
    public string Synchronous { get; set; } = "FULL";
}

public sealed class HttpOptions
{
    /// <summary>Port of /health, /metrics and the provisioning API.</summary>
    public int Port { get; set; } = 8080;

    /// <summary>Address the HTTP listener binds; "any" for every interface (a desk demo binds loopback only).</summary>
    public string BindAddress { get; set; } = "any";

    /// <summary>
    /// Bearer token for the provisioning API (/api/nodes). When empty, the API answers only requests from the
    /// loopback interface (the installer on the Pi itself).
    /// </summary>
    public string? AdminToken { get; set; }
}

/// <summary>When the gateway gives memory back after many nodes left (Operations/MemoryReclaimer, docs/scale.md).</summary>
public sealed class MemoryOptions
{
    /// <summary>How often the connected-node count is compared with its peak, in seconds; 0 turns reclaiming off.</summary>
    public int ReclaimCheckSeconds { get; set; } = 15;

    /// <summary>Fewest nodes that must have left since the peak (and at least a quarter of it) before memory is reclaimed.</summary>
    public int ReclaimAfterNodesLeft { get; set; } = 100;

    /// <summary>
    /// Whether checks also hand the native allocator's free pages back to the system (glibc <c>malloc_trim</c>): after a
    /// reclaim, and when <see cref="ReclaimAfterNodesLeft"/> more nodes connected since the last trim (a connect storm).
    /// </summary>
    public bool TrimNative { get; set; } = true;

    /// <summary>
    /// Whether, after a trim for a wave of arrivals or after a reclaim, the next check that sees no new wave trims once
    /// more (with <see cref="TrimNative"/>). The storm's socket, TLS and login buffers, and what a reclaim's finalizers
    /// free, reach glibc's free lists after the first trim ran, and would otherwise stay resident until the next wave
    /// (docs/scale.md "Native memory handed back").
    /// </summary>
    public bool TrimNativeAgain { get; set; } = true;
}

public sealed class RegistryOptions
{
    /// <summary>PBKDF2-SHA256 iterations for node secrets (see SecretHasher for why this can be modest).</summary>
    public int HashIterations { get; set; } = 10_000;

    /// <summary>How often in-memory last-seen times are written to the registry, in seconds.</summary>
    public int LastSeenFlushSeconds { get; set; } = 30;
}
