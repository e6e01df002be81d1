namespace Edge.Gateway.Operations;

/// <summary>The counters the broker, registry and outbox increment; all live in one <see cref="MetricsRegistry"/>.</summary>
public sealed class GatewayMetrics
{
    public GatewayMetrics(MetricsRegistry registry)
    {
        Registry = registry;
        Rejected = registry.CreateCounter("edge_gateway_rejected_messages_total",
            "Node publishes dropped because they broke protocol.md (oversize, malformed, bad_version, missing_member, unknown_topic, retain).", "reason");
        AclViolations = registry.CreateCounter("edge_gateway_acl_violations_total",
            "Publishes or subscriptions outside the node's own subtree (protocol.md §2.4), refused.", "operation");
        AuthFailures = registry.CreateCounter("edge_gateway_auth_failures_total",
            "Refused CONNECTs (protocol.md §2.2).", "reason");
        ConnectionsClosed = registry.CreateCounter("edge_gateway_mqtt_connections_closed_total",
            "Connections the embedded broker closed before reading a packet: too_large, bad_topic, bad_length (docs/gateway.md).", "reason");
        Accepted = registry.CreateCounter("edge_gateway_messages_accepted_total",
            "Node messages accepted (committed to the outbox, or applied for state).", "leaf");
        Duplicates = registry.CreateCounter("edge_gateway_duplicates_total",
            "Node re-sends recognised by (nodeId, boot, seq) and not stored again (protocol.md §5.4, §16.2).");
        OutboxDropped = registry.CreateCounter("edge_gateway_outbox_dropped_total",
            "Queued messages dropped by the disk-quota policy (routine telemetry first, kept events/acks last).", "class");
    }

    public MetricsRegistry Registry { get; }
    public MetricsRegistry.Counter Rejected { get; }
    public MetricsRegistry.Counter AclViolations { get; }
    public MetricsRegistry.Counter AuthFailures { get; }
    public MetricsRegistry.Counter ConnectionsClosed { get; }
    public MetricsRegistry.Counter Accepted { get; }
    public MetricsRegistry.Counter Duplicates { get; }
    public MetricsRegistry.Counter OutboxDropped { get; }
}
