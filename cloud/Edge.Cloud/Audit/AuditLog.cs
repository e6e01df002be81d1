using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;

namespace Edge.Cloud.Audit;

/// <summary>One audit entry: who did what to which target, when, with the request's essentials.</summary>
public sealed record AuditEntry(long Id, long At, string Actor, string Action, string Target, JsonElement? Detail);

/// <summary>
/// The audit log: every change and every command, written in the same transaction as the change itself, so
/// there is no change without its entry and no entry for a change that was rolled back.
/// </summary>
public sealed class AuditLog
{
    private readonly IStorageConnections _connections;
    private readonly TimeProvider _time;

    public AuditLog(IStorageConnections connections, TimeProvider time)
    {
        _connections = connections;
        _time = time;
    }

    /// <summary>Writes an entry inside <paramref name="tx"/>. Action: a dotted verb (<c>profile.put</c>,
    /// <c>command.issue</c>); target: what it is about (<c>node:sl-0001</c>); detail: serialized as JSON.</summary>
    public Task WriteAsync(Tx tx, string actor, string action, string target, object? detail = null) =>
        tx.ExecAsync("INSERT INTO audit (at, actor, action, target, detail) VALUES (@at, @actor, @action, @target, @detail)",
            ("@at", _time.GetUtcNow().ToUnixTimeSeconds()), ("@actor", actor), ("@action", action), ("@target", target),
            ("@detail", detail is null ? null : JsonSerializer.Serialize(detail, Api.Json)));

    /// <summary>The actions a technician may read: lighting (profiles and their assignments), commands and alarms.
    /// An admin reads every action.</summary>
    public static readonly string[] TechnicianActions =
        ["profile.put", "profile.delete", "group.profile", "node.profile", "command.issue", "alarm.acknowledge", "alarm.clear"];

    /// <summary>Newest first; <paramref name="before"/> pages back (an id from the previous page);
    /// <paramref name="actions"/>, when given, limits the entries to those actions.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(string? target, string? actor, long? before, int limit, CancellationToken cancellationToken = default,
        IReadOnlyList<string>? actions = null)
    {
        // Only the filters given become conditions: PostgreSQL cannot type a bare NULL parameter.
        var where = new List<string>();
        var parameters = new List<(string, object?)> { ("@limit", Math.Clamp(limit, 1, 1000)) };
        if (target is not null) { where.Add("target = @target"); parameters.Add(("@target", target)); }
        if (actor is not null) { where.Add("actor = @actor"); parameters.Add(("@actor", actor)); }
        if (before is not null) { where.Add("id < @before"); parameters.Add(("@before", before.Value)); }
        if (actions is not null)
        {
            where.Add("action IN (" + string.Join(", ", actions.Select((_, i) => "@action" + i)) + ")");
            parameters.AddRange(actions.Select((a, i) => ("@action" + i, (object?)a)));
        }
        await using var tx = await Tx.ReadAsync(_connections, cancellationToken);
        return await tx.QueryAsync(
            "SELECT id, at, actor, action, target, detail FROM audit" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") +
            " ORDER BY id DESC LIMIT @limit",
            r => new AuditEntry(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4),
                r.Str(5) is { } d ? JsonDocument.Parse(d).RootElement.Clone() : null),
            parameters.ToArray());
    }
}
