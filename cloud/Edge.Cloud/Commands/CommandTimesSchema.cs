using System.Collections.Generic;
using Edge.Cloud.Storage.Migrations;

namespace Edge.Cloud.Commands;

/// <summary>
/// A command's issue, delivery and outcome times in Unix milliseconds (migration 140): a command now travels to its
/// node and back in well under a second, which the whole-second <c>issued</c>, <c>delivered_at</c> and
/// <c>result_at</c> cannot show. Null for commands issued before this migration.
/// </summary>
public sealed class CommandTimesSchema : IMigrationSource
{
    private const string Sql = """
        ALTER TABLE commands ADD COLUMN issued_ms BIGINT NULL;
        ALTER TABLE commands ADD COLUMN delivered_ms BIGINT NULL;
        ALTER TABLE commands ADD COLUMN result_ms BIGINT NULL;
        """;

    public IEnumerable<Migration> Migrations { get; } = new[] { new Migration(140, "command times in milliseconds", Sql, Sql) };
}
