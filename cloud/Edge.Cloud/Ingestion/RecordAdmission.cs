using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Audit;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Ingestion;

/// <summary>What <see cref="RecordAdmission"/> decided: the records to store, and the others by position in the
/// list it was given, with the error for the batch answer's <c>rejected</c> list.</summary>
public sealed record Admission(IReadOnlyList<IngestRecord> Admitted, IReadOnlyList<(int Position, string Error)> Refused);

/// <summary>
/// Decides, after validation, whether the posting gateway may write each record (docs/uplink.md §2 rules 7–8):
/// <list type="bullet">
/// <item>a node record only for a node the inventory assigns to this gateway, in the node's site — a gateway's
/// token does not let it write (or raise alarms) for another gateway's nodes; moving a node is an inventory
/// change. A record for a node assigned to another gateway also raises <c>node.gateway-conflict</c> and is
/// audited, so two gateways speaking for one node never go unnoticed;</item>
/// <item><c>receivedAt</c> at most <see cref="ClockOptions.MaxAheadS"/> ahead of the cloud's clock — a record from
/// the future would win every later comparison (node state never moves backwards).</item>
/// </list>
/// Shared by the HTTPS endpoint and the Event Hubs consumer.
/// </summary>
public sealed class RecordAdmission
{
    public const string ConflictAlarmKind = "node.gateway-conflict";

    private readonly IStorageConnections _connections;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly ClockOptions _clock;
    private readonly ILogger<RecordAdmission> _logger;
    private readonly AdmissionCache _cache;

    public RecordAdmission(IStorageConnections connections, AuditLog audit, TimeProvider time, IOptions<ClockOptions> clock, AdmissionCache cache, ILogger<RecordAdmission> logger)
    {
        _connections = connections;
        _cache = cache;
        _audit = audit;
        _time = time;
        _clock = clock.Value;
        _logger = logger;
    }

    /// <summary>Decides on <paramref name="records"/> with their nodes' rows read through <see cref="LookupAsync"/>, the cache
    /// kept while the inventory's version stays (the Event Hubs path: a batch of known nodes costs one one-row query).</summary>
    public Task<Admission> AdmitAsync(string gateway, IReadOnlyList<IngestRecord> records, CancellationToken cancellationToken = default) =>
        AdmitAsync(gateway, records, LookupAsync(records.Where(r => r.Node is not null).Select(r => r.Node!), cancellationToken), cancellationToken);

