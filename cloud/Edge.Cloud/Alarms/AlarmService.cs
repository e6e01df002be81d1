using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Edge.Sqlite;

namespace Edge.Cloud.Alarms;

public static class AlarmStatus
{
    public const string Open = "open";
    public const string Acknowledged = "acknowledged";
    public const string Cleared = "cleared";
}

/// <summary>
/// An alarm. <see cref="Key"/> identifies the condition (<c>lamp.fault:lamp-failure@sl-0001</c>); at most one
/// alarm per key is not cleared. <see cref="Kind"/>: <c>lamp.fault</c>, <c>flood.state</c>, <c>flood.rate</c>,
/// <c>hw.fault</c>, <c>node.offline</c>, <c>gateway.offline</c>. Severity: <c>critical</c> (flood alarm),
/// <c>major</c> (flood warning, lamp failure, offline), <c>minor</c>.
/// </summary>
public sealed record AlarmInfo(
    long Id, string? Site, string? Node, string? Gateway, string Kind, string Key, string Severity, string Status, string Message,
    long RaisedAt, long UpdatedAt, string? AcknowledgedBy, long? AcknowledgedAt, long? ClearedAt, string? ClearedBy = null);

/// <summary>Alarms: raised and cleared by <see cref="AlarmRules"/> from ingested records and by the offline sweeps;
/// acknowledged by users. An acknowledged alarm stays until its condition clears.</summary>
public sealed class AlarmService
{
    private readonly IStorageConnections _connections;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;

    public AlarmService(IStorageConnections connections, AuditLog audit, TimeProvider time)
    {
        _connections = connections;
        _audit = audit;
        _time = time;
    }

    private const string Select = "SELECT id, site, node, gateway, kind, alarm_key, severity, status, message, raised_at, updated_at, acknowledged_by, acknowledged_at, cleared_at, cleared_by FROM alarms";

    private static AlarmInfo Map(System.Data.Common.DbDataReader r) => new(
        r.GetInt64(0), r.Str(1), r.Str(2), r.Str(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7), r.GetString(8),
        r.GetInt64(9), r.GetInt64(10), r.Str(11), r.Long(12), r.Long(13), r.Str(14));

    /// <summary><paramref name="status"/>: open, acknowledged, cleared, or <c>active</c> (open or acknowledged).</summary>
    public async Task<IReadOnlyList<AlarmInfo>> ListAsync(string? status, string? node, string? kind, int limit, CancellationToken ct = default)
    {
        var where = new List<string>();
        var parameters = new List<(string, object?)> { ("@limit", Math.Clamp(limit, 1, 1000)) };
        if (status == "active") where.Add("status IN ('open', 'acknowledged')");
        else if (status is not null) { where.Add("status = @s"); parameters.Add(("@s", status)); }
        if (node is not null) { where.Add("node = @n"); parameters.Add(("@n", node)); }
        if (kind is not null) { where.Add("kind = @k"); parameters.Add(("@k", kind)); }
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.QueryAsync(Select + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY id DESC LIMIT @limit",
            Map, parameters.ToArray());
    }

    public async Task<AlarmInfo> GetAsync(long id, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await FindAsync(tx, id);
    }

    private static async Task<AlarmInfo> FindAsync(Tx tx, long id) =>
        await tx.SingleAsync(Select + " WHERE id = @id", Map, ("@id", id)) ?? throw DomainException.NotFound("alarm", id.ToString());

    /// <summary>Longest note a user may add to an acknowledgement or a clear (the console's field takes as many).</summary>
    public const int MaxNoteLength = 200;

    /// <summary>A note longer than <see cref="MaxNoteLength"/> is refused before anything is written.</summary>
    private static void CheckNote(string? note)
    {
        if (note is { Length: > MaxNoteLength }) throw DomainException.Invalid($"note: {note.Length} characters; at most {MaxNoteLength}");
    }

    /// <summary>The audit entry of a user's action on <paramref name="alarm"/>, with the note typed beside it, if any.</summary>
    private Task AuditAsync(Tx tx, string actor, string action, AlarmInfo alarm, string? note) =>
        _audit.WriteAsync(tx, actor, action, "alarm:" + alarm.Id, string.IsNullOrWhiteSpace(note) ? (object)new { alarm.Key } : new { alarm.Key, note });

    public Task<AlarmInfo> AcknowledgeAsync(string actor, long id, CancellationToken ct = default) => AcknowledgeAsync(actor, id, null, ct);

    /// <summary>Acknowledges an open alarm; <paramref name="note"/> (what the technician saw or did) goes to the audit entry.</summary>
    public async Task<AlarmInfo> AcknowledgeAsync(string actor, long id, string? note, CancellationToken ct)
    {
        CheckNote(note);
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var alarm = await FindAsync(tx, id);
        DomainException NotOpen(string? status) => DomainException.Conflict($"alarm {id} is {status ?? "gone"}; only an open alarm can be acknowledged");
        if (alarm.Status != AlarmStatus.Open) throw NotOpen(alarm.Status);
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        // Still open when written: on PostgreSQL the record feed may clear it between the read above and this update
        // (SQLite's BEGIN IMMEDIATE lets no writer in between). Acknowledging it then would leave a cleared condition
        // acknowledged, active for ever, and the next raise of it would refresh that row instead of opening an alarm.
        if (await tx.ExecAsync("UPDATE alarms SET status = 'acknowledged', acknowledged_by = @by, acknowledged_at = @at, updated_at = @at WHERE id = @id AND status = 'open'",
                ("@by", actor), ("@at", now), ("@id", id)) == 0)
        {
            throw NotOpen((await tx.SingleAsync(Select + " WHERE id = @id", Map, ("@id", id)))?.Status);
        }
        await AuditAsync(tx, actor, "alarm.acknowledge", alarm, note);
        await tx.CommitAsync();
        return alarm with { Status = AlarmStatus.Acknowledged, AcknowledgedBy = actor, AcknowledgedAt = now, UpdatedAt = now };
    }

