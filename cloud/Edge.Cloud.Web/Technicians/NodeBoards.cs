using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Audit;
using Edge.Cloud.Commands;
using Edge.Cloud.Domain;
using Edge.Cloud.History;
using Edge.Cloud.Inventory;
using Edge.Cloud.Storage;

namespace Edge.Cloud.Web.Technicians;

/// <summary>One bucket of a telemetry chart: averages over [<see cref="At"/>, At + bucket) (nulls where the node type
/// does not report the quantity).</summary>
public sealed record TelemetryPoint(long At, double? Level, double? Watts, double? LevelMm, double? BatteryV);

/// <summary>The chart ranges a technician picks: the last day, week, month.</summary>
public sealed record ChartRange(string Key, long Seconds)
{
    public static readonly ChartRange[] All = { new("24h", 86400), new("7d", 7 * 86400), new("30d", 30 * 86400) };

    public static ChartRange Parse(string? key) => Array.Find(All, r => r.Key == key) ?? All[0];
}

/// <summary>The audit entries a user may read (<c>GET /api/v1/audit</c>'s rule): an admin every entry, a technician those
/// of lighting, commands and alarms, anyone else none.</summary>
public sealed record AuditScope(bool MayRead, IReadOnlyList<string>? Actions)
{
    public static AuditScope Of(System.Security.Claims.ClaimsPrincipal user) =>
        user.IsInRole(Users.Roles.Admin) ? new(true, null)
        : user.IsInRole(Users.Roles.Technician) ? new(true, AuditLog.TechnicianActions)
        : new(false, null);
}

/// <summary>Everything the node page shows, read in one place.</summary>
public sealed record NodeBoard(NodeInfo Node, IReadOnlyList<TelemetryPoint> Telemetry, IReadOnlyList<EventInfo> Events,
    IReadOnlyList<AlarmInfo> Alarms, IReadOnlyList<CommandInfo> Commands, IReadOnlyList<AuditEntry> Audit);

/// <summary>
/// Reads a node's page: inventory and condition, telemetry averaged in SQL into at most <see cref="Buckets"/> buckets
/// (30 days of 5-minute samples are 8,640 rows; a chart has a few hundred pixels), the latest events, alarms,
/// commands and audit entries.
/// </summary>
public sealed class NodeBoards(InventoryService inventory, HistoryService history, AlarmService alarms, CommandService commands,
    AuditLog auditLog, IStorageConnections connections)
{
    public const int Buckets = 288;
    public const int Rows = 20;

    /// <summary>The node's page, or null when it does not exist; <paramref name="audit"/> says which audit entries the
    /// user may read (<see cref="AuditScope"/>).</summary>
    public async Task<NodeBoard?> GetAsync(string id, ChartRange range, long now, AuditScope audit, CancellationToken ct = default)
    {
        NodeInfo node;
        try
        {
            node = await inventory.GetNodeAsync(id, ct);
        }
        catch (DomainException e) when (e.Status == 404)
        {
            return null;
        }
        return new NodeBoard(node, await TelemetryAsync(node, now - range.Seconds, now, ct),
            await history.EventsAsync(id, null, null, null, Rows, ct), await alarms.ListAsync(null, id, null, Rows, ct),
            await commands.ListAsync(id, null, Rows, ct),
            audit.MayRead ? await auditLog.ListAsync("node:" + id, null, null, Rows, ct, audit.Actions) : Array.Empty<AuditEntry>());
    }

    private async Task<IReadOnlyList<TelemetryPoint>> TelemetryAsync(NodeInfo node, long from, long to, CancellationToken ct)
    {
        var bucket = Math.Max(1, (to - from) / Buckets);
        await using var tx = await Tx.ReadAsync(connections, ct);
        return await tx.QueryAsync(
            "SELECT (ts - @from) / @bucket AS b, AVG(level), AVG(watts), AVG(level_mm), AVG(battery_v) FROM telemetry " +
            "WHERE site = @site AND node = @node AND ts >= @from AND ts <= @to GROUP BY b ORDER BY b",
            r => new TelemetryPoint(from + r.GetInt64(0) * bucket + bucket / 2, Num(r, 1), Num(r, 2), Num(r, 3), Num(r, 4)),
            ("@from", from), ("@to", to), ("@bucket", bucket), ("@site", node.Site), ("@node", node.Id));
    }

    private static double? Num(System.Data.Common.DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToDouble(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
}
