using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Desired;
using Edge.Cloud.Domain;
using Edge.Cloud.Inventory;
using Edge.Cloud.Storage;
using Edge.Firmware.Lighting;
using Edge.Firmware.Protocol;

namespace Edge.Cloud.Lighting;

/// <summary>A stored lighting schedule (docs/dimming-profiles.md: profiles and calendar) under a name.</summary>
public sealed record LightingProfile(string Id, JsonElement Document, long UpdatedAt, string UpdatedBy);

/// <summary>Assign a profile (or <c>null</c> to remove the assignment).</summary>
public sealed record ProfileAssignment(string? Profile);

/// <summary>The outcome of an assignment: the desired config versions it produced.</summary>
public sealed record AssignmentResult(string Target, string? Profile, IReadOnlyList<DesiredConfig> Configs);

/// <summary>
/// Lighting schedules ("profiles": a dimming profile set plus its calendar, one document) validated by the
/// firmware's own <see cref="LightingScheduleParser"/>, and their assignment to groups or single nodes (a
/// node's own assignment overrides its group's). Every change rebuilds the affected nodes' desired configs.
/// </summary>
public sealed class ProfileService
{
    private readonly IStorageConnections _connections;
    private readonly DesiredConfigs _configs;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;

    public ProfileService(IStorageConnections connections, DesiredConfigs configs, AuditLog audit, TimeProvider time)
    {
        _connections = connections;
        _configs = configs;
        _audit = audit;
        _time = time;
    }

    /// <summary>Every problem of the document with its path, as the node would report it; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(byte[] document)
    {
        try
        {
            LightingScheduleParser.Parse(document);
            return Array.Empty<string>();
        }
        catch (ScheduleFormatException e)
        {
            return e.Errors;
        }
        catch (JsonFormatException e)
        {
            return new[] { e.Message };
        }
    }

    public async Task<IReadOnlyList<LightingProfile>> ListAsync(CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.QueryAsync("SELECT id, document, updated_at, updated_by FROM profiles ORDER BY id", Map);
    }

    public async Task<LightingProfile> GetAsync(string id, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.SingleAsync("SELECT id, document, updated_at, updated_by FROM profiles WHERE id = @id", Map, ("@id", id))
            ?? throw DomainException.NotFound("profile", id);
    }

    /// <summary>Creates or replaces a profile; nodes using it get new config versions.</summary>
    public async Task<(LightingProfile Profile, IReadOnlyList<DesiredConfig> Configs)> PutAsync(string actor, string id, byte[] document, CancellationToken ct = default)
    {
        InventoryService.CheckId("id", id);
        var errors = Validate(document);
        if (errors.Count > 0) throw DomainException.InvalidDocument("lighting schedule", errors);
        var json = JsonDocument.Parse(document).RootElement.GetRawText();
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        await using var tx = await Tx.BeginAsync(_connections, ct);
        await tx.ExecAsync(
            "INSERT INTO profiles (id, document, updated_at, updated_by) VALUES (@id, @d, @at, @by) ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            ("@id", id), ("@d", json), ("@at", now), ("@by", actor));
        var configs = await _configs.RefreshAsync(tx, await DesiredConfigs.NodesUsingProfileAsync(tx, id));
        await _audit.WriteAsync(tx, actor, "profile.put", "profile:" + id, new { configs = configs.Count });
        await tx.CommitAsync();
        return (new LightingProfile(id, JsonDocument.Parse(json).RootElement.Clone(), now, actor), configs);
    }

    public async Task DeleteAsync(string actor, string id, CancellationToken ct = default)
    {
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var users = await tx.QueryAsync(
            "SELECT 'group ' || id FROM node_groups WHERE profile = @id UNION ALL SELECT 'node ' || id FROM nodes WHERE profile = @id AND removed = 0",
            r => r.GetString(0), ("@id", id));
        if (users.Count > 0) throw DomainException.Conflict($"profile '{id}' is assigned to {string.Join(", ", users)}; assign another profile first");
        if (await tx.ExecAsync("DELETE FROM profiles WHERE id = @id", ("@id", id)) == 0) throw DomainException.NotFound("profile", id);
        await _audit.WriteAsync(tx, actor, "profile.delete", "profile:" + id);
        await tx.CommitAsync();
    }

    public async Task<AssignmentResult> AssignToGroupAsync(string actor, string group, string? profile, CancellationToken ct = default)
    {
        await using var tx = await Tx.BeginAsync(_connections, ct);
        if (profile is not null) await RequireProfileAsync(tx, profile);
        if (await tx.ExecAsync("UPDATE node_groups SET profile = @p, updated_at = @at WHERE id = @id",
                ("@p", profile), ("@at", _time.GetUtcNow().ToUnixTimeSeconds()), ("@id", group)) == 0)
        {
            throw DomainException.NotFound("group", group);
        }
        var configs = await _configs.RefreshAsync(tx, await DesiredConfigs.NodesOfGroupAsync(tx, group));
        await _audit.WriteAsync(tx, actor, "group.profile", "group:" + group, new { profile, configs = configs.Count });
        await tx.CommitAsync();
        return new AssignmentResult("group:" + group, profile, configs);
    }

    public async Task<AssignmentResult> AssignToNodeAsync(string actor, string node, string? profile, CancellationToken ct = default)
    {
        await using var tx = await Tx.BeginAsync(_connections, ct);
        if (profile is not null) await RequireProfileAsync(tx, profile);
        var info = await InventoryService.GetNodeAsync(tx, node);
        if (info.Type != Wire.TypeStreetLight) throw DomainException.Conflict($"node '{node}' is a {info.Type}; lighting profiles are for street lights");
        await tx.ExecAsync("UPDATE nodes SET profile = @p, updated_at = @at WHERE id = @id",
            ("@p", profile), ("@at", _time.GetUtcNow().ToUnixTimeSeconds()), ("@id", node));
        var configs = await _configs.RefreshAsync(tx, new[] { node });
        await _audit.WriteAsync(tx, actor, "node.profile", "node:" + node, new { profile });
        await tx.CommitAsync();
        return new AssignmentResult("node:" + node, profile, configs);
    }

    private static async Task RequireProfileAsync(Tx tx, string profile)
    {
        if (await tx.LongAsync("SELECT COUNT(*) FROM profiles WHERE id = @id", ("@id", profile)) == 0)
        {
            throw new DomainException(400, "Unknown reference", $"profile: profile '{profile}' does not exist", new[] { $"profile: profile '{profile}' does not exist" });
        }
    }

    private static LightingProfile Map(System.Data.Common.DbDataReader r) =>
        new(r.GetString(0), JsonDocument.Parse(r.GetString(1)).RootElement.Clone(), r.GetInt64(2), r.GetString(3));
}