    /// <summary>Decides on <paramref name="records"/> with the inventory rows <paramref name="lookup"/> read (<see cref="LookupAsync"/>,
    /// started before validation so that the query runs while the records are validated); the nodes it lacks are read now.</summary>
    public async Task<Admission> AdmitAsync(string gateway, IReadOnlyList<IngestRecord> records, Task<NodeAssignments>? lookup, CancellationToken cancellationToken = default)
    {
        var refused = new List<(int, string)>();
        var admitted = new List<IngestRecord>(records.Count);
        var read = lookup is null ? null : await lookup;
        if (records.Count == 0) return new Admission(admitted, refused);
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var inventory = read?.Rows ?? new Dictionary<string, NodeAssignment>(StringComparer.Ordinal);
        var missing = records.Where(r => r.Node is not null && (read is null || !read.Asked.Contains(r.Node))).Select(r => r.Node!).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            foreach (var (id, row) in await AssignmentsAsync(missing, cancellationToken)) inventory[id] = row;
        }
        var foreign = new Dictionary<string, (NodeAssignment Node, int Count)>();
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var error = TimeError(record, now);
            if (error is null && record.Node is { } node)
            {
                if (!inventory.TryGetValue(node, out var assigned))
                {
                    error = $"node: '{node}' is not in the inventory; register it with gateway '{gateway}' before its records are accepted";
                }
                else if (assigned.Removed)
                {
                    // A retired device keeps its history but records nothing new: its pole's history goes on under the new device.
                    error = assigned.ReplacedBy is { } successor
                        ? $"node: '{node}' was replaced by '{successor}' on its pole and is retired; its records are refused"
                        : $"node: '{node}' was removed from the inventory; its records are refused";
                }
                else if (assigned.Gateway is null)
                {
                    error = $"node: '{node}' is not assigned to a gateway; assign it to '{gateway}' before its records are accepted";
                }
                else if (assigned.Gateway != gateway)
                {
                    error = $"node: '{node}' is assigned to another gateway; its records are accepted only from that gateway (moving a node is an inventory change)";
                    foreign[node] = (assigned, foreign.TryGetValue(node, out var seen) ? seen.Count + 1 : 1);
                }
                else if (assigned.Site != record.Site)
                {
                    error = $"site: node '{node}' is in site '{assigned.Site}', not '{record.Site}'";
                }
            }
            if (error is null) admitted.Add(record);
            else refused.Add((i, error));
        }
        if (foreign.Count > 0) await ReportConflictsAsync(gateway, foreign.Values.ToList(), now, cancellationToken);
        return new Admission(admitted, refused);
    }

    private string? TimeError(IngestRecord record, long now)
    {
        // Only the gateway's clock is bounded: a node's own ts may run ahead on purpose (the demo's --speed runs node
        // clocks fast) and orders nothing the node state depends on.
        var ahead = record.ReceivedAt - now;
        return ahead > _clock.MaxAheadS
            ? $"receivedAt: {record.ReceivedAt} is {ahead} s ahead of the cloud's clock (at most {_clock.MaxAheadS} s accepted); the gateway's clock is wrong"
            : null;
    }

    /// <summary>Reads the inventory rows of <paramref name="nodeIds"/> for a later <see cref="AdmitAsync(string, IReadOnlyList{IngestRecord}, Task{NodeAssignments}?, CancellationToken)"/>
    /// of the same batch (ids that are not node ids are not asked for: their records fail validation): the inventory's
    /// version, then only the rows <see cref="AdmissionCache"/> does not hold for that version.</summary>
    public async Task<NodeAssignments> LookupAsync(IEnumerable<string> nodeIds, CancellationToken cancellationToken = default)
    {
        var asked = nodeIds.Where(id => RecordValidator.IdPattern().IsMatch(id)).ToHashSet(StringComparer.Ordinal);
        if (asked.Count == 0) return new NodeAssignments(asked, new(StringComparer.Ordinal));
        await using var tx = await Tx.ReadAsync(_connections, cancellationToken);
        var version = await AdmissionCache.VersionAsync(tx);
        var (rows, missing) = _cache.Find(version, asked);
        if (missing.Count > 0)
        {
            var read = await AssignmentsAsync(tx, missing);
            _cache.Keep(version, missing, read);
            foreach (var (id, row) in read) rows[id] = row;
        }
        return new NodeAssignments(asked, rows);
    }

    private async Task<Dictionary<string, NodeAssignment>> AssignmentsAsync(List<string> ids, CancellationToken cancellationToken)
    {
        await using var tx = await Tx.ReadAsync(_connections, cancellationToken);
        return await AssignmentsAsync(tx, ids);
    }

    private static async Task<Dictionary<string, NodeAssignment>> AssignmentsAsync(Tx tx, List<string> ids)
    {
        // The batch's node ids as one parameter: a statement of ~500 parameters costs more to send, prepare and bind than
        // to run (measured on SQLite: docs/cloud.md §Ingestion benchmark, 2026-12-05).
        var (match, parameter) = tx.AnyOf("n.id", "@n", ids);
        // The successor is looked up only for a removed node (the subquery is per row).
        var rows = await tx.QueryAsync(
            $"SELECT n.id, n.site, n.gateway, n.removed, CASE WHEN n.removed <> 0 THEN (SELECT MAX(r.new_node) FROM node_replacements r WHERE r.old_node = n.id) END FROM nodes n WHERE {match}",
            r => new NodeAssignment(r.GetString(0), r.GetString(1), r.Str(2), r.Bool(3), r.Str(4)), parameter);
        return rows.ToDictionary(n => n.Id, StringComparer.Ordinal);
    }

    private async Task ReportConflictsAsync(string gateway, IReadOnlyList<(NodeAssignment Node, int Count)> conflicts, long now, CancellationToken cancellationToken)
    {
        await using var tx = await Tx.BeginAsync(_connections, cancellationToken);
        foreach (var (node, count) in conflicts)
        {
            _logger.LogWarning("Gateway {Gateway} sent {Count} record(s) for node {Node}, which is assigned to gateway {Owner}; refused",
                gateway, count, node.Id, node.Gateway);
            await AlarmService.RaiseAsync(tx, node.Site, node.Id, gateway, ConflictAlarmKind,
                AlarmRules.NodeKey(ConflictAlarmKind, node.Site, node.Id), "major",
                $"gateway {gateway} sent records for this node, which is assigned to gateway {node.Gateway}; refused", now);
            await _audit.WriteAsync(tx, "gateway:" + gateway, "ingest.foreign-node", "node:" + node.Id,
                new { gateway, assignedTo = node.Gateway, records = count });
        }
        await tx.CommitAsync();
    }
}

/// <summary>A node's row in the inventory, as admission needs it.</summary>
public sealed record NodeAssignment(string Id, string Site, string? Gateway, bool Removed = false, string? ReplacedBy = null);

/// <summary>What <see cref="RecordAdmission.LookupAsync"/> read: the ids it asked for and the rows found.</summary>
public sealed class NodeAssignments(IReadOnlySet<string> asked, Dictionary<string, NodeAssignment> rows)
{
    public IReadOnlySet<string> Asked { get; } = asked;
    public Dictionary<string, NodeAssignment> Rows { get; } = rows;
}
