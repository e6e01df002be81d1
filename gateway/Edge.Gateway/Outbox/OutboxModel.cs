using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Gateway.Outbox;

/// <summary>Drop class of the quota policy (protocol.md §14.2 applied at the gateway): telemetry is routine; events and cmd/acks are kept.</summary>
public enum MessageClass
{
    Routine = 0,
    Kept = 1,
}

/// <summary>A node message to store: the identity of protocol.md §5.4 plus the raw payload, and the W3C
/// <c>traceparent</c> of the span that accepted it when tracing is on (docs/uplink.md, trace context).</summary>
public sealed record OutboxAppend(string Site, string NodeId, string Leaf, long Boot, long Seq, MessageClass Class, byte[] Payload, long ReceivedUnixMs,
    string? TraceParent = null);

public enum AppendOutcome
{
    /// <summary>Committed (fsynced) with a new gateway sequence number.</summary>
    Committed,

    /// <summary>(nodeId, boot, seq) was already stored or forwarded: a re-send after a lost PUBACK (protocol.md §16.2).</summary>
    Duplicate,

    /// <summary>The outbox is full and the message is routine while nothing older is routine: dropped by the quota policy, counted.</summary>
    DroppedByQuota,
}

public readonly record struct AppendResult(AppendOutcome Outcome, long GatewaySeq);

/// <summary>A stored message as the uplink reads it. <see cref="GatewaySeq"/> is gateway-wide, strictly increasing, never reused.</summary>
public sealed record OutboxMessage(long GatewaySeq, string Site, string NodeId, string Leaf, long Boot, long Seq, MessageClass Class, long ReceivedUnixMs, byte[] Payload,
    string? TraceParent = null);

public enum QuotaState
{
    Ok,

    /// <summary>Above 90 % of the quota.</summary>
    NearlyFull,

    /// <summary>The drop policy has had to drop messages since the outbox was last below 90 %.</summary>
    Dropping,
}

public sealed record OutboxStats(
    long Depth,
    long Bytes,
    long QuotaBytes,
    long? OldestReceivedUnixMs,
    long LastGatewaySeq,
    long ForwardedUpTo,
    long DroppedRoutine,
    long DroppedKept,
    QuotaState QuotaState);

/// <summary>
/// What the uplink uses to forward the outbox (docs/gateway.md, "Outbox reader"). Messages come out in gateway
/// sequence order, which is arrival order and therefore each node's own order (one connection per node, MQTT keeps
/// QoS 1 order on a connection, the broker handles a connection's publishes one after the other).
/// </summary>
public interface IOutboxReader
{
    /// <summary>Highest gateway sequence number already forwarded (persisted; 0 at first start).</summary>
    long ForwardedUpTo { get; }

    /// <summary>The outbox's identity (docs/uplink.md §2 <c>epoch</c>): sequence numbers are unique within it.</summary>
    string Epoch { get; }

    /// <summary>
    /// Up to <paramref name="maxMessages"/> messages (and about <paramref name="maxBytes"/> payload bytes, at least one
    /// message) with a gateway sequence number above <paramref name="afterGatewaySeq"/>, oldest first.
    /// Sequence numbers may have gaps where the quota policy dropped messages.
    /// </summary>
    Task<IReadOnlyList<OutboxMessage>> ReadAfterAsync(long afterGatewaySeq, int maxMessages, int maxBytes, CancellationToken cancellationToken);

    /// <summary>Records that everything up to and including <paramref name="upToGatewaySeq"/> was accepted upstream and deletes it. Durable when the task completes.</summary>
    Task MarkForwardedAsync(long upToGatewaySeq, CancellationToken cancellationToken);

    /// <summary>Completes when a message with a sequence number above <paramref name="afterGatewaySeq"/> is committed (at once if one is).</summary>
    Task WaitForMessagesAfterAsync(long afterGatewaySeq, CancellationToken cancellationToken);

    OutboxStats GetStats();
}
