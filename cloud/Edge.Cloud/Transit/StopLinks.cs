using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Domain;
using Edge.Cloud.Inventory;
using Edge.Cloud.Storage;
using Edge.Firmware.Protocol;

namespace Edge.Cloud.Transit;

/// <summary>A bus-stop node's GTFS stops (both platforms of a stop can feed one sign) and, optionally, the sign's
/// name in Greek and English where the feed has no translation for it.</summary>
public sealed record StopLinksRequest(IReadOnlyList<string> StopIds, StopName? Name = null);

public sealed record StopLinksInfo(string Node, IReadOnlyList<string> StopIds, StopName? Name);

/// <summary>A stop's name in the inventory, Greek and English.</summary>
public sealed record StopName(string El, string En);

/// <summary>
/// Links bus-stop nodes of the inventory to GTFS <c>stop_id</c>s. The links belong to the inventory, not to a
/// feed version: they survive feed switches, and a stop id the active feed does not have is refused when set
/// (a later feed that drops it leaves the node with no departures, visible in its timetable).
/// </summary>
public sealed class StopLinks
{
    public const int MaxStopsPerNode = 8;

    private readonly IStorageConnections _connections;
    private readonly AuditLog _audit;

    public StopLinks(IStorageConnections connections, AuditLog audit)
    {
        _connections = connections;
        _audit = audit;
    }

    /// <summary>Raised after a node's links changed (its timetable is due).</summary>
    public event Action<string>? Changed;

    public async Task<StopLinksInfo> GetAsync(string node, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        await InventoryService.GetNodeAsync(tx, node);
        return new StopLinksInfo(node, await StopIdsAsync(tx, node), await NameAsync(tx, node));
    }

    /// <summary>The node's name in the inventory, or null.</summary>
    public static Task<StopName?> NameAsync(Tx tx, string node) =>
        tx.SingleAsync("SELECT name_el, name_en FROM transit_stop_names WHERE node = @n", r => new StopName(r.GetString(0), r.GetString(1)), ("@n", node));

    public static Task<List<string>> StopIdsAsync(Tx tx, string node) =>
        tx.QueryAsync("SELECT stop_id FROM transit_stop_links WHERE node = @n ORDER BY stop_id", r => r.GetString(0), ("@n", node));

    public async Task<StopLinksInfo> PutAsync(string actor, string node, StopLinksRequest request, CancellationToken ct = default)
    {
        var ids = (request.StopIds ?? throw DomainException.Invalid("stopIds: required")).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count > MaxStopsPerNode) throw DomainException.Invalid($"stopIds: at most {MaxStopsPerNode} stops per node");
        if (ids.Any(string.IsNullOrWhiteSpace)) throw DomainException.Invalid("stopIds: a stop id is empty");
        if (request.Name is { } name)
        {
            foreach (var (field, text) in new[] { ("name.el", name.El), ("name.en", name.En) })
            {
                if (string.IsNullOrWhiteSpace(text)) throw DomainException.Invalid($"{field}: required when name is given");
                if (text.Length > Firmware.Transit.DisplayContentParser.MaxTextLength || text.Any(char.IsControl))
                    throw DomainException.Invalid($"{field}: at most {Firmware.Transit.DisplayContentParser.MaxTextLength} characters, no control characters");
            }
        }
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var info = await InventoryService.GetNodeAsync(tx, node);
        if (info.Type != Wire.TypeBusStop) throw DomainException.Conflict($"node '{node}' is a {info.Type}; GTFS stops link to bus stops");
        var feed = await GtfsStore.ActiveAsync(tx);
        if (ids.Count > 0 && feed is null) throw DomainException.Conflict("no GTFS feed is active yet: import one first (POST /api/v1/transit/feeds)");
        var unknown = new List<string>();
        foreach (var id in ids)
        {
            if (await tx.LongAsync("SELECT 1 FROM transit_stops WHERE feed = @f AND stop_id = @s", ("@f", feed!.Feed), ("@s", id)) is null) unknown.Add(id);
        }
        if (unknown.Count > 0) throw DomainException.InvalidDocument("stopIds", unknown.Select(u => $"stopIds: '{u}' is not a stop of the active feed {feed!.Feed}").ToList());
        await tx.ExecAsync("DELETE FROM transit_stop_links WHERE node = @n", ("@n", node));
        foreach (var id in ids) await tx.ExecAsync("INSERT INTO transit_stop_links (node, stop_id) VALUES (@n, @s)", ("@n", node), ("@s", id));
        await tx.ExecAsync("DELETE FROM transit_stop_names WHERE node = @n", ("@n", node));
        if (request.Name is { } stopName)
        {
            await tx.ExecAsync("INSERT INTO transit_stop_names (node, name_el, name_en) VALUES (@n, @el, @en)", ("@n", node), ("@el", stopName.El.Trim()), ("@en", stopName.En.Trim()));
        }
        await _audit.WriteAsync(tx, actor, "node.gtfs-stops", "node:" + node, new { stopIds = ids, name = request.Name });
        tx.AfterCommit(() => Changed?.Invoke(node));
        await tx.CommitAsync();
        return new StopLinksInfo(node, ids.Order(StringComparer.Ordinal).ToList(), request.Name is { } n ? new StopName(n.El.Trim(), n.En.Trim()) : null);
    }
}
