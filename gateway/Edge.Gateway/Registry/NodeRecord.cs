namespace Edge.Gateway.Registry;

/// <summary>Status as reported in <c>state</c> (protocol.md §8.1) or implied by the last will (§4.3).</summary>
public enum NodeStatus
{
    /// <summary>Provisioned, never reported.</summary>
    Unknown,
    Online,
    Offline,
    Asleep,
}

/// <summary>One registered node, as the registry knows it.</summary>
public sealed record NodeRecord(
    string NodeId,
    string Site,
    string Type,
    string? Location,
    string? Zone,
    string? Firmware,
    string? Hardware,
    long? ConfigVersion,
    long? DisplayVersion,
    NodeStatus Status,
    string? StatusReason,
    long? WakeTs,
    long? LastSeenUnixMs,
    bool Connected)
{
    /// <summary>
    /// Status with the asleep rule of protocol.md §4.6/§16.5 applied: an asleep node counts as online until
    /// <c>wakeTs</c> + 120 s, then as offline.
    /// </summary>
    public NodeStatus EffectiveStatus(long nowUnixSeconds)
        => Status == NodeStatus.Asleep && WakeTs is { } wake && nowUnixSeconds > wake + 120 ? NodeStatus.Offline : Status;

    public string Topic(string leaf) => $"edge/{Site}/{NodeId}/{leaf}";
}

/// <summary>What the provisioning API needs to add a node.</summary>
public sealed record NodeRegistration(string NodeId, string Site, string Type, string? Location = null, string? Zone = null);

/// <summary>The members of a <c>state</c> message the registry keeps (protocol.md §8.1).</summary>
public sealed record NodeStateReport(
    NodeStatus Status,
    string? Reason,
    string? Type,
    string? Firmware,
    string? Hardware,
    long? ConfigVersion,
    long? DisplayVersion,
    long? WakeTs,
    long? Boot = null);
