using System.Collections.Generic;

namespace Edge.Cloud.Storage.Migrations;

/// <summary>
/// The ingestion schema (docs/cloud.md §Storage): gateways, the idempotency log of records, derived
/// telemetry / events / latest node state, and Event Hubs checkpoints. Instants are Unix seconds
/// (<c>BIGINT</c>) like everywhere in Edge; payloads are the JSON as received (TEXT in SQLite, JSONB in
/// PostgreSQL). In PostgreSQL telemetry is range-partitioned by month on <c>ts</c>; partitions are created
/// on demand by the store (<see cref="TelemetryPartitions"/>).
/// </summary>
public sealed class IngestSchema : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } = new[]
    {
        new Migration(1, "ingest schema", Sqlite: """
            CREATE TABLE gateways (
              id TEXT PRIMARY KEY,
              name TEXT NOT NULL,
              token_hash TEXT NOT NULL UNIQUE,
              created_at INTEGER NOT NULL
            );
            CREATE TABLE records (
              gateway TEXT NOT NULL,
              seq INTEGER NOT NULL,
              node TEXT NULL,
              site TEXT NOT NULL,
              kind TEXT NOT NULL,
              received_at INTEGER NOT NULL,
              stored_at INTEGER NOT NULL,
              payload TEXT NOT NULL,
              PRIMARY KEY (gateway, seq)
            );
            CREATE TABLE telemetry (
              site TEXT NOT NULL,
              node TEXT NOT NULL,
              ts INTEGER NOT NULL,
              type TEXT NOT NULL,
              gateway TEXT NOT NULL,
              seq INTEGER NOT NULL,
              level INTEGER NULL,
              watts REAL NULL,
              volts REAL NULL,
              energy_wh INTEGER NULL,
              lux REAL NULL,
              level_mm INTEGER NULL,
              rate_mm_h INTEGER NULL,
              flood_state TEXT NULL,
              battery_v REAL NULL,
              content_version INTEGER NULL,
              payload TEXT NOT NULL
            );
            CREATE INDEX telemetry_node_ts ON telemetry (site, node, ts);
            CREATE INDEX telemetry_ts ON telemetry (ts);
            CREATE TABLE events (
              gateway TEXT NOT NULL,
              seq INTEGER NOT NULL,
              site TEXT NOT NULL,
              node TEXT NULL,
              ts INTEGER NOT NULL,
              record_kind TEXT NOT NULL,
              kind TEXT NOT NULL,
              command_id TEXT NULL,
              payload TEXT NOT NULL,
              PRIMARY KEY (gateway, seq)
            );
            CREATE INDEX events_node_ts ON events (site, node, ts);
            CREATE INDEX events_kind_ts ON events (kind, ts);
            CREATE INDEX events_command ON events (command_id) WHERE command_id IS NOT NULL;
            CREATE TABLE node_state (
              site TEXT NOT NULL,
              node TEXT NOT NULL,
              gateway TEXT NOT NULL,
              last_seen INTEGER NOT NULL,
              type TEXT NULL,
              status TEXT NULL,
              online INTEGER NULL,
              config_version INTEGER NULL,
              display_version INTEGER NULL,
              fw TEXT NULL,
              state_at INTEGER NULL,
              state TEXT NULL,
              PRIMARY KEY (site, node)
            );
            CREATE TABLE eventhub_ownership (
              namespace TEXT NOT NULL,
              event_hub TEXT NOT NULL,
              consumer_group TEXT NOT NULL,
              partition_id TEXT NOT NULL,
              owner_id TEXT NOT NULL,
              last_modified_ms INTEGER NOT NULL,
              version TEXT NOT NULL,
              PRIMARY KEY (namespace, event_hub, consumer_group, partition_id)
            );
            CREATE TABLE eventhub_checkpoints (
              namespace TEXT NOT NULL,
              event_hub TEXT NOT NULL,
              consumer_group TEXT NOT NULL,
              partition_id TEXT NOT NULL,
              "offset" TEXT NULL,
              sequence_number INTEGER NULL,
              client_id TEXT NULL,
              last_modified_ms INTEGER NOT NULL,
              PRIMARY KEY (namespace, event_hub, consumer_group, partition_id)
            );
            """, Postgres: """
            CREATE TABLE gateways (
              id TEXT PRIMARY KEY,
              name TEXT NOT NULL,
              token_hash TEXT NOT NULL UNIQUE,
              created_at BIGINT NOT NULL
            );
            CREATE TABLE records (
              gateway TEXT NOT NULL,
              seq BIGINT NOT NULL,
              node TEXT NULL,
              site TEXT NOT NULL,
              kind TEXT NOT NULL,
              received_at BIGINT NOT NULL,
              stored_at BIGINT NOT NULL,
              payload JSONB NOT NULL,
              PRIMARY KEY (gateway, seq)
            );
            CREATE TABLE telemetry (
              site TEXT NOT NULL,
              node TEXT NOT NULL,
              ts BIGINT NOT NULL,
              type TEXT NOT NULL,
              gateway TEXT NOT NULL,
              seq BIGINT NOT NULL,
              level INTEGER NULL,
              watts DOUBLE PRECISION NULL,
              volts DOUBLE PRECISION NULL,
              energy_wh BIGINT NULL,
              lux DOUBLE PRECISION NULL,
              level_mm INTEGER NULL,
              rate_mm_h INTEGER NULL,
              flood_state TEXT NULL,
              battery_v DOUBLE PRECISION NULL,
              content_version BIGINT NULL,
              payload JSONB NOT NULL
            ) PARTITION BY RANGE (ts);
            CREATE INDEX telemetry_node_ts ON telemetry (site, node, ts);
            CREATE TABLE events (
              gateway TEXT NOT NULL,
              seq BIGINT NOT NULL,
              site TEXT NOT NULL,
              node TEXT NULL,
              ts BIGINT NOT NULL,
              record_kind TEXT NOT NULL,
              kind TEXT NOT NULL,
              command_id TEXT NULL,
              payload JSONB NOT NULL,
              PRIMARY KEY (gateway, seq)
            );
            CREATE INDEX events_node_ts ON events (site, node, ts);
            CREATE INDEX events_kind_ts ON events (kind, ts);
            CREATE INDEX events_command ON events (command_id) WHERE command_id IS NOT NULL;
            CREATE TABLE node_state (
              site TEXT NOT NULL,
              node TEXT NOT NULL,
              gateway TEXT NOT NULL,
              last_seen BIGINT NOT NULL,
              type TEXT NULL,
              status TEXT NULL,
              online BOOLEAN NULL,
              config_version BIGINT NULL,
              display_version BIGINT NULL,
              fw TEXT NULL,
              state_at BIGINT NULL,
              state JSONB NULL,
              PRIMARY KEY (site, node)
            );
            CREATE TABLE eventhub_ownership (
              namespace TEXT NOT NULL,
              event_hub TEXT NOT NULL,
              consumer_group TEXT NOT NULL,
              partition_id TEXT NOT NULL,
              owner_id TEXT NOT NULL,
              last_modified_ms BIGINT NOT NULL,
              version TEXT NOT NULL,
              PRIMARY KEY (namespace, event_hub, consumer_group, partition_id)
            );
            CREATE TABLE eventhub_checkpoints (
              namespace TEXT NOT NULL,
              event_hub TEXT NOT NULL,
              consumer_group TEXT NOT NULL,
              partition_id TEXT NOT NULL,
              "offset" TEXT NULL,
              sequence_number BIGINT NULL,
              client_id TEXT NULL,
              last_modified_ms BIGINT NOT NULL,
              PRIMARY KEY (namespace, event_hub, consumer_group, partition_id)
            );
            """),
        // PostgreSQL: every stored batch rewrites the node_state row of each of its nodes. node_state has only its
        // primary key and an update never changes it, so the new row version can stay on the same page (a HOT
        // update, no index entry) — if the page has room. Half-empty pages leave that room; the table is small
        // (one row per node). Pages written before this keep their fill until rewritten. SQLite: nothing to do.
        new Migration(2, "node_state fillfactor", Sqlite: "SELECT 1", Postgres: "ALTER TABLE node_state SET (fillfactor = 50)"),
        // The street lights' energy counters summed per lamp and local day, for the monthly energy report; the stores
        // drop a kept day when a late reading arrives for it (EnergyDays).
        new Migration(3, "energy day sums", EnergyDays.Schema, EnergyDays.Schema),
    };
}
