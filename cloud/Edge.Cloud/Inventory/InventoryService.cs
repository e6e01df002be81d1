using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Desired;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Edge.Firmware.Hydro;
using Edge.Firmware.Protocol;
using Edge.Firmware.Time;

namespace Edge.Cloud.Inventory;

/// <summary>
/// Sites, zones, groups and nodes. Every change is audited, rebuilds the desired configs it feeds (a site's
/// time zone, a node's position) and tells the node's gateway (uplink.md §3 <c>nodes</c>), all in one
/// transaction.
/// </summary>
public sealed partial class InventoryService
{
    public static readonly string[] NodeTypes = { Wire.TypeStreetLight, Wire.TypeWaterLevel, Wire.TypeBusStop };

    private readonly IStorageConnections _connections;
    private readonly DesiredConfigs _configs;
    private readonly DesiredChangeLog _changes;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;

    public InventoryService(IStorageConnections connections, DesiredConfigs configs, DesiredChangeLog changes, AuditLog audit, TimeProvider time)
    {
        _connections = connections;
        _configs = configs;
        _changes = changes;
        _audit = audit;
        _time = time;
    }

    /// <summary>Ids of sites, nodes, zones, groups, profiles, rules: protocol.md §2.1.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,31}$")]
    public static partial Regex IdPattern();

    public static void CheckId(string what, string id)
    {
        if (!IdPattern().IsMatch(id)) throw DomainException.Invalid($"{what}: '{id}' does not match {IdPattern()}");
    }

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    // ---- sites ----

    public async Task<IReadOnlyList<SiteInfo>> ListSitesAsync(CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.QueryAsync("SELECT id, name, tz FROM sites ORDER BY id", r => new SiteInfo(r.GetString(0), r.GetString(1), r.GetString(2)));
    }

    public async Task<SiteInfo> PutSiteAsync(string actor, string id, SiteRequest request, CancellationToken ct = default)
    {
        CheckId("id", id);
        var tz = request.Tz ?? DesiredConfigs.DefaultTz;
        if (!PosixTimeZone.TryParse(tz, out _, out var error)) throw DomainException.Invalid($"tz: {error}");
        if (string.IsNullOrWhiteSpace(request.Name)) throw DomainException.Invalid("name: required");
        await using var tx = await Tx.BeginAsync(_connections, ct);
        await tx.ExecAsync(
            "INSERT INTO sites (id, name, tz, updated_at) VALUES (@id, @n, @tz, @at) ON CONFLICT (id) DO UPDATE SET name = excluded.name, tz = excluded.tz, updated_at = excluded.updated_at",
            ("@id", id), ("@n", request.Name), ("@tz", tz), ("@at", Now));
        await _configs.RefreshAsync(tx, await DesiredConfigs.NodesOfSiteAsync(tx, id));
        await _audit.WriteAsync(tx, actor, "site.put", "site:" + id, request);
        await tx.CommitAsync();
        return new SiteInfo(id, request.Name, tz);
    }

    // ---- zones ----

    public async Task<IReadOnlyList<ZoneInfo>> ListZonesAsync(CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.QueryAsync("SELECT id, site, name FROM zones ORDER BY id", r => new ZoneInfo(r.GetString(0), r.GetString(1), r.GetString(2)));
    }

    public async Task<ZoneInfo> PutZoneAsync(string actor, string id, ZoneRequest request, CancellationToken ct = default)
    {
        CheckId("id", id);
        if (string.IsNullOrWhiteSpace(request.Name)) throw DomainException.Invalid("name: required");
        await using var tx = await Tx.BeginAsync(_connections, ct);
        await RequireAsync(tx, "sites", "site", request.Site);
        await tx.ExecAsync(
            "INSERT INTO zones (id, site, name, updated_at) VALUES (@id, @s, @n, @at) ON CONFLICT (id) DO UPDATE SET site = excluded.site, name = excluded.name, updated_at = excluded.updated_at",
            ("@id", id), ("@s", request.Site), ("@n", request.Name), ("@at", Now));
        await _audit.WriteAsync(tx, actor, "zone.put", "zone:" + id, request);
        await tx.CommitAsync();
        return new ZoneInfo(id, request.Site, request.Name);
    }

    // ---- groups ----

    public async Task<IReadOnlyList<GroupInfo>> ListGroupsAsync(CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.QueryAsync("SELECT id, site, name, profile FROM node_groups ORDER BY id", MapGroup);
    }

