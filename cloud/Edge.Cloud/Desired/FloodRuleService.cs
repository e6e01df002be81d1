using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Domain;
using Edge.Cloud.Inventory;
using Edge.Cloud.Storage;

namespace Edge.Cloud.Desired;

/// <summary>A banner's title, Greek and English (docs/display-content.md: ≤ 60 characters each).</summary>
public sealed record BannerTitle(string El, string En);

/// <summary>
/// A flood rule's banner: the text (<see cref="El"/>, <see cref="En"/>, ≤ 400 characters each) and its title. Without a
/// title the gateway heads the text with its standard one ("Κίνδυνος πλημμύρας" / "Flood warning"), so a short text is
/// never shown twice, as title and as body.
/// </summary>
public sealed record BannerText(string El, string En, BannerTitle? Title = null);

public sealed record SirenOutput(int Gpio, bool ActiveHigh);

public sealed record FloodRuleActions(BannerText? Banner, int? LightsLevel, SirenOutput? Siren);

/// <summary>A local flood rule as the gateway runs it (uplink.md §3 <c>rules</c>): when a water node of
/// <see cref="Zone"/> enters one of the <see cref="On"/> states, show the banner on the zone's stops, set its
/// lights, switch the siren relay.</summary>
public sealed record FloodRule(string Id, string Zone, IReadOnlyList<string> On, FloodRuleActions Actions);

public sealed record FloodRuleRequest(string Zone, IReadOnlyList<string> On, FloodRuleActions Actions);

/// <summary>Flood rules per zone. A change goes to every gateway with nodes in the zone.</summary>
public sealed class FloodRuleService
{
    private static readonly string[] States = { "watch", "warning", "alarm" };

    private readonly IStorageConnections _connections;
    private readonly DesiredChangeLog _changes;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;

    public FloodRuleService(IStorageConnections connections, DesiredChangeLog changes, AuditLog audit, TimeProvider time)
    {
        _connections = connections;
        _changes = changes;
        _audit = audit;
        _time = time;
    }

    public async Task<IReadOnlyList<FloodRule>> ListAsync(CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.QueryAsync("SELECT document FROM flood_rules ORDER BY id", Map);
    }

    public static FloodRule Map(System.Data.Common.DbDataReader r) => JsonSerializer.Deserialize<FloodRule>(r.GetString(0), Api.Json)!;

    public static Task<List<FloodRule>> ForZonesAsync(Tx tx, string gateway) =>
        tx.QueryAsync("SELECT document FROM flood_rules WHERE zone IN (SELECT zone FROM nodes WHERE gateway = @g AND removed = 0 AND zone IS NOT NULL) ORDER BY id",
            Map, ("@g", gateway));

    public async Task<FloodRule> PutAsync(string actor, string id, FloodRuleRequest request, CancellationToken ct = default)
    {
        InventoryService.CheckId("id", id);
        var errors = new List<string>();
        if (request.On is null || request.On.Count == 0) errors.Add("on: list at least one of watch, warning, alarm");
        else for (var i = 0; i < request.On.Count; i++) if (!States.Contains(request.On[i])) errors.Add($"on[{i}]: '{request.On[i]}' is not one of watch, warning, alarm");
        var actions = request.Actions ?? new FloodRuleActions(null, null, null);
        if (actions.LightsLevel is { } level && (level < 0 || level > 100)) errors.Add($"actions.lightsLevel: {level} is out of range 0..100");
        if (actions.Siren is { } siren && (siren.Gpio < 0 || siren.Gpio > 39)) errors.Add($"actions.siren.gpio: {siren.Gpio} is out of range 0..39");
        if (actions.Banner is { } banner)
        {
            if (string.IsNullOrWhiteSpace(banner.El) || banner.El.Length > 400) errors.Add("actions.banner.el: 1..400 characters required");
            if (string.IsNullOrWhiteSpace(banner.En) || banner.En.Length > 400) errors.Add("actions.banner.en: 1..400 characters required");
            if (banner.Title is { } title)
            {
                if (string.IsNullOrWhiteSpace(title.El) || title.El.Length > 60) errors.Add("actions.banner.title.el: 1..60 characters required");
                if (string.IsNullOrWhiteSpace(title.En) || title.En.Length > 60) errors.Add("actions.banner.title.en: 1..60 characters required");
            }
        }
        if (actions.Banner is null && actions.LightsLevel is null && actions.Siren is null) errors.Add("actions: give at least one of banner, lightsLevel, siren");
        if (errors.Count > 0) throw DomainException.InvalidDocument("flood rule", errors);

        await using var tx = await Tx.BeginAsync(_connections, ct);
        if (await tx.LongAsync("SELECT COUNT(*) FROM zones WHERE id = @z", ("@z", request.Zone)) == 0)
        {
            throw new DomainException(400, "Unknown reference", $"zone: zone '{request.Zone}' does not exist", new[] { $"zone: zone '{request.Zone}' does not exist" });
        }
        var rule = new FloodRule(id, request.Zone, request.On!, actions);
        var oldZone = await tx.SingleAsync("SELECT zone FROM flood_rules WHERE id = @id", r => r.GetString(0), ("@id", id));
        await tx.ExecAsync(
            "INSERT INTO flood_rules (id, zone, document, updated_at) VALUES (@id, @z, @d, @at) ON CONFLICT (id) DO UPDATE SET zone = excluded.zone, document = excluded.document, updated_at = excluded.updated_at",
            ("@id", id), ("@z", request.Zone), ("@d", JsonSerializer.Serialize(rule, Api.Json)), ("@at", _time.GetUtcNow().ToUnixTimeSeconds()));
        var gateways = await tx.QueryAsync("SELECT DISTINCT gateway FROM nodes WHERE (zone = @z OR zone = @old) AND removed = 0 AND gateway IS NOT NULL",
            r => r.GetString(0), ("@z", request.Zone), ("@old", oldZone ?? request.Zone));
        foreach (var gateway in gateways) await _changes.AppendAsync(tx, gateway, DesiredChangeLog.Rule, id);
        await _audit.WriteAsync(tx, actor, "rule.put", "rule:" + id, rule);
        await tx.CommitAsync();
        return rule;
    }
}
