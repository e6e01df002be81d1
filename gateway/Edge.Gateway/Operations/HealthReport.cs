using System;
using System.Collections.Generic;
using System.IO;
using Edge.Gateway.Broker;
using Edge.Gateway.Outbox;
using Edge.Gateway.Registry;

namespace Edge.Gateway.Operations;

/// <summary>The readiness details served at /health.</summary>
public sealed record HealthReport(string Status, bool BrokerListening, bool OutboxWritable, bool RegistryWritable, string QuotaState,
    long OutboxDepth, long OutboxBytes, long OutboxQuotaBytes, long DataDirFreeBytes, int ConnectedNodes, int RegisteredNodes)
{
    public bool Ready => Status == "ready";

    /// <summary>Uplink, downlink, siren driver… (<see cref="IHealthComponent"/>); informative, not part of readiness.</summary>
    public IReadOnlyDictionary<string, ComponentHealth>? Components { get; init; }

    /// <summary>
    /// Ready when nodes can connect and messages can be committed. A full outbox does not make the gateway unready
    /// (the drop policy keeps it working); it is reported as quotaState "Dropping".
    /// </summary>
    public static HealthReport Collect(INodeTransport transport, DurableOutbox outbox, RetainedStore retained, NodeRegistry registry, string dataDir)
    {
        var stats = outbox.GetStats();
        var listening = transport.IsListening;
        var outboxWritable = outbox.IsWritable;
        var registryWritable = retained.CanWrite();
        long free;
        try { free = new DriveInfo(dataDir).AvailableFreeSpace; }
        catch (Exception) { free = -1; }
        var ready = listening && outboxWritable && registryWritable;
        return new HealthReport(ready ? "ready" : "not_ready", listening, outboxWritable, registryWritable, stats.QuotaState.ToString(),
            stats.Depth, stats.Bytes, stats.QuotaBytes, free, registry.ConnectedCount, registry.List().Count);
    }
}
