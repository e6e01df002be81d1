using System.Collections.Generic;
using Edge.Cloud.Storage.Migrations;

namespace Edge.Cloud.Commissioning;

/// <summary>
/// Commissioning results (migration 145): one row per self-test an installer ran on a node — who, when, where,
/// the pole, pass or fail, the figures (JSON text) — newest last; and device replacements (old node, new node, pole),
/// which move the pole's commissioning history to the new device. Migration 147 adds the self-test runs the cloud
/// drives (<see cref="SelfTestRuns"/>: steps as they happen, then the verdict) and a result's optional photo.
/// </summary>
public sealed class CommissioningSchema : IMigrationSource
{
    private const string Table = """
        CREATE TABLE node_commissioning (
          id {ID},
          node TEXT NOT NULL,
          site TEXT NOT NULL,
          at BIGINT NOT NULL,
          actor TEXT NOT NULL,
          passed BIGINT NOT NULL,
          summary TEXT NOT NULL,
          figures TEXT NOT NULL,
          lat {REAL} NULL,
          lon {REAL} NULL,
          accuracy_m {REAL} NULL,
          pole TEXT NULL
        );
        CREATE INDEX node_commissioning_node ON node_commissioning (node, id);
        CREATE TABLE node_replacements (
          id {ID},
          old_node TEXT NOT NULL,
          new_node TEXT NOT NULL,
          site TEXT NOT NULL,
          pole TEXT NULL,
          at BIGINT NOT NULL,
          actor TEXT NOT NULL
        );
        """;

    private const string Runs = """
        ALTER TABLE node_commissioning ADD COLUMN photo {BLOB} NULL;
        CREATE TABLE self_test_runs (
          id {ID},
          node TEXT NOT NULL,
          site TEXT NOT NULL,
          type TEXT NOT NULL,
          actor TEXT NOT NULL,
          started_at BIGINT NOT NULL,
          deadline BIGINT NOT NULL,
          finished_at BIGINT NULL,
          status TEXT NOT NULL,
          steps TEXT NOT NULL,
          summary TEXT NULL,
          figures TEXT NULL,
          result BIGINT NULL,
          request TEXT NOT NULL
        );
        CREATE INDEX self_test_runs_node ON self_test_runs (node, id);
        """;

    public IEnumerable<Migration> Migrations { get; } = new[]
    {
        new Migration(145, "node commissioning results",
            Table.Replace("{ID}", "INTEGER PRIMARY KEY AUTOINCREMENT").Replace("{REAL}", "REAL"),
            Table.Replace("{ID}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY").Replace("{REAL}", "DOUBLE PRECISION")),
        new Migration(147, "self-test runs and commissioning photos",
            Runs.Replace("{ID}", "INTEGER PRIMARY KEY AUTOINCREMENT").Replace("{BLOB}", "BLOB"),
            Runs.Replace("{ID}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY").Replace("{BLOB}", "BYTEA")),
    };
}
