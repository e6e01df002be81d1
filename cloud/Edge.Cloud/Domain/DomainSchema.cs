using System.Collections.Generic;
using Edge.Cloud.Storage.Migrations;

namespace Edge.Cloud.Domain;

/// <summary>
/// The domain schema (versions 100–199, docs/cloud.md §Domain): inventory, lighting profiles, desired configs
/// and displays, flood rules, commands, alarms, the desired-change log the downlink long poll reads, and the
/// record feed's checkpoints. Documents are JSON text in both providers (the cloud writes them, nobody
/// queries inside them). Booleans are 0/1 integers so one SQL text fits both.
/// </summary>
public sealed class DomainSchema : IMigrationSource
{
    private const string Tables = """
        CREATE TABLE sites (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          tz TEXT NOT NULL,
          updated_at BIGINT NOT NULL
        );
        CREATE TABLE zones (
          id TEXT PRIMARY KEY,
          site TEXT NOT NULL,
          name TEXT NOT NULL,
          updated_at BIGINT NOT NULL
        );
        CREATE TABLE node_groups (
          id TEXT PRIMARY KEY,
          site TEXT NOT NULL,
          name TEXT NOT NULL,
          profile TEXT NULL,
          updated_at BIGINT NOT NULL
        );
        CREATE TABLE nodes (
          id TEXT PRIMARY KEY,
          site TEXT NOT NULL,
          type TEXT NOT NULL,
          gateway TEXT NULL,
          model TEXT NULL,
          firmware TEXT NULL,
          lat {REAL} NULL,
          lon {REAL} NULL,
          pole TEXT NULL,
          zone TEXT NULL,
          grp TEXT NULL,
          installed_by TEXT NULL,
          installed_at BIGINT NULL,
          profile TEXT NULL,
          gauge_config TEXT NULL,
          busstop_config TEXT NULL,
          secret_hash TEXT NULL,
          removed INTEGER NOT NULL DEFAULT 0,
          updated_at BIGINT NOT NULL
        );
        CREATE INDEX nodes_gateway ON nodes (gateway);
        CREATE INDEX nodes_grp ON nodes (grp);
        CREATE TABLE profiles (
          id TEXT PRIMARY KEY,
          document TEXT NOT NULL,
          updated_at BIGINT NOT NULL,
          updated_by TEXT NOT NULL
        );
        CREATE TABLE desired_configs (
          node TEXT PRIMARY KEY,
          version BIGINT NOT NULL,
          document TEXT NULL,
          issued BIGINT NOT NULL
        );
        CREATE TABLE displays (
          node TEXT PRIMARY KEY,
          version BIGINT NOT NULL,
          document TEXT NOT NULL,
          updated_at BIGINT NOT NULL
        );
        CREATE TABLE flood_rules (
          id TEXT PRIMARY KEY,
          zone TEXT NOT NULL,
          document TEXT NOT NULL,
          updated_at BIGINT NOT NULL
        );
        CREATE TABLE commands (
          id TEXT PRIMARY KEY,
          node TEXT NOT NULL,
          gateway TEXT NULL,
          kind TEXT NOT NULL,
          args TEXT NOT NULL,
          issued BIGINT NOT NULL,
          expires BIGINT NOT NULL,
          status TEXT NOT NULL,
          issued_by TEXT NOT NULL,
          delivered_at BIGINT NULL,
          result TEXT NULL,
          result_at BIGINT NULL,
          message TEXT NULL
        );
        CREATE INDEX commands_node ON commands (node, issued);
        CREATE INDEX commands_status ON commands (status, expires);
        CREATE TABLE record_feed (
          gateway TEXT PRIMARY KEY,
          seq BIGINT NOT NULL
        );
        CREATE TABLE gateway_polls (
          gateway TEXT PRIMARY KEY,
          last_poll_at BIGINT NOT NULL
        );
        """;

    private const string Sequenced = """
        CREATE TABLE alarms (
          id {ID},
          site TEXT NULL,
          node TEXT NULL,
          gateway TEXT NULL,
          kind TEXT NOT NULL,
          alarm_key TEXT NOT NULL,
          severity TEXT NOT NULL,
          status TEXT NOT NULL,
          message TEXT NOT NULL,
          raised_at BIGINT NOT NULL,
          updated_at BIGINT NOT NULL,
          acknowledged_by TEXT NULL,
          acknowledged_at BIGINT NULL,
          cleared_at BIGINT NULL
        );
        CREATE INDEX alarms_status ON alarms (status, id);
        CREATE INDEX alarms_key ON alarms (alarm_key, status);
        CREATE TABLE desired_changes (
          seq {ID},
          gateway TEXT NOT NULL,
          kind TEXT NOT NULL,
          item TEXT NOT NULL,
          at BIGINT NOT NULL
        );
        CREATE INDEX desired_changes_gateway ON desired_changes (gateway, seq);
        """;

    public IEnumerable<Migration> Migrations { get; } = new[]
    {
        new Migration(100, "domain schema",
            Tables.Replace("{REAL}", "REAL") + Sequenced.Replace("{ID}", "INTEGER PRIMARY KEY AUTOINCREMENT"),
            Tables.Replace("{REAL}", "DOUBLE PRECISION") + Sequenced.Replace("{ID}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")),
        // With the table it guards: every process that stores alarms has the index its raises rely on.
        new Migration(131, "one active alarm per condition", Alarms.ActiveAlarmSchema.Sql, Alarms.ActiveAlarmSchema.Sql),
        // A street lamp's rated power in W (null: unknown, the energy report's default applies).
        new Migration(207, "street lamp rated power", "ALTER TABLE nodes ADD COLUMN rated_watts REAL NULL;",
            "ALTER TABLE nodes ADD COLUMN rated_watts DOUBLE PRECISION NULL;"),
        // Who cleared an alarm by hand (null: its condition cleared it, or it is not cleared).
        new Migration(208, "who cleared an alarm", "ALTER TABLE alarms ADD COLUMN cleared_by TEXT NULL;", "ALTER TABLE alarms ADD COLUMN cleared_by TEXT NULL;"),
    };
}