    public async Task<GroupInfo> GetGroupAsync(string id, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.SingleAsync("SELECT id, site, name, profile FROM node_groups WHERE id = @id", MapGroup, ("@id", id))
            ?? throw DomainException.NotFound("group", id);
    }

    public async Task<GroupInfo> PutGroupAsync(string actor, string id, GroupRequest request, CancellationToken ct = default)
    {
        CheckId("id", id);
        if (string.IsNullOrWhiteSpace(request.Name)) throw DomainException.Invalid("name: required");
        await using var tx = await Tx.BeginAsync(_connections, ct);
        await RequireAsync(tx, "sites", "site", request.Site);
        await tx.ExecAsync(
            "INSERT INTO node_groups (id, site, name, updated_at) VALUES (@id, @s, @n, @at) ON CONFLICT (id) DO UPDATE SET site = excluded.site, name = excluded.name, updated_at = excluded.updated_at",
            ("@id", id), ("@s", request.Site), ("@n", request.Name), ("@at", Now));
        await _audit.WriteAsync(tx, actor, "group.put", "group:" + id, request);
        var group = await tx.SingleAsync("SELECT id, site, name, profile FROM node_groups WHERE id = @id", MapGroup, ("@id", id));
        await tx.CommitAsync();
        return group!;
    }

    private static GroupInfo MapGroup(System.Data.Common.DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.Str(3));

    // ---- nodes ----

    private const string NodeSelect = """
        SELECT n.id, n.site, n.type, n.gateway, n.model, n.firmware, n.lat, n.lon, n.pole, n.zone, n.grp, n.installed_by, n.installed_at,
               n.profile, COALESCE(n.profile, g.profile), n.secret_hash, n.gauge_config, n.busstop_config, n.updated_at,
               d.version, s.status, s.last_seen, s.config_version, s.display_version, s.fw, n.rated_watts
        FROM nodes n
        LEFT JOIN node_groups g ON g.id = n.grp
        LEFT JOIN desired_configs d ON d.node = n.id
        LEFT JOIN node_state s ON s.node = n.id AND s.site = n.site
        """;

    private static NodeInfo MapNode(System.Data.Common.DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.Str(3), r.Str(4), r.Str(5), r.Dbl(6), r.Dbl(7), r.Str(8), r.Str(9), r.Str(10),
        r.Str(11), r.Long(12), r.Str(13), r.Str(14), r.Str(15) is not null, Parse(r.Str(16)), Parse(r.Str(17)), r.GetInt64(18),
        r.Long(19), r.Str(20), r.Long(21), r.Long(22), r.Long(23), r.Str(24)) { RatedWatts = r.Dbl(25) };

    private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>Nodes, filtered by any of site, group, zone, gateway, type.</summary>
    public async Task<IReadOnlyList<NodeInfo>> ListNodesAsync(string? site, string? group, string? zone, string? gateway, string? type, CancellationToken ct = default)
    {
        var where = new List<string> { "n.removed = 0" };
        var parameters = new List<(string, object?)>();
        void Filter(string column, string name, string? value)
        {
            if (value is null) return;
            where.Add($"{column} = {name}");
            parameters.Add((name, value));
        }
        Filter("n.site", "@site", site);
        Filter("n.grp", "@grp", group);
        Filter("n.zone", "@zone", zone);
        Filter("n.gateway", "@gw", gateway);
        Filter("n.type", "@type", type);
        await using var tx = await Tx.ReadAsync(_connections, ct);
        var nodes = await tx.QueryAsync(NodeSelect + " WHERE " + string.Join(" AND ", where) + " ORDER BY n.id", MapNode, parameters.ToArray());
        var conditions = await NodeCondition.LatestAsync(tx, string.Join(" AND ", where), parameters.ToArray());
        return nodes.Select(n => n with { Condition = conditions.GetValueOrDefault(n.Id) }).ToList();
    }

    /// <summary>The node with its latest reported condition.</summary>
    public async Task<NodeInfo> GetNodeAsync(string id, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        var node = await GetNodeAsync(tx, id);
        return node with { Condition = (await NodeCondition.LatestAsync(tx, "n.id = @id", ("@id", id))).GetValueOrDefault(id) };
    }

