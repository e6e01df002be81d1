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

    public string ResolveDataDir() => Path.GetFullPath(DataDir);
}

public sealed class BrokerOptions
{
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

    /// <summary>Longest topic (protocol.md §13).</summary>
    public int MaxTopicBytes { get; set; } = 128;
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

    /// <summary>
    /// Bearer token for the provisioning API (/api/nodes). When empty, the API answers only requests from the
    /// loopback interface (the installer on the Pi itself).
    /// </summary>
    public string? AdminToken { get; set; }
}

public sealed class RegistryOptions
{
    /// <summary>PBKDF2-SHA256 iterations for node secrets (see SecretHasher for why this can be modest).</summary>
    public int HashIterations { get; set; } = 10_000;

    /// <summary>How often in-memory last-seen times are written to the registry, in seconds.</summary>
    public int LastSeenFlushSeconds { get; set; } = 30;
}
