using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;
using Edge.Cloud.Commissioning;
using Edge.Cloud.Audit;
using Edge.Cloud.Domain;
using Edge.Cloud.Gateways;
using Edge.Cloud.Ingestion;
using Edge.Cloud.Ingestion.EventHubs;
using Edge.Cloud.Storage;
using Edge.Cloud.Storage.Migrations;
using Edge.Cloud.Tests.Support;
using Edge.Cloud.Users;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Cloud.Tests.EventHubs;

/// <summary>
/// The Event Hubs adapter without an Event Hubs engine: events from the SDK's model factory are handed to the
/// processor's overridden methods directly (through <see cref="TestableProcessor"/>), and what they do is read
/// back from the database (SQLite).
/// </summary>
public sealed class EdgeEventProcessorTests : IAsyncLifetime
{
    private const string Gateway = "gw-igoumenitsa-1";
    private const string ConnectionString = "Endpoint=sb://edge-test.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=c2VjcmV0;EntityPath=uplink";
    private readonly TempDirectory _directory = new();
    private SqliteConnections _connections = null!;
    private TestableProcessor _processor = null!;
    private readonly RecordArrivals _arrivals = new();
    private readonly AdmissionCache _cache = new();

    public async Task InitializeAsync()
    {
        _connections = new SqliteConnections(Path.Combine(_directory.Path, "edge.db"));
        await new Migrator(_connections, [new IngestSchema(), new IntegritySchema(), new DomainSchema(), new UserSchema(), new CommissioningSchema(), new InventoryVersionSchema()], NullLogger<Migrator>.Instance).MigrateAsync();
        var gateways = new SqlGatewayStore(_connections);
        await gateways.AddAsync(new GatewayRegistration(Gateway, Gateway, GatewayTokens.Hash(GatewayTokens.NewToken()), 0));
        // The nodes the events speak for, assigned to the gateway (uplink.md §2 rule 7 applies here too).
        await using var connection = await _connections.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO nodes (id, site, type, gateway, updated_at) VALUES
              ('sl-0001', 'igoumenitsa', 'streetlight', 'gw-igoumenitsa-1', 0), ('sl-0002', 'igoumenitsa', 'streetlight', 'gw-igoumenitsa-1', 0)
            """;
        await command.ExecuteNonQueryAsync();
        _processor = NewProcessor();
    }

    public Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }

    private TestableProcessor NewProcessor() => new(
        new EventHubsOptions { ConnectionString = ConnectionString, ConsumerGroup = "cloud", BatchSize = 50 },
        new SqlEventHubCheckpointStore(_connections, TimeProvider.System),
        new SqliteIngestStore(_connections, TimeProvider.System),
        new SqlGatewayStore(_connections),
        new RecordAdmission(_connections, new AuditLog(_connections, TimeProvider.System), TimeProvider.System, Options.Create(new ClockOptions()), _cache, NullLogger<RecordAdmission>.Instance),
        new OutboxEpochs(_connections, new AuditLog(_connections, TimeProvider.System), TimeProvider.System, NullLogger<OutboxEpochs>.Instance),
        _arrivals);

    /// <summary>Exposes the protected processor members the Event Hubs engine would call.</summary>
    private sealed class TestableProcessor(EventHubsOptions options, IEventHubCheckpointStore checkpoints, IIngestStore store, IGatewayStore gateways, RecordAdmission admission, OutboxEpochs epochs,
        RecordArrivals arrivals)
        : EdgeEventProcessor(options, checkpoints, store, gateways, admission, epochs, NullLogger<EdgeEventProcessor>.Instance, arrivals)
    {
        public Task<IEnumerable<EventProcessorPartitionOwnership>> ClaimAsync(params EventProcessorPartitionOwnership[] desired) => ClaimOwnershipAsync(desired, CancellationToken.None);
        public Task<IEnumerable<EventProcessorPartitionOwnership>> ListOwnershipAsync() => ListOwnershipAsync(CancellationToken.None);
        public Task<IEnumerable<EventProcessorCheckpoint>> ListCheckpointsAsync() => ListCheckpointsAsync(CancellationToken.None);
        public Task<EventProcessorCheckpoint?> GetCheckpointAsync(string partitionId) => GetCheckpointAsync(partitionId, CancellationToken.None);
        public Task CheckpointAsync(string partitionId, EventData e) => UpdateCheckpointAsync(partitionId, CheckpointPosition.FromEvent(e), CancellationToken.None);
        public Task ProcessAsync(string partitionId, params EventData[] events) => OnProcessingEventBatchAsync(events, new Partition(partitionId), CancellationToken.None);
    }

    private sealed class Partition : EventProcessorPartition
    {
        public Partition(string id) => PartitionId = id;
    }

    private static EventData Event(JsonObject record, string gateway, long sequenceNumber, string? partitionKey = null)
    {
        record["v"] = 1;
        record["gateway"] = gateway;
        return EventHubsModelFactory.EventData(new BinaryData(record.ToJsonString()), partitionKey: partitionKey ?? gateway,
            sequenceNumber: sequenceNumber, offsetString: (sequenceNumber * 1024).ToString(), enqueuedTime: DateTimeOffset.FromUnixTimeSeconds(1767304800 + sequenceNumber));
    }

    private static EventData RawEvent(string body, long sequenceNumber) =>
        EventHubsModelFactory.EventData(new BinaryData(body), partitionKey: Gateway, sequenceNumber: sequenceNumber,
            offsetString: (sequenceNumber * 1024).ToString(), enqueuedTime: DateTimeOffset.FromUnixTimeSeconds(1767304800));

    private EventProcessorPartitionOwnership Ownership(string owner, string partition, string? version) => new()
    {
        FullyQualifiedNamespace = _processor.FullyQualifiedNamespace,
        EventHubName = _processor.EventHubName,
        ConsumerGroup = _processor.ConsumerGroup,
        PartitionId = partition,
        OwnerIdentifier = owner,
        Version = version,
    };

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = await _connections.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    [Fact]
    public void The_processor_reads_namespace_hub_and_group_from_its_options()
    {
        Assert.Equal(("edge-test.servicebus.windows.net", "uplink", "cloud"), (_processor.FullyQualifiedNamespace, _processor.EventHubName, _processor.ConsumerGroup));
    }

    [Fact]
    public async Task Ownership_claims_succeed_once_and_fail_on_a_stale_etag()
    {
        var both = (await _processor.ClaimAsync(Ownership("a", "0", null), Ownership("a", "1", null))).ToList();
        Assert.Equal(["0", "1"], both.Select(o => o.PartitionId).Order());
        var claimed = both.Single(o => o.PartitionId == "0");
        Assert.NotNull(claimed.Version);

        // Processor b tries to take partition 0 as unowned, then with a stale ETag: both fail.
        Assert.Empty(await _processor.ClaimAsync(Ownership("b", "0", null)));
        Assert.Empty(await _processor.ClaimAsync(Ownership("b", "0", "stale-etag")));
        // With the current ETag (what the SDK's load balancer does after listing) b takes it over.
        var taken = Assert.Single(await _processor.ClaimAsync(Ownership("b", "0", claimed.Version)));
        Assert.NotEqual(claimed.Version, taken.Version);
        // a's renewal with its old ETag now fails.
        Assert.Empty(await _processor.ClaimAsync(Ownership("a", "0", claimed.Version)));

        var listed = (await _processor.ListOwnershipAsync()).OrderBy(o => o.PartitionId).ToList();
        Assert.Equal([("0", "b", taken.Version), ("1", "a", listed[1].Version)], listed.Select(o => (o.PartitionId, o.OwnerIdentifier, o.Version)));
        Assert.All(listed, o => Assert.Equal(("edge-test.servicebus.windows.net", "uplink", "cloud"), (o.FullyQualifiedNamespace, o.EventHubName, o.ConsumerGroup)));
    }

    [Fact]
    public async Task A_checkpoint_round_trips_to_a_position_just_after_the_event()
    {
        var e = Event(Records.Streetlight(1, "sl-0001", 1767304800, 60), Gateway, sequenceNumber: 17);
        await _processor.CheckpointAsync("3", e);

        var listed = Assert.Single(await _processor.ListCheckpointsAsync());
        Assert.Equal("3", listed.PartitionId);
        Assert.Equal(EventPosition.FromOffset(e.OffsetString, isInclusive: false), listed.StartingPosition);
        Assert.Equal(_processor.Identifier, listed.ClientIdentifier);
        Assert.Equal(("edge-test.servicebus.windows.net", "uplink", "cloud"), (listed.FullyQualifiedNamespace, listed.EventHubName, listed.ConsumerGroup));
        Assert.Equal(listed.StartingPosition, (await _processor.GetCheckpointAsync("3"))!.StartingPosition);
        Assert.Null(await _processor.GetCheckpointAsync("4"));

        // A new processor instance (a restart) resumes from the same place.
        Assert.Equal(listed.StartingPosition, Assert.Single(await NewProcessor().ListCheckpointsAsync()).StartingPosition);
    }

    [Fact]
    public async Task A_batch_stores_valid_events_once_skips_bad_ones_and_checkpoints_its_last_event()
    {
        var badLevel = Records.Streetlight(3, "sl-0001", 1767304800, 60);
        badLevel["payload"]!["level"] = 140;
        var batch = new[]
        {
            Event(Records.Streetlight(1, "sl-0001", 1767304800, 60), Gateway, 100),
            Event(Records.Streetlight(1, "sl-0001", 1767304800, 60), Gateway, 101),          // duplicate (gateway re-sent it)
            Event(badLevel, Gateway, 102),                                                     // invalid record
            Event(Records.Streetlight(4, "sl-0009", 1767304800, 60), "gw-unknown", 103),       // unregistered gateway
            Event(Records.Streetlight(5, "sl-0001", 1767304800, 60), Gateway, 104, partitionKey: "gw-other"), // key ≠ gateway
            RawEvent("{not json", 105),
            Event(Records.LampFault(2, "sl-0002", 1767304801), Gateway, 106),
        };

        await _processor.ProcessAsync("0", batch);

        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM records"));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM telemetry"));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM events WHERE kind = 'lamp.fault'"));
        Assert.Equal(4, _processor.RejectedEvents);
        var checkpoint = Assert.Single(await _processor.ListCheckpointsAsync());
        Assert.Equal(EventPosition.FromOffset(batch[^1].OffsetString, isInclusive: false), checkpoint.StartingPosition);

        // Replaying the batch (e.g. after a crash before the checkpoint) stores nothing new.
        await _processor.ProcessAsync("0", batch);
        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM records"));
    }

    [Fact]
    public async Task Storing_new_events_wakes_the_record_feed_and_a_batch_of_duplicates_does_not()
    {
        var first = _arrivals.Next;
        await _processor.ProcessAsync("0", Event(Records.Streetlight(1, "sl-0001", 1767304800, 60), Gateway, 300));
        Assert.True(first.IsCompletedSuccessfully);

        var second = _arrivals.Next;
        Assert.False(second.IsCompleted);
        await _processor.ProcessAsync("0", Event(Records.Streetlight(1, "sl-0001", 1767304800, 60), Gateway, 301)); // the same record again
        Assert.False(second.IsCompleted);
    }

    [Fact]
    public async Task New_events_are_held_for_the_record_feed_and_a_batch_with_a_duplicate_is_read_back()
    {
        await _processor.ProcessAsync("0", Event(Records.Streetlight(1, "sl-0001", 1767304800, 60), Gateway, 300));
        var held = _arrivals.TakeHeld(Gateway, "");
        Assert.True(held.Complete);
        var record = Assert.Single(held.Records);
        Assert.Equal((1L, "telemetry", "streetlight", (string?)null), (record.Seq, record.Kind, record.TelemetryType, record.Payload));

        // Seq 1 again with a new seq 2: stored, but not held (the feed reads the stream back).
        await _processor.ProcessAsync("0", Event(Records.Streetlight(1, "sl-0001", 1767304800, 60), Gateway, 301),
            Event(Records.Streetlight(2, "sl-0001", 1767304860, 60), Gateway, 302));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM records WHERE seq = 2"));
        var mixed = _arrivals.TakeHeld(Gateway, "");
        Assert.False(mixed.Complete);
        Assert.Empty(mixed.Records);
    }

    [Fact]
    public async Task Events_carry_their_outbox_epoch_and_pass_the_same_admission_as_batches()
    {
        var reset = Records.Streetlight(1, "sl-0001", 1767304800, 60);
        reset["epoch"] = "1767304000-00ff00ff00ff00ff";
        var batch = new[]
        {
            Event(Records.Streetlight(1, "sl-0001", 1767304800, 60), Gateway, 200),
            Event(reset, Gateway, 201),                                               // seq 1 again, new outbox: stored
            Event(Records.Streetlight(2, "sl-0003", 1767304800, 60), Gateway, 202),   // a node not assigned to the gateway
            Event(Records.Streetlight(3, "sl-0002", DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600, 60), Gateway, 203), // an hour ahead
        };

        await _processor.ProcessAsync("0", batch);

        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM records WHERE seq = 1"));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM records WHERE epoch = '1767304000-00ff00ff00ff00ff'"));
        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM records"));
        Assert.Equal(2, _processor.RejectedEvents);
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM alarms WHERE kind = 'gateway.storage-reset'"));
    }

    [Fact]
    public async Task Events_of_known_nodes_are_admitted_from_the_cache_until_the_inventory_changes()
    {
        await _processor.ProcessAsync("0", Event(Records.Streetlight(1, "sl-0001", 1767304800, 60), Gateway, 400), Event(Records.Streetlight(2, "sl-0002", 1767304800, 60), Gateway, 401));
        Assert.Equal(2, _cache.Count); // both nodes kept: the next batch of them reads the inventory's version alone
        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM records"));

        // sl-0002 moves to another gateway (by another process, say): the version moves, the next batch sees it.
        await using (var connection = await _connections.OpenAsync())
        await using (var move = connection.CreateCommand())
        {
            move.CommandText = "UPDATE nodes SET gateway = 'gw-elsewhere' WHERE id = 'sl-0002'";
            await move.ExecuteNonQueryAsync();
        }
        await _processor.ProcessAsync("0", Event(Records.Streetlight(3, "sl-0001", 1767304810, 60), Gateway, 402), Event(Records.Streetlight(4, "sl-0002", 1767304810, 60), Gateway, 403));

        Assert.Equal(3, await CountAsync("SELECT COUNT(*) FROM records"));
        Assert.Equal(1, _processor.RejectedEvents);
    }

    [Fact]
    public async Task Events_with_invalid_utf8_are_skipped_and_the_rest_of_the_batch_is_stored()
    {
        static EventData Poisoned(JsonObject record, string marker, long sequenceNumber)
        {
            record["v"] = 1;
            record["gateway"] = Gateway;
            var json = record.ToJsonString();
            var at = json.IndexOf(marker, StringComparison.Ordinal);
            // 0xED 0xA0 0x80: the surrogate U+D800 encoded in UTF-8, which is not UTF-8 (RFC 3629).
            byte[] body = [.. Encoding.UTF8.GetBytes(json[..at]), 0xED, 0xA0, 0x80, .. Encoding.UTF8.GetBytes(json[(at + marker.Length)..])];
            return EventHubsModelFactory.EventData(new BinaryData(body), partitionKey: Gateway, sequenceNumber: sequenceNumber,
                offsetString: (sequenceNumber * 1024).ToString(), enqueuedTime: DateTimeOffset.FromUnixTimeSeconds(1767304800));
        }
        var inPayload = Records.Streetlight(2, "sl-0001", 1767304800, 60);
        inPayload["payload"]!["source"] = "POISON";
        var inSite = Records.Streetlight(3, "sl-0001", 1767304800, 60);
        inSite["site"] = "POISON";

        await _processor.ProcessAsync("0",
            Event(Records.Streetlight(1, "sl-0001", 1767304800, 60), Gateway, 200),
            Poisoned(inPayload, "POISON", 201),
            Poisoned(inSite, "POISON", 202),
            Event(Records.LampFault(4, "sl-0002", 1767304801), Gateway, 203));

        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM records"));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM records WHERE seq IN (2, 3)"));
        Assert.Equal(2, _processor.RejectedEvents);
    }

    [Fact]
    public async Task An_empty_batch_changes_nothing()
    {
        await _processor.ProcessAsync("0");
        Assert.Empty(await _processor.ListCheckpointsAsync());
    }
}
