using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Desired;
using Edge.Cloud.Domain;
using Edge.Cloud.Inventory;
using Edge.Cloud.Storage;
using Edge.Firmware.Protocol;
using Edge.Cloud.Telemetry;

namespace Edge.Cloud.Commands;

/// <summary>Status of a command: pending (issued) → delivered (its gateway fetched it) → acked / failed /
/// expired (from the node's ack, or by time).</summary>
public static class CommandStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Acked = "acked";
    public const string Failed = "failed";
    public const string Expired = "expired";

    public static readonly string[] All = [Pending, Delivered, Acked, Failed, Expired];
}

/// <summary>
/// Issue a command. <see cref="Args"/> as protocol.md §10.2; for <c>override</c> a <c>durationS</c> may be
/// given instead of <c>until</c>. <see cref="ExpiresInS"/>: how long the command may wait for delivery
/// (default 300 s, at most 7 days).
/// </summary>
public sealed record CommandRequest(string Kind, JsonObject? Args, long? ExpiresInS);

/// <summary>A command and what became of it. <see cref="Result"/> is the node's ack result (ok, failed, …).
/// <see cref="IssuedAtMs"/>, <see cref="DeliveredAtMs"/> and <see cref="ResultAtMs"/> are the cloud's times (Unix ms) of
/// issuing it, of the downlink answer that carried it to the gateway, and of setting its outcome (acked, failed,
/// expired); null where not reached (or for commands issued before the cloud recorded them).</summary>
public sealed record CommandInfo(
    string Id, string Node, string? Gateway, string Kind, JsonElement Args, long Issued, long Expires, string Status, string IssuedBy,
    long? DeliveredAt, string? Result, long? ResultAt, string? Message, long? IssuedAtMs = null, long? DeliveredAtMs = null, long? ResultAtMs = null);

/// <summary>
/// Commands to nodes (protocol.md §10). Issuing validates kind and arguments for the node's type (the node
/// would answer <c>rejected</c>/<c>unsupported</c> otherwise), stores the command as pending, audits it and
/// queues it for the node's gateway. Delivery is marked by the downlink; outcomes come from ack records
/// (<see cref="ApplyAckAsync"/>) or expiry (<see cref="ExpireAsync"/>).
/// </summary>
public sealed class CommandService
{
    public const long MaxLifetimeS = 7 * 86400;

    private readonly IStorageConnections _connections;
    private readonly DesiredChangeLog _changes;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;

    private readonly CloudMetrics _metrics;

    public CommandService(IStorageConnections connections, DesiredChangeLog changes, AuditLog audit, NodeClock time, CloudMetrics metrics)
    {
        _metrics = metrics;
        _connections = connections;
        _changes = changes;
        _audit = audit;
        _time = time.Time; // node time: commands are written and expire in the clock of the nodes that check them
    }

    private const string Select = "SELECT id, node, gateway, kind, args, issued, expires, status, issued_by, delivered_at, result, result_at, message, issued_ms, delivered_ms, result_ms FROM commands";

    public static CommandInfo Map(System.Data.Common.DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.Str(2), r.GetString(3), JsonDocument.Parse(r.GetString(4)).RootElement.Clone(), r.GetInt64(5), r.GetInt64(6),
        r.GetString(7), r.GetString(8), r.Long(9), r.Str(10), r.Long(11), r.Str(12), r.Long(13), r.Long(14), r.Long(15));

    /// <summary>The protocol document the gateway publishes on <c>cmd</c>.</summary>
    public static JsonObject Document(CommandInfo c) => new()
    {
        ["v"] = 1, ["id"] = c.Id, ["kind"] = c.Kind, ["args"] = JsonNode.Parse(c.Args.GetRawText()), ["issued"] = c.Issued, ["expires"] = c.Expires,
    };

    public async Task<CommandInfo> IssueAsync(string actor, string node, CommandRequest request, CancellationToken ct = default)
    {
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var command = await IssueAsync(tx, actor, await InventoryService.GetNodeAsync(tx, node), request);
        await tx.CommitAsync();
        _metrics.CommandsIssued.Add(1, CloudMetrics.Tag("kind", command.Kind));
        return command;
    }

    /// <summary>One command per (non-removed) member of a group; all or none.</summary>
    public async Task<IReadOnlyList<CommandInfo>> IssueToGroupAsync(string actor, string group, CommandRequest request, CancellationToken ct = default)
    {
        await using var tx = await Tx.BeginAsync(_connections, ct);
        if (await tx.LongAsync("SELECT COUNT(*) FROM node_groups WHERE id = @id", ("@id", group)) == 0) throw DomainException.NotFound("group", group);
        var commands = new List<CommandInfo>();
        foreach (var node in await DesiredConfigs.NodesOfGroupAsync(tx, group))
        {
            commands.Add(await IssueAsync(tx, actor, await InventoryService.GetNodeAsync(tx, node), request));
        }
        await tx.CommitAsync();
        foreach (var command in commands) _metrics.CommandsIssued.Add(1, CloudMetrics.Tag("kind", command.Kind));
        return commands;
    }

