using System.Collections.Generic;
using Edge.Cloud.Storage.Migrations;

namespace Edge.Cloud.Alarms;

/// <summary>
/// The record feed's checkpoint per outbox epoch (migration 130, after the domain schema that created
/// <c>record_feed</c>): a gateway's sequence starts again in a new epoch, so one checkpoint per gateway would skip
/// every record of the new epoch. Existing checkpoints belong to the empty epoch (docs/cloud.md §Alarms).
/// </summary>
public sealed class FeedEpochSchema : IMigrationSource
{
    private const string Sql = """
        CREATE TABLE record_feed_epoch (
          gateway TEXT NOT NULL,
          epoch TEXT NOT NULL,
          seq BIGINT NOT NULL,
          PRIMARY KEY (gateway, epoch)
        );
        INSERT INTO record_feed_epoch (gateway, epoch, seq) SELECT gateway, '', seq FROM record_feed;
        DROP TABLE record_feed;
        ALTER TABLE record_feed_epoch RENAME TO record_feed;
        """;

    public IEnumerable<Migration> Migrations { get; } = new[] { new Migration(130, "record feed per outbox epoch", Sql, Sql) };
}