    public static async Task<NodeInfo> GetNodeAsync(Tx tx, string id) =>
        await tx.SingleAsync(NodeSelect + " WHERE n.id = @id AND n.removed = 0", MapNode, ("@id", id)) ?? throw DomainException.NotFound("node", id);

    /// <summary>The range of a street lamp's rated power in W: from a small LED lantern to a high-mast floodlight.</summary>
    public const double MinRatedWatts = 1, MaxRatedWatts = 2000;

        /// <summary>Registers or changes a node, every field (installers and admins: provisioning).</summary>
    public Task<NodeInfo> PutNodeAsync(string actor, string id, NodeRequest request, CancellationToken ct = default) =>
        PutNodeAsync(actor, id, request, maintenanceOnly: false, ct);

    /// <summary>The inventory upkeep a lighting technician does on a registered node: <see cref="MaintainedFields"/>
    /// (zone, group, pole, a street lamp's rated power) may change; anything else the request changes — site, type, gateway, model, firmware,
    /// position, installation facts — and registering a new node are provisioning, refused with 403 and nothing saved.
    /// Same checks and the same <c>node.update</c> audit entry as <see cref="PutNodeAsync(string, string, NodeRequest, CancellationToken)"/>.</summary>
    public Task<NodeInfo> MaintainNodeAsync(string actor, string id, NodeRequest request, CancellationToken ct = default) =>
        PutNodeAsync(actor, id, request, maintenanceOnly: true, ct);

    /// <summary>The fields of a registered node that inventory upkeep (technicians) may change.</summary>
    public static readonly IReadOnlyList<string> MaintainedFields = ["zone", "group", "pole", "ratedWatts"];

    private async Task<NodeInfo> PutNodeAsync(string actor, string id, NodeRequest request, bool maintenanceOnly, CancellationToken ct)
    {
        CheckId("id", id);
        var errors = new List<string>();
        if (!NodeTypes.Contains(request.Type)) errors.Add($"type: '{request.Type}' is not one of {string.Join(", ", NodeTypes)}");
        if (request.Lat is { } lat && (lat < -90 || lat > 90 || double.IsNaN(lat))) errors.Add($"lat: {lat} is out of range -90..90");
        if (request.Lon is { } lon && (lon < -180 || lon > 180 || double.IsNaN(lon))) errors.Add($"lon: {lon} is out of range -180..180");
        if ((request.Lat is null) != (request.Lon is null)) errors.Add((request.Lat is null ? "lat" : "lon") + ": lat and lon come together");
        if (request.RatedWatts is { } watts)
        {
            if (request.Type != "streetlight") errors.Add($"ratedWatts: only a street light has a rated power (this node is a {request.Type})");
            else if (!(watts >= MinRatedWatts && watts <= MaxRatedWatts))
                errors.Add($"ratedWatts: {watts.ToString(System.Globalization.CultureInfo.InvariantCulture)} is out of range {MinRatedWatts}..{MaxRatedWatts} W");
        }
        if (errors.Count > 0) throw DomainException.InvalidDocument("node", errors);

        await using var tx = await Tx.BeginAsync(_connections, ct);
        await RequireAsync(tx, "sites", "site", request.Site);
        if (request.Zone is not null) await RequireInSiteAsync(tx, "zones", "zone", request.Zone, request.Site);
        if (request.Group is not null) await RequireInSiteAsync(tx, "node_groups", "group", request.Group, request.Site);
        if (request.Gateway is not null) await RequireAsync(tx, "gateways", "gateway", request.Gateway);
        var old = await tx.SingleAsync("SELECT type, gateway, removed, installed_by, installed_at, site, model, firmware, lat, lon FROM nodes WHERE id = @id",
            r => new OldNode(r.GetString(0), r.Str(1), r.Bool(2), r.Str(3), r.Long(4), r.GetString(5), r.Str(6), r.Str(7), r.Dbl(8), r.Dbl(9)), ("@id", id));
        if (maintenanceOnly) RefuseProvisioning(id, old, request);
        if (old is not null && !old.Removed && old.Type != request.Type)
        {
            throw DomainException.Conflict($"node '{id}' is a {old.Type}; a node does not change type (remove it and register a new id)");
        }
        var fresh = old is null || old.Removed;
        var installedBy = request.InstalledBy ?? (fresh ? actor : old!.InstalledBy);
        var installedAt = request.InstalledAt ?? (fresh ? Now : old!.InstalledAt);
        await tx.ExecAsync(
            """
            INSERT INTO nodes (id, site, type, gateway, model, firmware, lat, lon, pole, zone, grp, installed_by, installed_at, rated_watts, removed, updated_at)
            VALUES (@id, @site, @type, @gw, @model, @fw, @lat, @lon, @pole, @zone, @grp, @by, @at, @watts, 0, @now)
            ON CONFLICT (id) DO UPDATE SET site = excluded.site, type = excluded.type, gateway = excluded.gateway, model = excluded.model,
              firmware = excluded.firmware, lat = excluded.lat, lon = excluded.lon, pole = excluded.pole, zone = excluded.zone, grp = excluded.grp,
              installed_by = excluded.installed_by, installed_at = excluded.installed_at, rated_watts = excluded.rated_watts, removed = 0, updated_at = excluded.updated_at
            """,
            ("@id", id), ("@site", request.Site), ("@type", request.Type), ("@gw", request.Gateway), ("@model", request.Model), ("@fw", request.Firmware),
            ("@lat", request.Lat), ("@lon", request.Lon), ("@pole", request.Pole), ("@zone", request.Zone), ("@grp", request.Group),
            ("@by", installedBy), ("@at", installedAt), ("@watts", request.RatedWatts), ("@now", Now));
        if (fresh && old is not null)
        {
            // A re-registered id starts without the old node's assignments and secret.
            await tx.ExecAsync("UPDATE nodes SET profile = NULL, gauge_config = NULL, busstop_config = NULL, secret_hash = NULL WHERE id = @id", ("@id", id));
        }
        await NodeChangedAsync(tx, id, old is null || old.Removed ? null : old.Gateway, request.Gateway);
        await _audit.WriteAsync(tx, actor, fresh ? "node.create" : "node.update", "node:" + id, request);
        var node = await GetNodeAsync(tx, id);
        await tx.CommitAsync();
        return node;
    }

