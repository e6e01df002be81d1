using System.Collections.Generic;

namespace Edge.Cloud.Storage.Migrations;

/// <summary>
/// Ingestion integrity (docs/cloud.md §Ingestion integrity): the clock error measured per gateway (10), and
/// outbox epochs (11): the idempotency key of <c>records</c> and <c>events</c> becomes
/// <c>(gateway, epoch, seq)</c> — a gateway whose outbox was recreated starts its sequence again under a new
/// epoch — and <c>gateway_epochs</c> lists the epochs seen per gateway. Rows stored before carry the empty
/// epoch, which is also what a batch without <c>epoch</c> means (docs/uplink.md §2); and the cursor per record
/// stream of <see cref="Storage.NodeStateFeed"/> (12). A source of its own so that suites migrating only the
/// ingestion tables add it explicitly.
/// </summary>
public sealed class IntegritySchema : IMigrationSource
{
    private const string Clock = """
        CREATE TABLE gateway_clock (
          gateway TEXT PRIMARY KEY,
          offset_s BIGINT NOT NULL,
          measured_at BIGINT NOT NULL
        );
        """;

    private const string EpochsTable = """
        CREATE TABLE gateway_epochs (
          gateway TEXT NOT NULL,
          epoch TEXT NOT NULL,
          first_seen_at BIGINT NOT NULL,
          PRIMARY KEY (gateway, epoch)
        );
        INSERT INTO gateway_epochs (gateway, epoch, first_seen_at) SELECT gateway, '', MIN(stored_at) FROM records GROUP BY gateway;
        """;

    // SQLite cannot change a primary key in place: the two tables are rebuilt (and their indexes recreated).
    private const string SqliteEpochs = """
        CREATE TABLE records_epoch (
          gateway TEXT NOT NULL,
          epoch TEXT NOT NULL DEFAULT '',
          seq INTEGER NOT NULL,
          node TEXT NULL,
          site TEXT NOT NULL,
          kind TEXT NOT NULL,
          received_at INTEGER NOT NULL,
          stored_at INTEGER NOT NULL,
          payload TEXT NOT NULL,
          PRIMARY KEY (gateway, epoch, seq)
        );
        INSERT INTO records_epoch (gateway, epoch, seq, node, site, kind, received_at, stored_at, payload)
          SELECT gateway, '', seq, node, site, kind, received_at, stored_at, payload FROM records;
        DROP TABLE records;
        ALTER TABLE records_epoch RENAME TO records;
        CREATE TABLE events_epoch (
          gateway TEXT NOT NULL,
          epoch TEXT NOT NULL DEFAULT '',
          seq INTEGER NOT NULL,
          site TEXT NOT NULL,
          node TEXT NULL,
          ts INTEGER NOT NULL,
          record_kind TEXT NOT NULL,
          kind TEXT NOT NULL,
          command_id TEXT NULL,
          payload TEXT NOT NULL,
          PRIMARY KEY (gateway, epoch, seq)
        );
        INSERT INTO events_epoch (gateway, epoch, seq, site, node, ts, record_kind, kind, command_id, payload)
          SELECT gateway, '', seq, site, node, ts, record_kind, kind, command_id, payload FROM events;
        DROP TABLE events;
        ALTER TABLE events_epoch RENAME TO events;
        CREATE INDEX events_node_ts ON events (site, node, ts);
        CREATE INDEX events_kind_ts ON events (kind, ts);
        CREATE INDEX events_command ON events (command_id) WHERE command_id IS NOT NULL;
        """ + EpochsTable;

    private const string PostgresEpochs = """
        ALTER TABLE records ADD COLUMN epoch TEXT NOT NULL DEFAULT '';
        ALTER TABLE records DROP CONSTRAINT records_pkey;
        ALTER TABLE records ADD PRIMARY KEY (gateway, epoch, seq);
        ALTER TABLE events ADD COLUMN epoch TEXT NOT NULL DEFAULT '';
        ALTER TABLE events DROP CONSTRAINT events_pkey;
        ALTER TABLE events ADD PRIMARY KEY (gateway, epoch, seq);
        """ + EpochsTable;

    // The cursor of NodeStateFeed per record stream. Records stored before this had their node state written by
    // ingestion itself, so each stream starts at its last seq.
    private const string NodeStateFeed = """
        CREATE TABLE node_state_feed (
          gateway TEXT NOT NULL,
          epoch TEXT NOT NULL,
          seq BIGINT NOT NULL,
          PRIMARY KEY (gateway, epoch)
        );
        INSERT INTO node_state_feed (gateway, epoch, seq) SELECT gateway, epoch, MAX(seq) FROM records GROUP BY gateway, epoch;
        """;

    public IEnumerable<Migration> Migrations { get; } = new[]
    {
        new Migration(10, "gateway clock", Clock, Clock),
        new Migration(11, "outbox epochs", SqliteEpochs, PostgresEpochs),
        new Migration(12, "node state feed", NodeStateFeed, NodeStateFeed),
    };
}