    private async Task<CommandInfo> IssueAsync(Tx tx, string actor, NodeInfo node, CommandRequest request)
    {
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var now = nowMs / 1000;
        var lifetime = request.ExpiresInS ?? 300;
        if (lifetime < 1 || lifetime > MaxLifetimeS) throw DomainException.Invalid($"expiresInS: {lifetime} is out of range 1..{MaxLifetimeS}");
        var args = CheckArgs(request.Kind, node.Type, request.Args ?? new JsonObject(), now);
        var id = $"c-{_time.GetUtcNow():yyyyMMdd}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        var command = new CommandInfo(id, node.Id, node.Gateway, request.Kind, JsonDocument.Parse(args.ToJsonString()).RootElement.Clone(), now, now + lifetime,
            CommandStatus.Pending, actor, null, null, null, null, nowMs);
        await tx.ExecAsync(
            "INSERT INTO commands (id, node, gateway, kind, args, issued, expires, status, issued_by, issued_ms) VALUES (@id, @n, @g, @k, @a, @i, @e, @s, @by, @ims)",
            ("@id", id), ("@n", node.Id), ("@g", node.Gateway), ("@k", command.Kind), ("@a", args.ToJsonString()), ("@i", now), ("@e", command.Expires),
            ("@s", CommandStatus.Pending), ("@by", actor), ("@ims", nowMs));
        await _changes.AppendAsync(tx, node.Gateway, DesiredChangeLog.Command, id);
        await _audit.WriteAsync(tx, actor, "command.issue", "node:" + node.Id, new { id, kind = command.Kind, args, expires = command.Expires });
        return command;
    }

    /// <summary>Checks kind and args as the node will (protocol.md §10.2); returns the args to send.</summary>
    public static JsonObject CheckArgs(string kind, string type, JsonObject args, long now)
    {
        var errors = new List<string>();
        var result = new JsonObject();
        long? Whole(string name, long min, long max, bool required)
        {
            if (!args.TryGetPropertyValue(name, out var value) || value is null)
            {
                if (required) errors.Add($"args.{name}: required");
                return null;
            }
            if (value is JsonValue v && v.GetValueKind() == JsonValueKind.Number
                && decimal.TryParse(v.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number)
                && number == decimal.Truncate(number) && number >= long.MinValue && number <= long.MaxValue)
            {
                var n = (long)number;
                if (n < min || n > max) { errors.Add($"args.{name}: {n} is out of range {min}..{max}"); return null; }
                result[name] = n;
                return n;
            }
            errors.Add($"args.{name}: expected a whole number");
            return null;
        }
        bool ForTypes(params string[] types)
        {
            if (types.Contains(type)) return true;
            errors.Add($"kind: '{kind}' is not for a {type} (only {string.Join(", ", types)})");
            return false;
        }
        switch (kind)
        {
            case "override":
                if (!ForTypes(Wire.TypeStreetLight)) break;
                Whole("level", 0, 100, true);
                if (args.ContainsKey("durationS"))
                {
                    var duration = Whole("durationS", 1, MaxLifetimeS, true);
                    result.Remove("durationS");
                    if (duration is { } s) result["until"] = now + s;
                }
                else
                {
                    Whole("until", now + 1, long.MaxValue / 2, true);
                }
                if (args.TryGetPropertyValue("reason", out var reason) && reason is not null)
                {
                    if (reason is JsonValue r && r.TryGetValue<string>(out var text) && text.Length <= 64) result["reason"] = text;
                    else errors.Add("args.reason: expected a string of at most 64 characters");
                }
                break;
            case "override.clear":
                ForTypes(Wire.TypeStreetLight);
                break;
            case "display.refresh":
                ForTypes(Wire.TypeBusStop);
                break;
            case "reboot":
                Whole("delayS", 0, 3600, false);
                break;
            case "identify":
                Whole("durationS", 0, 600, false);
                break;
            case "sample-now":
                break;
            case "siren":
                if (!ForTypes(Wire.TypeWaterLevel)) break;
                if (args.TryGetPropertyValue("on", out var on) && on is JsonValue b && b.TryGetValue<bool>(out var flag)) result["on"] = flag;
                else errors.Add("args.on: required (true or false)");
                Whole("durationS", 0, 1800, false);
                break;
            default:
                errors.Add($"kind: '{kind}' is not one of override, override.clear, reboot, identify, sample-now, display.refresh, siren");
                break;
        }
        if (errors.Count > 0) throw DomainException.InvalidDocument("command", errors);
        return result;
    }

    public async Task<CommandInfo> GetAsync(string id, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.SingleAsync(Select + " WHERE id = @id", Map, ("@id", id)) ?? throw DomainException.NotFound("command", id);
    }

    public async Task<IReadOnlyList<CommandInfo>> ListAsync(string? node, string? status, int limit, CancellationToken ct = default)
    {
        var where = new List<string>();
        var parameters = new List<(string, object?)> { ("@limit", Math.Clamp(limit, 1, 1000)) };
        if (node is not null) { where.Add("node = @n"); parameters.Add(("@n", node)); }
        if (status is not null) { where.Add("status = @s"); parameters.Add(("@s", status)); }
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.QueryAsync(Select + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY issued DESC, id DESC LIMIT @limit",
            Map, parameters.ToArray());
    }

    /// <summary>Open (pending or delivered, unexpired) commands of a gateway, optionally only some ids.</summary>
    public static Task<List<CommandInfo>> OpenForGatewayAsync(Tx tx, string gateway, long now) =>
        tx.QueryAsync(Select + " WHERE gateway = @g AND status IN ('pending', 'delivered') AND expires > @now ORDER BY issued, id", Map,
            ("@g", gateway), ("@now", now));

    public static Task MarkDeliveredAsync(Tx tx, string id, long nowMs) =>
        tx.ExecAsync("UPDATE commands SET status = 'delivered', delivered_at = @now, delivered_ms = @ms WHERE id = @id AND status = 'pending'",
            ("@id", id), ("@now", nowMs / 1000), ("@ms", nowMs));

    /// <summary>Applies a node's <c>cmd/ack</c> (protocol.md §10.3): ok (or a duplicate of ok) → acked; expired
    /// → expired; rejected, unsupported, failed → failed. A later ack does not undo a final status. <c>result_at</c> is when
    /// the gateway received the ack, <c>result_ms</c> when the cloud applied it (<paramref name="appliedMs"/>).</summary>
    /// <returns>The command's new status and its issue time (ms, null for commands from before issue times were kept)
    /// when the ack completed it; null when it changed nothing.</returns>
    public static async Task<(string Status, long? IssuedMs)?> ApplyAckAsync(Tx tx, string node, JsonElement payload, long receivedAt, long appliedMs)
    {
        var id = payload.GetProperty("id").GetString()!;
        var result = payload.GetProperty("result").GetString()!;
        var effective = result == "duplicate" && payload.TryGetProperty("original", out var original) && original.ValueKind == JsonValueKind.String
            ? original.GetString()! : result;
        var status = effective switch
        {
            "ok" => CommandStatus.Acked,
            "expired" => CommandStatus.Expired,
            "duplicate" => null, // an earlier ack was lost and the original is unknown: wait for more
            _ => CommandStatus.Failed,
        };
        if (status is null) return null;
        var message = payload.TryGetProperty("msg", out var msg) && msg.ValueKind == JsonValueKind.String ? msg.GetString() : null;
        // RETURNING (SQLite ≥ 3.35 and PostgreSQL): the issue time for the latency metric, -1 when it is unknown, no row when nothing changed.
        var issuedMs = await tx.LongAsync(
            """
            UPDATE commands SET status = @s, result = @r, result_at = @at, message = @m, result_ms = @ms,
                   delivered_at = CASE WHEN delivered_at IS NULL THEN @at ELSE delivered_at END
            WHERE id = @id AND node = @n AND status IN ('pending', 'delivered')
            RETURNING COALESCE(issued_ms, -1)
            """,
            ("@s", status), ("@r", effective), ("@at", receivedAt), ("@m", message), ("@ms", appliedMs), ("@id", id), ("@n", node));
        return issuedMs is { } issued ? (status, issued < 0 ? null : issued) : null;
    }

    /// <summary>Marks pending/delivered commands past their expiry as expired; returns how many.</summary>
    public async Task<int> ExpireAsync(CancellationToken ct = default)
    {
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var count = await tx.ExecAsync(
            "UPDATE commands SET status = 'expired', result_at = @now, result_ms = @ms, message = 'no ack before it expired' WHERE status IN ('pending', 'delivered') AND expires <= @now",
            ("@now", nowMs / 1000), ("@ms", nowMs));
        await tx.CommitAsync();
        return count;
    }
}