    /// <summary>Removes a node from the inventory: its gateway drops its credentials and retained messages.</summary>
    public async Task RemoveNodeAsync(string actor, string id, CancellationToken ct = default)
    {
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var node = await GetNodeAsync(tx, id);
        await tx.ExecAsync("UPDATE nodes SET removed = 1, updated_at = @now WHERE id = @id", ("@id", id), ("@now", Now));
        await tx.ExecAsync("UPDATE commands SET status = 'expired', result_at = @now, message = 'node removed' WHERE node = @id AND status IN ('pending', 'delivered')",
            ("@id", id), ("@now", Now));
        await _changes.AppendAsync(tx, node.Gateway, DesiredChangeLog.Node, id);
        await _audit.WriteAsync(tx, actor, "node.remove", "node:" + id);
        await tx.CommitAsync();
    }

    /// <summary>Issues a new secret (the old one stops working once the gateway has the new hash).</summary>
    public async Task<NodeSecret> NewSecretAsync(string actor, string id, CancellationToken ct = default)
    {
        var secret = NodeSecrets.NewSecret();
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var node = await GetNodeAsync(tx, id);
        await tx.ExecAsync("UPDATE nodes SET secret_hash = @h, updated_at = @now WHERE id = @id", ("@h", NodeSecrets.Hash(secret)), ("@id", id), ("@now", Now));
        await _changes.AppendAsync(tx, node.Gateway, DesiredChangeLog.Node, id);
        await _audit.WriteAsync(tx, actor, "node.secret", "node:" + id);
        await tx.CommitAsync();
        return new NodeSecret(id, secret);
    }

    /// <summary>Sets a water node's gauge configuration (docs/water-gauge.md), validated by the firmware's
    /// <see cref="GaugeConfigReader"/>; null removes it.</summary>
    public async Task<NodeInfo> PutGaugeConfigAsync(string actor, string id, byte[] document, CancellationToken ct = default)
    {
        try
        {
            GaugeConfigReader.Parse(document);
        }
        catch (GaugeConfigException e)
        {
            throw DomainException.InvalidDocument("gauge config", e.Errors);
        }
        catch (JsonFormatException e)
        {
            throw DomainException.InvalidDocument("gauge config", new[] { e.Message });
        }
        return await SetNodeDocumentAsync(actor, id, Wire.TypeWaterLevel, "gauge_config", "node.gauge-config", Canonical(document));
    }

