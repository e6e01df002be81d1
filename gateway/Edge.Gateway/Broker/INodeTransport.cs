using System.Threading;
using System.Threading.Tasks;

namespace Edge.Gateway.Broker;

/// <summary>
/// How the rest of the gateway publishes to nodes (docs/gateway.md, "Publishing to nodes"). Topics are built from
/// (site, nodeId); payload limits of protocol.md §13 are enforced here (ArgumentException when exceeded).
/// </summary>
public interface INodePublisher
{
    /// <summary>
    /// Retained QoS 1 <c>config</c> (protocol.md §9), persisted so it survives a gateway restart. Returns false, and
    /// publishes nothing, when the retained config already has a <c>version</c> ≥ the new one (§16.3).
    /// </summary>
    Task<bool> PublishConfigAsync(string site, string nodeId, byte[] payload, CancellationToken cancellationToken = default);

    /// <summary>Retained QoS 1 <c>display</c> (protocol.md §11); same version rule as config.</summary>
    Task<bool> PublishDisplayAsync(string site, string nodeId, byte[] payload, CancellationToken cancellationToken = default);

    /// <summary>QoS 1, not retained, <c>cmd</c> (protocol.md §10). Delivered only if the node is connected and subscribed now; re-sending after a birth is the caller's job (§10.4).</summary>
    Task SendCommandAsync(string site, string nodeId, byte[] payload, CancellationToken cancellationToken = default);

    /// <summary>QoS 0 <c>time</c> (protocol.md §12.2).</summary>
    Task SendTimeAsync(string site, string nodeId, byte[] payload, CancellationToken cancellationToken = default);

    /// <summary>Clears retained config, display and state of a decommissioned node (protocol.md §3.1).</summary>
    Task ClearRetainedAsync(string site, string nodeId, CancellationToken cancellationToken = default);
}

/// <summary>
/// Where nodes connect: the embedded MQTTnet broker (<see cref="EmbeddedBroker"/>) or — the seam for sites that already
/// run Mosquitto — a client attached to an external broker with the same ACL, validation and outbox behaviour
/// (see docs/gateway.md). Both feed <see cref="InboundPipeline"/>.
/// </summary>
public interface INodeTransport : INodePublisher
{
    /// <summary>True while nodes can connect (readiness).</summary>
    bool IsListening { get; }

    Task StartAsync(CancellationToken cancellationToken);

    Task StopAsync(CancellationToken cancellationToken);

    /// <summary>Ends a node's connection (after removal or secret rotation).</summary>
    Task DisconnectAsync(string nodeId);
}
