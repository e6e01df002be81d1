using System;
using System.Collections.Generic;
using System.Threading.Channels;

namespace Edge.Gateway.Broker;

/// <summary>
/// A node message the gateway accepted: telemetry, event and cmd/ack after their outbox commit
/// (<see cref="GatewaySeq"/> set; null when the quota policy dropped it at once), state after the registry applied it.
/// Duplicates and rejected messages are not announced. <see cref="Payload"/> is the node's JSON, not to be modified.
/// </summary>
public sealed record NodeMessage(string Site, string NodeId, string Leaf, byte[] Payload, long ReceivedUnixMs, long? GatewaySeq, long Boot, long Seq)
{
    /// <summary>A <c>state</c> that is a birth (<see cref="Registry.NodeRegistry.ApplyState"/>), not a heartbeat: time and pending commands go now.</summary>
    public bool Birth { get; init; }

    /// <summary>A telemetry's <c>type</c> or an event's <c>kind</c> as the gateway's validator read it (null when not
    /// known): subscribers can pick their messages without parsing every payload again.</summary>
    public string? Discriminator { get; init; }
}

/// <summary>The stream of accepted node messages, for components that react to them (local rules, docs/gateway.md).</summary>
public interface INodeMessageFeed
{
    /// <summary>
    /// A new subscription: every message accepted from now on (that <paramref name="accepts"/>, when given, returns true
    /// for) is written to its unbounded channel, in acceptance order per node. Dispose it to unsubscribe. A subscriber
    /// that stops reading only grows its own channel.
    /// </summary>
    /// <param name="accepts">Runs on the broker's thread for every accepted message, before the commit's PUBACK is sent:
    /// keep it short and non-blocking. A subscriber that wants a few messages says so here, so the rest (at full load
    /// tens of thousands of telemetry messages a second) never wake its reader.</param>
    NodeMessageSubscription Subscribe(Func<NodeMessage, bool>? accepts = null);
}

public sealed class NodeMessageSubscription : IDisposable
{
    readonly Channel<NodeMessage> _channel = Channel.CreateUnbounded<NodeMessage>(new UnboundedChannelOptions { SingleReader = true });
    readonly Action<NodeMessageSubscription> _unsubscribe;
    readonly Func<NodeMessage, bool>? _accepts;

    internal NodeMessageSubscription(Action<NodeMessageSubscription> unsubscribe, Func<NodeMessage, bool>? accepts)
    {
        _unsubscribe = unsubscribe;
        _accepts = accepts;
    }

    public ChannelReader<NodeMessage> Reader => _channel.Reader;

    internal void Write(NodeMessage message)
    {
        if (_accepts is null || _accepts(message)) _channel.Writer.TryWrite(message);
    }

    public void Dispose()
    {
        _unsubscribe(this);
        _channel.Writer.TryComplete();
    }
}

public sealed class NodeMessageFeed : INodeMessageFeed
{
    readonly object _lock = new();
    NodeMessageSubscription[] _subscribers = Array.Empty<NodeMessageSubscription>();

    public NodeMessageSubscription Subscribe(Func<NodeMessage, bool>? accepts = null)
    {
        var subscription = new NodeMessageSubscription(Remove, accepts);
        lock (_lock)
        {
            _subscribers = [.. _subscribers, subscription];
        }
        return subscription;
    }

    public void Publish(NodeMessage message)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Write(message);
        }
    }

    void Remove(NodeMessageSubscription subscription)
    {
        lock (_lock)
        {
            var list = new List<NodeMessageSubscription>(_subscribers);
            list.Remove(subscription);
            _subscribers = list.ToArray();
        }
    }
}