    /// <summary>Sets a bus stop's panel settings (protocol.md §9.7); checked inside the whole envelope by the
    /// node's <see cref="ConfigDecoder"/> when the config is rebuilt.</summary>
    public async Task<NodeInfo> PutBusStopConfigAsync(string actor, string id, byte[] document, CancellationToken ct = default)
    {
        string json;
        try
        {
            json = Canonical(document);
        }
        catch (JsonException e)
        {
            throw DomainException.Invalid($"body: {e.Message}");
        }
        return await SetNodeDocumentAsync(actor, id, Wire.TypeBusStop, "busstop_config", "node.busstop-config", json, ct);
    }

    private async Task<NodeInfo> SetNodeDocumentAsync(string actor, string id, string type, string column, string action, string json, CancellationToken ct = default)
    {
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var node = await GetNodeAsync(tx, id);
        if (node.Type != type) throw DomainException.Conflict($"node '{id}' is a {node.Type}; this setting is for {type} nodes");
        await tx.ExecAsync($"UPDATE nodes SET {column} = @d, updated_at = @now WHERE id = @id", ("@d", json), ("@id", id), ("@now", Now));
        await _configs.RefreshAsync(tx, new[] { id });
        await _audit.WriteAsync(tx, actor, action, "node:" + id, JsonDocument.Parse(json).RootElement);
        node = await GetNodeAsync(tx, id);
        await tx.CommitAsync();
        return node;
    }

    /// <summary>The node's desired config and its gateway's view of it follow any inventory change.</summary>
    private async Task NodeChangedAsync(Tx tx, string id, string? oldGateway, string? newGateway)
    {
        await _configs.RefreshAsync(tx, new[] { id });
        if (oldGateway is not null && oldGateway != newGateway) await _changes.AppendAsync(tx, oldGateway, DesiredChangeLog.Node, id);
        await _changes.AppendAsync(tx, newGateway, DesiredChangeLog.Node, id);
    }

    private static string Canonical(byte[] document) => JsonDocument.Parse(document).RootElement.GetRawText();

    private static async Task RequireAsync(Tx tx, string table, string what, string id)
    {
        if (await tx.LongAsync($"SELECT COUNT(*) FROM {table} WHERE id = @id", ("@id", id)) == 0)
        {
            throw new DomainException(400, "Unknown reference", $"{what}: {what} '{id}' does not exist", new[] { $"{what}: {what} '{id}' does not exist" });
        }
    }

    private static async Task RequireInSiteAsync(Tx tx, string table, string what, string id, string site)
    {
        await RequireAsync(tx, table, what, id);
        if (await tx.LongAsync($"SELECT COUNT(*) FROM {table} WHERE id = @id AND site = @s", ("@id", id), ("@s", site)) == 0)
        {
            throw DomainException.Invalid($"{what}: {what} '{id}' belongs to another site than '{site}'");
        }
    }

    private sealed record OldNode(string Type, string? Gateway, bool Removed, string? InstalledBy, long? InstalledAt,
        string Site, string? Model, string? Firmware, double? Lat, double? Lon);

    /// <summary>Inventory upkeep changes only <see cref="MaintainedFields"/> of a registered node (null installation facts
    /// mean "keep"); anything else is the installers' (403, naming the fields).</summary>
    private static void RefuseProvisioning(string id, OldNode? old, NodeRequest request)
    {
        if (old is null || old.Removed)
        {
            throw new DomainException(403, "Forbidden", $"node '{id}' is not registered: registering a node needs role installer or admin");
        }
        var changed = new List<string>();
        if (request.Site != old.Site) changed.Add("site");
        if (request.Type != old.Type) changed.Add("type");
        if (request.Gateway != old.Gateway) changed.Add("gateway");
        if (request.Model != old.Model) changed.Add("model");
        if (request.Firmware != old.Firmware) changed.Add("firmware");
        if (request.Lat != old.Lat) changed.Add("lat");
        if (request.Lon != old.Lon) changed.Add("lon");
        if (request.InstalledBy is not null && request.InstalledBy != old.InstalledBy) changed.Add("installedBy");
        if (request.InstalledAt is not null && request.InstalledAt != old.InstalledAt) changed.Add("installedAt");
        if (changed.Count > 0)
        {
            throw new DomainException(403, "Forbidden",
                $"{string.Join(", ", changed)}: changing these needs role installer or admin; inventory upkeep changes {string.Join(", ", MaintainedFields)} only",
                changed.Select(f => $"{f}: changing it needs role installer or admin").ToList());
        }
    }
}
