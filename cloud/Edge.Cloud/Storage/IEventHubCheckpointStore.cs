using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Cloud.Storage;

/// <summary>
/// Event Hubs consumer state kept in our own database instead of Azure Blob Storage: who owns which
/// partition (optimistic concurrency through <see cref="PartitionOwnership.Version"/>, an ETag) and where
/// each partition's processing resumes. Keys are (namespace, event hub, consumer group, partition id).
/// </summary>
public interface IEventHubCheckpointStore
{
    Task<IReadOnlyList<PartitionOwnership>> ListOwnershipAsync(string fullyQualifiedNamespace, string eventHub, string consumerGroup, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims each desired ownership: one with a null <see cref="PartitionOwnership.Version"/> only if no one
    /// owns the partition yet, one with a version only if the stored version is still that one. Returns the
    /// claims that succeeded, each with its new version and time; failed claims are left out.
    /// </summary>
    Task<IReadOnlyList<PartitionOwnership>> ClaimOwnershipAsync(IEnumerable<PartitionOwnership> desired, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PartitionCheckpoint>> ListCheckpointsAsync(string fullyQualifiedNamespace, string eventHub, string consumerGroup, CancellationToken cancellationToken = default);

    Task<PartitionCheckpoint?> GetCheckpointAsync(string fullyQualifiedNamespace, string eventHub, string consumerGroup, string partitionId, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces the partition's checkpoint.</summary>
    Task UpdateCheckpointAsync(PartitionCheckpoint checkpoint, CancellationToken cancellationToken = default);
}

public sealed record PartitionOwnership(
    string FullyQualifiedNamespace,
    string EventHub,
    string ConsumerGroup,
    string PartitionId,
    string OwnerId,
    long LastModifiedMs,
    string? Version);

/// <summary>Where to resume: after <see cref="Offset"/> when known, else after <see cref="SequenceNumber"/>.</summary>
public sealed record PartitionCheckpoint(
    string FullyQualifiedNamespace,
    string EventHub,
    string ConsumerGroup,
    string PartitionId,
    string? Offset,
    long? SequenceNumber,
    string? ClientId,
    long LastModifiedMs);