    /// <summary>
    /// The kinds whose condition nothing clears by itself: a storage reset and a gateway conflict happened once, a
    /// citizen's fault report is resolved by the technician who checked it. A user clears them
    /// (<see cref="ClearByUserAsync"/>); every other kind clears when its condition ends, and is refused there.
    /// </summary>
    public static readonly IReadOnlySet<string> ClearedByUser = new HashSet<string>(StringComparer.Ordinal)
    {
        Ingestion.OutboxEpochs.ResetAlarmKind, Ingestion.RecordAdmission.ConflictAlarmKind, FaultReports.FaultReportService.AlarmKind,
    };

    /// <summary>Clears an active alarm of a kind nothing clears by itself (<see cref="ClearedByUser"/>);
    /// <paramref name="note"/> (what was done) goes to the audit entry. While it stays active, the same condition
    /// raised again only refreshes it: clearing it lets the next occurrence open a new alarm.</summary>
    public async Task<AlarmInfo> ClearByUserAsync(string actor, long id, string? note, CancellationToken ct = default)
    {
        CheckNote(note);
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var alarm = await FindAsync(tx, id);
        if (!ClearedByUser.Contains(alarm.Kind))
        {
            throw DomainException.Conflict($"alarm {id} ({alarm.Kind}) clears when its condition ends; a user clears only {string.Join(", ", ClearedByUser.Order(StringComparer.Ordinal))}");
        }
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        // Still active when written (on PostgreSQL another transaction may clear it after the read above).
        if (await tx.ExecAsync(ClearSql("@", byUser: true) + " AND id = @id", ("@at", now), ("@k", alarm.Key), ("@by", actor), ("@id", id)) == 0)
        {
            throw DomainException.Conflict($"alarm {id} is cleared already");
        }
        await AuditAsync(tx, actor, "alarm.clear", alarm, note);
        await tx.CommitAsync();
        return alarm with { Status = AlarmStatus.Cleared, ClearedAt = now, UpdatedAt = now, ClearedBy = actor };
    }

    /// <summary>Raises the condition <paramref name="key"/> (or refreshes severity/message of its active alarm).</summary>
    public static Task RaiseAsync(Tx tx, string? site, string? node, string? gateway, string kind, string key, string severity, string message, long at) =>
        tx.ExecAsync(RaiseSql("@"), RaiseParameters("@", new AlarmRaise(site, node, gateway, kind, severity, message), key, at));

    /// <summary>
    /// One raise as one statement, its parameters named with <paramref name="p"/> (<see cref="RaiseParameters"/>): it
    /// opens the condition, or, when it is active, refreshes its severity and message. The unique index on active keys
    /// (<see cref="ActiveAlarmSchema"/>) decides which, so two transactions raising one condition at once open it once:
    /// the second waits for the first and refreshes what it opened.
    /// </summary>
    internal static string RaiseSql(string p) =>
        "INSERT INTO alarms (site, node, gateway, kind, alarm_key, severity, status, message, raised_at, updated_at) " +
        $"VALUES ({p}site, {p}node, {p}gw, {p}kind, {p}k, {p}sev, 'open', {p}m, {p}at, {p}at) " +
        "ON CONFLICT (alarm_key) WHERE status IN ('open', 'acknowledged') " +
        "DO UPDATE SET severity = excluded.severity, message = excluded.message, updated_at = excluded.updated_at";

    internal static (string Name, object? Value)[] RaiseParameters(string p, AlarmRaise raise, string key, long at) =>
        [(p + "site", raise.Site), (p + "node", raise.Node), (p + "gw", raise.Gateway), (p + "kind", raise.Kind),
            (p + "k", key), (p + "sev", raise.Severity), (p + "m", raise.Message), (p + "at", at)];

    /// <summary>The values of <see cref="RaiseSql"/> by position, for a statement prepared once (SQLite numbers named
    /// parameters in the order they first appear: the order of <see cref="RaiseParameters"/>).</summary>
    internal static int Raise(SqliteRowStatement statement, AlarmRaise raise, string key, long at) =>
        statement.Add(raise.Site).Add(raise.Node).Add(raise.Gateway).Add(raise.Kind).Add(key).Add(raise.Severity).Add(raise.Message).Add(at).Execute();

    /// <summary>Clears the active alarm of a condition, if there is one; parameters <c>{p}at</c>, <c>{p}k</c> in that order
    /// (with <paramref name="byUser"/>, <c>{p}by</c> between them: who cleared it by hand).</summary>
    internal static string ClearSql(string p, bool byUser = false) =>
        $"UPDATE alarms SET status = 'cleared', cleared_at = {p}at, updated_at = {p}at{(byUser ? $", cleared_by = {p}by" : "")} WHERE alarm_key = {p}k AND status IN ('open', 'acknowledged')";

    public static Task<int> ClearAsync(Tx tx, string key, long at) => tx.ExecAsync(ClearSql("@"), ("@at", at), ("@k", key));
}
