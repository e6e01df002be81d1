using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;
using Edge.Cloud.Gateways;
using Edge.Cloud.Storage;
using Microsoft.Extensions.Logging;

namespace Edge.Cloud.Ingestion.EventHubs;

/// <summary>
/// The Event Hubs upward path (docs/uplink.md §4): an <see cref="EventProcessor{TPartition}"/> whose partition
/// ownership and checkpoints live in our database (<see cref="IEventHubCheckpointStore"/>), and which stores
/// each event through the same per-record validation and <c>(gateway, seq)</c> idempotency as the HTTPS
/// endpoint. Events from unregistered gateways and invalid events are logged and skipped (no one to answer
/// to); a store failure is retried until it succeeds or processing stops, and the checkpoint moves only
/// after the batch is stored, so nothing is lost and a replay only produces duplicates.
/// </summary>
public class EdgeEventProcessor : EventProcessor<EventProcessorPartition>
{
    private readonly IEventHubCheckpointStore _checkpoints;
    private readonly IIngestStore _store;
    private readonly IGatewayStore _gateways;
    private readonly RecordAdmission _admission;
    private readonly OutboxEpochs _epochs;
    private readonly ILogger _logger;
    private readonly RecordArrivals? _arrivals;

    public EdgeEventProcessor(EventHubsOptions options, IEventHubCheckpointStore checkpoints, IIngestStore store, IGatewayStore gateways, RecordAdmission admission, OutboxEpochs epochs, ILogger<EdgeEventProcessor> logger,
        RecordArrivals? arrivals = null)
        : base(options.BatchSize, options.ConsumerGroup, options.ConnectionString ?? throw new ArgumentException("EventHubs:ConnectionString is required", nameof(options)),
               options.EventHubName, new EventProcessorOptions { TrackLastEnqueuedEventProperties = false })
    {
        _checkpoints = checkpoints;
        _store = store;
        _gateways = gateways;
        _admission = admission;
        _epochs = epochs;
        _logger = logger;
        _arrivals = arrivals;
    }

    /// <summary>Events skipped as invalid since start (for health and tests).</summary>
    public long RejectedEvents => Interlocked.Read(ref _rejected);

    private long _rejected;

    protected override async Task<IEnumerable<EventProcessorCheckpoint>> ListCheckpointsAsync(CancellationToken cancellationToken)
    {
        var list = await _checkpoints.ListCheckpointsAsync(FullyQualifiedNamespace, EventHubName, ConsumerGroup, cancellationToken);
        return list.Select(ToSdk).ToList();
    }

    protected override async Task<EventProcessorCheckpoint?> GetCheckpointAsync(string partitionId, CancellationToken cancellationToken)
    {
        var checkpoint = await _checkpoints.GetCheckpointAsync(FullyQualifiedNamespace, EventHubName, ConsumerGroup, partitionId, cancellationToken);
        return checkpoint is null ? null : ToSdk(checkpoint);
    }

    protected override Task UpdateCheckpointAsync(string partitionId, CheckpointPosition startingPosition, CancellationToken cancellationToken) =>
        _checkpoints.UpdateCheckpointAsync(new PartitionCheckpoint(FullyQualifiedNamespace, EventHubName, ConsumerGroup, partitionId,
            startingPosition.OffsetString, startingPosition.SequenceNumber, Identifier, 0), cancellationToken);

    protected override async Task<IEnumerable<EventProcessorPartitionOwnership>> ListOwnershipAsync(CancellationToken cancellationToken)
    {
        var list = await _checkpoints.ListOwnershipAsync(FullyQualifiedNamespace, EventHubName, ConsumerGroup, cancellationToken);
        return list.Select(ToSdk).ToList();
    }

    protected override async Task<IEnumerable<EventProcessorPartitionOwnership>> ClaimOwnershipAsync(IEnumerable<EventProcessorPartitionOwnership> desiredOwnership, CancellationToken cancellationToken)
    {
        var desired = desiredOwnership.Select(o => new PartitionOwnership(o.FullyQualifiedNamespace, o.EventHubName, o.ConsumerGroup,
            o.PartitionId, o.OwnerIdentifier, o.LastModifiedTime.ToUnixTimeMilliseconds(), o.Version));
        var claimed = await _checkpoints.ClaimOwnershipAsync(desired, cancellationToken);
        return claimed.Select(ToSdk).ToList();
    }

    protected override async Task OnProcessingEventBatchAsync(IEnumerable<EventData> events, EventProcessorPartition partition, CancellationToken cancellationToken)
    {
        var batch = events as IReadOnlyList<EventData> ?? events.ToList();
        if (batch.Count == 0) return;

        var records = new List<IngestRecord>(batch.Count);
        var known = new Dictionary<string, bool>();
        foreach (var e in batch)
        {
            var error = await ReadEventAsync(e, known, records, cancellationToken);
            if (error is null) continue;
            Interlocked.Increment(ref _rejected);
            _logger.LogWarning("Event Hubs partition {Partition}, sequence number {SequenceNumber}: event skipped: {Error}",
                partition.PartitionId, e.SequenceNumber, error);
        }

        await StoreWithRetryAsync(records, partition, cancellationToken);
        await UpdateCheckpointAsync(partition.PartitionId, CheckpointPosition.FromEvent(batch[^1]), cancellationToken);
    }

