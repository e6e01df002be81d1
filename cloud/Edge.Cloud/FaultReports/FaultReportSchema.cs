using System.Collections.Generic;
using Edge.Cloud.Storage.Migrations;

namespace Edge.Cloud.FaultReports;

/// <summary>
/// Citizens' fault reports (migration 150): what they saw, their words, an optional photo stripped of its metadata;
/// the per-address windows of <see cref="FaultReportLimiter"/> (migration 163), shared by every cloud instance.
/// </summary>
public sealed class FaultReportSchema : IMigrationSource
{
    private const string Table = """
        CREATE TABLE fault_reports (
          id {ID},
          node TEXT NOT NULL,
          site TEXT NOT NULL,
          at BIGINT NOT NULL,
          kind TEXT NOT NULL,
          text TEXT NULL,
          photo {BLOB} NULL
        );
        CREATE INDEX fault_reports_node ON fault_reports (node, id);
        """;

    // One row per client address while its window lasts; attempts include refused attempts.
    private const string Windows = """
        CREATE TABLE fault_report_windows (
          address TEXT PRIMARY KEY,
          window_start BIGINT NOT NULL,
          attempts BIGINT NOT NULL
        );
        CREATE INDEX fault_report_windows_start ON fault_report_windows (window_start);
        """;

    public IEnumerable<Migration> Migrations { get; } = new[]
    {
        new Migration(150, "citizen fault reports",
            Table.Replace("{ID}", "INTEGER PRIMARY KEY AUTOINCREMENT").Replace("{BLOB}", "BLOB"),
            Table.Replace("{ID}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY").Replace("{BLOB}", "BYTEA")),
        new Migration(163, "fault report rate windows", Windows, Windows),
    };
}
