using System;
using System.Collections.Concurrent;
using System.Numerics;
using System.Text;
using System.Threading.Tasks;
using Edge.Gateway.Operations;
using Edge.Gateway.Outbox;
using Edge.Gateway.Registry;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Broker;

public enum InboundDecision
{
    /// <summary>Committed to the outbox (or a recognised duplicate, or dropped by quota): acknowledge, do not route.</summary>
    Stored,

    /// <summary>A valid <c>state</c>: let the broker keep it retained (protocol.md §8).</summary>
    RetainState,

    /// <summary>Broke the ACL or the size limit: acknowledge (MQTT 3.1.1 cannot refuse a PUBLISH), never route, count.</summary>
    Rejected,

    /// <summary>The payload broke protocol.md §5–§10 (malformed JSON or UTF-8, wrong <c>v</c>, missing or invalid member):
    /// like <see cref="Rejected"/>, but MQTT 5 clients see PUBACK 0x99 "Payload format invalid".</summary>
    PayloadInvalid,
}

/// <summary>
/// What happens to every PUBLISH from a node, whichever transport received it: ACL (protocol.md §2.4), size
/// (§13), payload rules (§5), then the outbox for telemetry/event/cmd-ack (§14, §16.2) or the registry for state
/// (§8, §16.5), then the <see cref="INodeMessageFeed"/>.
///
/// Rejection policy (§15, §16.1): a rejected publish is dropped, counted and logged, and the connection stays up.
/// It is still acknowledged: the node removes a message from its outbox only on PUBACK (§14.1), so closing the
/// connection instead would make it re-send the same bad message forever and block all its later, valid messages.
/// A failure to commit is the opposite case: the exception propagates, the transport sends no PUBACK and closes
/// the connection, and the node re-sends after reconnecting (§15 C6).
/// </summary>
public sealed class InboundPipeline
{
    readonly DurableOutbox _outbox;
    readonly NodeRegistry _registry;
    readonly NodeMessageFeed _feed;
    readonly GatewayMetrics _metrics;
    readonly BrokerOptions _options;
    readonly ILogger _logger;
    readonly ConcurrentDictionary<string, long> _violationsPerNode = new(StringComparer.Ordinal);

    public InboundPipeline(DurableOutbox outbox, NodeRegistry registry, NodeMessageFeed feed, GatewayMetrics metrics, BrokerOptions options, ILogger<InboundPipeline> logger)
    {
        _outbox = outbox;
        _registry = registry;
        _feed = feed;
        _metrics = metrics;
        _options = options;
        _logger = logger;
    }

    public async Task<InboundDecision> HandleAsync(NodeRecord node, string topic, byte[] payload)
    {
        _registry.Touch(node.NodeId);
        var leaf = NodeTopics.PublishLeaf(node.Site, node.NodeId, topic);
        if (leaf is null)
        {
            _metrics.AclViolations.Add(1, GatewayMetrics.Tag("operation", "publish"));
            LogThrottled(node.NodeId, "ACL: node {NodeId} published to {Topic}, outside its subtree; dropped", topic);
            return InboundDecision.Rejected;
        }
        if (payload.Length > _options.MaxNodePayloadBytes || Encoding.UTF8.GetByteCount(topic) > _options.MaxTopicBytes)
        {
            return Reject(node, leaf, "oversize", $"{payload.Length} bytes (limit {_options.MaxNodePayloadBytes}, protocol.md §13)");
        }
        var message = MessageValidator.Validate(leaf, payload);
        if (!message.IsValid)
        {
            Reject(node, leaf, message.RejectReason!, message.RejectDetail!);
            return InboundDecision.PayloadInvalid;
        }

        var receivedMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (leaf == NodeTopics.State)
        {
            // The registry writes gateway.db (and MQTTnet then the retained store) synchronously, under a lock other
            // connections' events take: never on a socket event thread (SocketCompletions). Telemetry stays on it: its
            // path up to the outbox enqueue does not block.
            await SocketCompletions.LeaveEventThread();
            var birth = _registry.ApplyState(node.NodeId, message.State!);
            _metrics.Accepted.Add(1, GatewayMetrics.Tag("leaf", leaf));
            _feed.Publish(new NodeMessage(node.Site, node.NodeId, leaf, payload, receivedMs, null, 0, 0) { Birth = birth });
            return InboundDecision.RetainState;
        }

        var messageClass = leaf == NodeTopics.Telemetry ? MessageClass.Routine : MessageClass.Kept;
        // The record's trace starts here (null unless tracing is on): its traceparent is stored with the row and goes
        // upstream with the record, so the cloud's store links back to it (docs/uplink.md, trace context).
        using var span = GatewayTelemetry.StartMessageSpan(node.NodeId, leaf, message.Boot, message.Seq);
        var result = await _outbox.AppendAsync(new OutboxAppend(node.Site, node.NodeId, leaf, message.Boot, message.Seq, messageClass, payload, receivedMs,
            span?.Id)).ConfigureAwait(false);
        span?.SetTag("edge.outcome", result.Outcome.ToString());
        if (result.Outcome == AppendOutcome.Committed) span?.SetTag("edge.gateway.seq", result.GatewaySeq);
        switch (result.Outcome)
        {
            case AppendOutcome.Duplicate:
                _metrics.Duplicates.Add(1);
                break;
            case AppendOutcome.Committed:
                _metrics.Accepted.Add(1, GatewayMetrics.Tag("leaf", leaf));
                _feed.Publish(new NodeMessage(node.Site, node.NodeId, leaf, payload, receivedMs, result.GatewaySeq, message.Boot, message.Seq) { Discriminator = message.Discriminator });
                break;
            case AppendOutcome.DroppedByQuota:
                _metrics.Accepted.Add(1, GatewayMetrics.Tag("leaf", leaf));
                _feed.Publish(new NodeMessage(node.Site, node.NodeId, leaf, payload, receivedMs, null, message.Boot, message.Seq) { Discriminator = message.Discriminator });
                break;
        }
        return InboundDecision.Stored;
    }

    InboundDecision Reject(NodeRecord node, string leaf, string reason, string detail)
    {
        _metrics.Rejected.Add(1, GatewayMetrics.Tag("reason", reason));
        LogThrottled(node.NodeId, "Node {NodeId}: " + leaf + " rejected (" + reason + "): {Detail}", detail);
        return InboundDecision.Rejected;
    }

    /// <summary>Logs the 1st, 2nd, 4th, 8th … problem of a node, so a broken node cannot flood the journal.</summary>
    void LogThrottled(string nodeId, string template, string detail)
    {
        var count = _violationsPerNode.AddOrUpdate(nodeId, 1, (_, c) => c + 1);
        if (BitOperations.IsPow2(count))
        {
#pragma warning disable CA2254 // the template is built from constants only
            _logger.LogWarning(template + " (problem #{Count} of this node)", nodeId, detail, count);
#pragma warning restore CA2254
        }
    }
}