    protected override Task OnProcessingErrorAsync(Exception exception, EventProcessorPartition partition, string operationDescription, CancellationToken cancellationToken)
    {
        _logger.LogError(exception, "Event Hubs processor error in partition {Partition} during {Operation}", partition?.PartitionId ?? "(none)", operationDescription);
        return Task.CompletedTask;
    }

    private async Task<string?> ReadEventAsync(EventData e, Dictionary<string, bool> known, List<IngestRecord> records, CancellationToken cancellationToken)
    {
        var read = EventRecordReader.Read(e.EventBody.ToMemory(), e.PartitionKey);
        if (read.Error is not null) return read.Error;
        using var document = read.Document!;
        var gateway = read.Gateway!;
        if (!known.TryGetValue(gateway, out var registered))
        {
            registered = await _gateways.FindAsync(gateway, cancellationToken) is not null;
            known[gateway] = registered;
        }
        if (!registered) return $"gateway: '{gateway}' is not registered";
        var check = RecordValidator.Validate(gateway, document.RootElement);
        if (check.Record is null) return $"seq {check.Seq?.ToString() ?? "?"}: {check.Error}";
        if ((JsonFields.Text(document.RootElement, "epoch", "", false, out var epoch) ?? OutboxEpochs.Check(epoch ?? "")) is { } epochError)
        {
            return $"seq {check.Seq}: {epochError}";
        }
        records.Add(check.Record with { Epoch = epoch ?? "" });
        return null;
    }

    /// <summary>The same admission as the HTTPS path (node assignment, time bounds), per gateway; refusals are
    /// logged and counted like invalid events.</summary>
    private async Task<List<IngestRecord>> AdmitAsync(List<IngestRecord> records, EventProcessorPartition partition, CancellationToken cancellationToken)
    {
        var admitted = new List<IngestRecord>(records.Count);
        foreach (var (gateway, epoch) in records.Select(r => (r.Gateway, r.Epoch)).Distinct())
        {
            await _epochs.NoteAsync(gateway, epoch, cancellationToken);
        }
        foreach (var group in records.GroupBy(r => r.Gateway))
        {
            var mine = group.ToList();
            var admission = await _admission.AdmitAsync(group.Key, mine, cancellationToken);
            foreach (var (position, error) in admission.Refused)
            {
                Interlocked.Increment(ref _rejected);
                _logger.LogWarning("Event Hubs partition {Partition}: gateway {Gateway} seq {Seq} refused: {Error}",
                    partition.PartitionId, group.Key, mine[position].Seq, error);
            }
            admitted.AddRange(admission.Admitted);
        }
        // Each gateway's records stay in their order (one partition key per gateway, uplink.md §4).
        return admitted;
    }

    private async Task StoreWithRetryAsync(List<IngestRecord> records, EventProcessorPartition partition, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                var admitted = await AdmitAsync(records, partition, cancellationToken);
                var result = await _store.StoreAsync(admitted, cancellationToken);
                _arrivals?.Notify(admitted, result); // the record feed applies them now
                _logger.LogDebug("Event Hubs partition {Partition}: {Stored} stored, {Duplicates} duplicate(s)", partition.PartitionId, result.Stored, result.Duplicates);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogError(e, "Event Hubs partition {Partition}: storing {Count} records failed; retrying in {Delay}", partition.PartitionId, records.Count, delay);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromSeconds(Math.Min(60, delay.TotalSeconds * 2));
            }
        }
    }

    private static EventProcessorCheckpoint ToSdk(PartitionCheckpoint c) => new()
    {
        FullyQualifiedNamespace = c.FullyQualifiedNamespace,
        EventHubName = c.EventHub,
        ConsumerGroup = c.ConsumerGroup,
        PartitionId = c.PartitionId,
        ClientIdentifier = c.ClientId,
        LastModified = DateTimeOffset.FromUnixTimeMilliseconds(c.LastModifiedMs),
        // Resume AFTER the checkpointed event (exclusive), preferring the offset like the SDK's blob store.
        StartingPosition = c.Offset is not null
            ? EventPosition.FromOffset(c.Offset, isInclusive: false)
            : EventPosition.FromSequenceNumber(c.SequenceNumber ?? -1, isInclusive: false),
    };

    private static EventProcessorPartitionOwnership ToSdk(PartitionOwnership o) => new()
    {
        FullyQualifiedNamespace = o.FullyQualifiedNamespace,
        EventHubName = o.EventHub,
        ConsumerGroup = o.ConsumerGroup,
        PartitionId = o.PartitionId,
        OwnerIdentifier = o.OwnerId,
        LastModifiedTime = DateTimeOffset.FromUnixTimeMilliseconds(o.LastModifiedMs),
        Version = o.Version,
    };
}
