namespace Edge.Cloud.Alarms;

/// <summary>
/// At most one active (open or acknowledged) alarm per condition, kept by the database (migration 131): a raise
/// that checked first and inserted after could, in two transactions at once, open the same condition twice — two
/// batches of one gateway, two cloud processes, a sweep beside the record feed. Raises are now one upsert on this
/// index (<see cref="AlarmService.RaiseSql"/>). Duplicates an older version left are closed first, the newest kept:
/// they were one condition, and the newest carries its latest severity and message. Registered with the domain schema
/// that creates <c>alarms</c> (<see cref="Domain.DomainSchema"/>), so no process stores alarms without it.
/// </summary>
public static class ActiveAlarmSchema
{
    public const string Sql = """
        UPDATE alarms SET status = 'cleared', cleared_at = updated_at
        WHERE status IN ('open', 'acknowledged')
          AND id < (SELECT MAX(a.id) FROM alarms a WHERE a.alarm_key = alarms.alarm_key AND a.status IN ('open', 'acknowledged'));
        CREATE UNIQUE INDEX alarms_active_key ON alarms (alarm_key) WHERE status IN ('open', 'acknowledged');
        """;
}
