using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Cloud.Storage;

/// <summary><see cref="IEventHubCheckpointStore"/> in plain SQL that both providers run unchanged.</summary>
public sealed class SqlEventHubCheckpointStore : IEventHubCheckpointStore
{
    private const string Key = "namespace = @namespace AND event_hub = @event_hub AND consumer_group = @consumer_group";

    private readonly IStorageConnections _connections;
    private readonly TimeProvider _time;

    public SqlEventHubCheckpointStore(IStorageConnections connections, TimeProvider time)
    {
        _connections = connections;
        _time = time;
    }

    public async Task<IReadOnlyList<PartitionOwnership>> ListOwnershipAsync(string fullyQualifiedNamespace, string eventHub, string consumerGroup, CancellationToken cancellationToken = default)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT partition_id, owner_id, last_modified_ms, version FROM eventhub_ownership WHERE {Key} ORDER BY partition_id";
        AddKey(command, fullyQualifiedNamespace, eventHub, consumerGroup);
        var list = new List<PartitionOwnership>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new PartitionOwnership(fullyQualifiedNamespace, eventHub, consumerGroup,
                reader.GetString(0), reader.GetString(1), Convert.ToInt64(reader.GetValue(2)), reader.GetString(3)));
        }
        return list;
    }

    public async Task<IReadOnlyList<PartitionOwnership>> ClaimOwnershipAsync(IEnumerable<PartitionOwnership> desired, CancellationToken cancellationToken = default)
    {
        var claimed = new List<PartitionOwnership>();
        await using var connection = await _connections.OpenAsync(cancellationToken);
        foreach (var wish in desired)
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var version = Guid.NewGuid().ToString("N");
            await using var command = connection.CreateCommand();
            command.CommandText = wish.Version is null
                ? """
                  INSERT INTO eventhub_ownership (namespace, event_hub, consumer_group, partition_id, owner_id, last_modified_ms, version)
                  VALUES (@namespace, @event_hub, @consumer_group, @partition_id, @owner_id, @now, @version)
                  ON CONFLICT (namespace, event_hub, consumer_group, partition_id) DO NOTHING
                  """
                : $"""
                  UPDATE eventhub_ownership SET owner_id = @owner_id, last_modified_ms = @now, version = @version
                  WHERE {Key} AND partition_id = @partition_id AND version = @expected
                  """;
            AddKey(command, wish.FullyQualifiedNamespace, wish.EventHub, wish.ConsumerGroup);
            command.Add("partition_id", wish.PartitionId);
            command.Add("owner_id", wish.OwnerId);
            command.Add("now", now);
            command.Add("version", version);
            if (wish.Version is not null) command.Add("expected", wish.Version);
            // One row changed = our ETag matched (or the partition was unowned); zero = someone else won.
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                claimed.Add(wish with { LastModifiedMs = now, Version = version });
            }
        }
        return claimed;
    }

    public async Task<IReadOnlyList<PartitionCheckpoint>> ListCheckpointsAsync(string fullyQualifiedNamespace, string eventHub, string consumerGroup, CancellationToken cancellationToken = default)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT partition_id, \"offset\", sequence_number, client_id, last_modified_ms FROM eventhub_checkpoints WHERE {Key} ORDER BY partition_id";
        AddKey(command, fullyQualifiedNamespace, eventHub, consumerGroup);
        return await ReadCheckpointsAsync(command, fullyQualifiedNamespace, eventHub, consumerGroup, cancellationToken);
    }

    public async Task<PartitionCheckpoint?> GetCheckpointAsync(string fullyQualifiedNamespace, string eventHub, string consumerGroup, string partitionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT partition_id, \"offset\", sequence_number, client_id, last_modified_ms FROM eventhub_checkpoints WHERE {Key} AND partition_id = @partition_id";
        AddKey(command, fullyQualifiedNamespace, eventHub, consumerGroup);
        command.Add("partition_id", partitionId);
        var list = await ReadCheckpointsAsync(command, fullyQualifiedNamespace, eventHub, consumerGroup, cancellationToken);
        return list.Count == 0 ? null : list[0];
    }

    public async Task UpdateCheckpointAsync(PartitionCheckpoint checkpoint, CancellationToken cancellationToken = default)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO eventhub_checkpoints (namespace, event_hub, consumer_group, partition_id, "offset", sequence_number, client_id, last_modified_ms)
            VALUES (@namespace, @event_hub, @consumer_group, @partition_id, @offset, @sequence_number, @client_id, @now)
            ON CONFLICT (namespace, event_hub, consumer_group, partition_id) DO UPDATE SET
              "offset" = excluded."offset", sequence_number = excluded.sequence_number,
              client_id = excluded.client_id, last_modified_ms = excluded.last_modified_ms
            """;
        AddKey(command, checkpoint.FullyQualifiedNamespace, checkpoint.EventHub, checkpoint.ConsumerGroup);
        command.Add("partition_id", checkpoint.PartitionId);
        command.Add("offset", checkpoint.Offset);
        command.Add("sequence_number", checkpoint.SequenceNumber);
        command.Add("client_id", checkpoint.ClientId);
        command.Add("now", _time.GetUtcNow().ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<IReadOnlyList<PartitionCheckpoint>> ReadCheckpointsAsync(DbCommand command, string ns, string hub, string group, CancellationToken cancellationToken)
    {
        var list = new List<PartitionCheckpoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new PartitionCheckpoint(ns, hub, group, reader.GetString(0), reader.NullableString(1),
                reader.NullableInt64(2), reader.NullableString(3), Convert.ToInt64(reader.GetValue(4))));
        }
        return list;
    }

    private static void AddKey(DbCommand command, string ns, string hub, string group)
    {
        command.Add("namespace", ns);
        command.Add("event_hub", hub);
        command.Add("consumer_group", group);
    }
}
