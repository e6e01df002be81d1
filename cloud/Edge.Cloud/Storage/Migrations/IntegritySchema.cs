using System.Collections.Generic;

namespace Edge.Cloud.Storage.Migrations;

/// <summary>
/// Ingestion integrity (docs/cloud.md §Ingestion integrity): the clock error measured per gateway. A source of
/// its own so that suites migrating only the ingestion tables add it explicitly.
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

    public IEnumerable<Migration> Migrations { get; } = new[]
    {
        new Migration(10, "gateway clock", Clock, Clock),
    };
}
