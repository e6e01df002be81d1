using System;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Desired;
using Edge.Cloud.Domain;
using Edge.Cloud.Inventory;
using Edge.Cloud.Storage;

namespace Edge.Cloud.Commissioning;

/// <summary>A replacement: the retired node, the device that took its place, and the pole.</summary>
public sealed record ReplaceRequest(string NewNode);

/// <summary>A replacement done. <c>CommissioningMoved</c>: the commissioning results now in the new node's history (the
/// pole's, read through <see cref="PoleHistory"/>; the rows stay under the device they tested).</summary>
public sealed record ReplacementInfo(string OldNode, string NewNode, string Site, string? Pole, long At, string Actor, int CommissioningMoved, int AlarmsCleared);

/// <summary>
/// Replacing a device on a pole: in one transaction the new node is registered with everything the pole's node had
/// (site, type, gateway, position, pole, zone, group, profile, gauge and bus-stop settings — not the secret: the new
/// device is provisioned with its own), the old node is retired (removed: its gateway drops its credentials, its open
/// commands expire, its open alarms clear, the cloud refuses its records), and the replacement is recorded and audited
/// (<c>node.replace</c>). The recorded replacement is what moves the pole's history: the new node's telemetry, events
/// and commissioning read its predecessors' too (<see cref="PoleHistory"/>), while each row keeps the id of the device
/// that produced it.
/// </summary>
public sealed class NodeReplacement
{
    private readonly IStorageConnections _connections;
    private readonly DesiredConfigs _configs;
    private readonly DesiredChangeLog _changes;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;

    public NodeReplacement(IStorageConnections connections, DesiredConfigs configs, DesiredChangeLog changes, AuditLog audit, TimeProvider time)
    {
        _connections = connections;
        _configs = configs;
        _changes = changes;
        _audit = audit;
        _time = time;
    }

    public async Task<ReplacementInfo> ReplaceAsync(string actor, string oldId, ReplaceRequest request, CancellationToken ct = default)
    {
        string newId = request.NewNode ?? "";
        if (!Edge.Firmware.Provisioning.ProvisioningRecord.IsId(newId)) throw DomainException.Invalid("newNode: '" + newId + "' is not 1-32 lower-case letters, digits or '-' (protocol §2.1)");
        if (newId == oldId) throw DomainException.Invalid("newNode: a node cannot replace itself");
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var old = await InventoryService.GetNodeAsync(tx, oldId);
        if (await tx.LongAsync("SELECT COUNT(*) FROM nodes WHERE id = @id", ("@id", newId)) > 0)
            throw new DomainException(409, "Conflict", "node '" + newId + "' already exists (also when removed: ids are not reused)");
        await tx.ExecAsync("""
            INSERT INTO nodes (id, site, type, gateway, model, firmware, lat, lon, pole, zone, grp, installed_by, installed_at, profile,
                               gauge_config, busstop_config, rated_watts, secret_hash, removed, updated_at)
            SELECT @new, site, type, gateway, NULL, NULL, lat, lon, pole, zone, grp, @actor, @now, profile,
                   gauge_config, busstop_config, rated_watts, NULL, 0, @now
            FROM nodes WHERE id = @old
            """, ("@new", newId), ("@old", oldId), ("@actor", actor), ("@now", now));
        await tx.ExecAsync("UPDATE nodes SET removed = 1, updated_at = @now WHERE id = @old", ("@old", oldId), ("@now", now));
        await tx.ExecAsync("UPDATE commands SET status = 'expired', result_at = @now, message = 'node replaced' WHERE node = @old AND status IN ('pending', 'delivered')",
            ("@old", oldId), ("@now", now));
        var (devices, deviceParameters) = await PoleHistory.ConditionAsync(tx, "node", oldId);
        int moved = (int)(await tx.LongAsync("SELECT COUNT(*) FROM node_commissioning WHERE " + devices, deviceParameters) ?? 0);
        int cleared = await tx.ExecAsync("UPDATE alarms SET status = 'cleared', cleared_at = @now, updated_at = @now WHERE node = @old AND status IN ('open', 'acknowledged')",
            ("@old", oldId), ("@now", now));
        await tx.ExecAsync("INSERT INTO node_replacements (old_node, new_node, site, pole, at, actor) VALUES (@old, @new, @site, @pole, @now, @actor)",
            ("@old", oldId), ("@new", newId), ("@site", old.Site), ("@pole", old.Pole), ("@now", now), ("@actor", actor));
        await _configs.RefreshAsync(tx, new[] { newId });
        await _changes.AppendAsync(tx, old.Gateway, DesiredChangeLog.Node, oldId);
        await _changes.AppendAsync(tx, old.Gateway, DesiredChangeLog.Node, newId);
        await _audit.WriteAsync(tx, actor, "node.replace", "node:" + oldId, new { replacedBy = newId, pole = old.Pole, commissioningMoved = moved, alarmsCleared = cleared });
        await tx.CommitAsync();
        return new ReplacementInfo(oldId, newId, old.Site, old.Pole, now, actor, moved, cleared);
    }
}
