using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Audit;
using Edge.Cloud.Commands;
using Edge.Cloud.Domain;
using Edge.Cloud.Inventory;
using Edge.Cloud.Storage;

namespace Edge.Cloud.Commissioning;

/// <summary>What an installer's self-test found (docs/provisioning.md §Commissioning).</summary>
public sealed record CommissioningRequest(bool Passed, string Summary, JsonObject? Figures, double? Lat, double? Lon, double? AccuracyM, string? Pole);

public sealed record CommissioningInfo(long Id, string Node, string Site, long At, string Actor, bool Passed, string Summary, JsonElement Figures,
    double? Lat, double? Lon, double? AccuracyM, string? Pole);

/// <summary>A self-test command an installer may send during commissioning.</summary>
public sealed record SelfTestRequest(string Kind, JsonObject? Args);

/// <summary>
/// Commissioning: installers run a node's self-test through the real command path (a restricted set of harmless,
/// short commands, <see cref="SelfTestKinds"/>, issued by <see cref="CommandService"/> in their name), then store the
/// result on the node. One transaction writes the result, the audit entry <c>node.commission</c>, and the alarm
/// <c>node.commissioning@site/node</c> (major) when the self-test failed — cleared by the next pass.
/// </summary>
public sealed class CommissioningService
{
    /// <summary>Commands an installer may send: visible, short, undone by themselves or by override.clear.</summary>
    public static readonly string[] SelfTestKinds = { "identify", "sample-now", "override", "override.clear", "display.refresh" };

    /// <summary>The longest self-test override: it must not outlive the installer's visit.</summary>
    public const int MaxOverrideS = 600;

    private readonly IStorageConnections _connections;
    private readonly CommandService _commands;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;

    public CommissioningService(IStorageConnections connections, CommandService commands, AuditLog audit, TimeProvider time)
    {
        _connections = connections;
        _commands = commands;
        _audit = audit;
        _time = time;
    }

    public async Task<CommandInfo> SelfTestAsync(string actor, string node, SelfTestRequest request, CancellationToken ct = default)
    {
        if (!SelfTestKinds.Contains(request.Kind))
            throw DomainException.Invalid("kind: '" + request.Kind + "' is not a self-test command (" + string.Join(", ", SelfTestKinds) + ")");
        if (request.Kind == "override")
        {
            if (request.Args?["durationS"] is not JsonValue d || !d.TryGetValue(out long seconds) || seconds < 1 || seconds > MaxOverrideS)
                throw DomainException.Invalid("args.durationS: a self-test override lasts 1.." + MaxOverrideS + " s");
            if (request.Args.ContainsKey("until")) throw DomainException.Invalid("args.until: a self-test override takes durationS only");
        }
        return await _commands.IssueAsync(actor, node, new CommandRequest(request.Kind, request.Args, 120), ct);
    }

    public async Task<CommissioningInfo> RecordAsync(string actor, string node, CommissioningRequest request, CancellationToken ct = default)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(request.Summary) || request.Summary.Length > 500) errors.Add("summary: 1..500 characters");
        if (request.Lat is < -90 or > 90) errors.Add("lat: out of range -90..90");
        if (request.Lon is < -180 or > 180) errors.Add("lon: out of range -180..180");
        if ((request.Lat is null) != (request.Lon is null)) errors.Add("lat, lon: give both or neither");
        if (request.AccuracyM is < 0 or > 100000) errors.Add("accuracyM: out of range 0..100000");
        if (request.Pole is { Length: > 64 }) errors.Add("pole: at most 64 characters");
        string figures = (request.Figures ?? new JsonObject()).ToJsonString();
        if (figures.Length > 8192) errors.Add("figures: at most 8192 bytes of JSON");
        if (errors.Count > 0) throw DomainException.InvalidDocument("commissioning result", errors);

        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var info = await InventoryService.GetNodeAsync(tx, node);
        await tx.ExecAsync("""
            INSERT INTO node_commissioning (node, site, at, actor, passed, summary, figures, lat, lon, accuracy_m, pole)
            VALUES (@node, @site, @at, @actor, @passed, @summary, @figures, @lat, @lon, @acc, @pole)
            """, ("@node", node), ("@site", info.Site), ("@at", now), ("@actor", actor), ("@passed", request.Passed ? 1 : 0),
            ("@summary", request.Summary), ("@figures", figures), ("@lat", request.Lat), ("@lon", request.Lon), ("@acc", request.AccuracyM),
            ("@pole", request.Pole ?? info.Pole));
        await _audit.WriteAsync(tx, actor, "node.commission", "node:" + node, new { passed = request.Passed, summary = request.Summary });
        string key = AlarmRules.Key("node.commissioning", null, info.Site + "/" + node);
        if (request.Passed) await AlarmService.ClearAsync(tx, key, now);
        else await AlarmService.RaiseAsync(tx, info.Site, node, info.Gateway, "node.commissioning", key, "major", "self-test failed: " + request.Summary, now);
        await tx.CommitAsync();
        return (await ListAsync(node, ct))[0];
    }

    /// <summary>The node's commissioning results, newest first.</summary>
    public async Task<IReadOnlyList<CommissioningInfo>> ListAsync(string node, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        await InventoryService.GetNodeAsync(tx, node);
        return await tx.QueryAsync("""
            SELECT id, node, site, at, actor, passed, summary, figures, lat, lon, accuracy_m, pole
            FROM node_commissioning WHERE node = @node ORDER BY id DESC
            """, r => new CommissioningInfo(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetInt64(5) == 1,
                r.GetString(6), JsonDocument.Parse(r.GetString(7)).RootElement.Clone(),
                r.IsDBNull(8) ? null : r.GetDouble(8), r.IsDBNull(9) ? null : r.GetDouble(9), r.IsDBNull(10) ? null : r.GetDouble(10),
                r.IsDBNull(11) ? null : r.GetString(11)), ("@node", node));
    }
}
