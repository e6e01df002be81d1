using System;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Desired;
using Edge.Cloud.Inventory;
using Edge.Cloud.Lighting;
using Edge.Cloud.Transit;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Sim.Demo;

/// <summary>
/// Seeds the demo site on first run through the cloud's own domain services (the same code the API calls), each
/// change audited under the role that would make it: the installer sets up the inventory, the technician the
/// profiles, assignments, displays and flood rules. Users and the gateway come from configuration (Users:Seed,
/// Gateways:Seed), which the cloud applies at every start when missing.
/// </summary>
public static class DemoSeeder
{
    private const string Installer = "installer";
    private const string Technician = "technician";

    public static async Task SeedAsync(IServiceProvider cloud, FleetPlan fleet, DemoState state, CancellationToken ct)
    {
        var inventory = cloud.GetRequiredService<InventoryService>();
        var profiles = cloud.GetRequiredService<ProfileService>();
        var rules = cloud.GetRequiredService<FloodRuleService>();

        await inventory.PutSiteAsync(Installer, fleet.Site, new SiteRequest(fleet.SiteName, null), ct);
        foreach (var zone in fleet.Zones)
            await inventory.PutZoneAsync(Installer, zone.Id, new ZoneRequest(fleet.Site, zone.NameEn + " / " + zone.NameEl), ct);
        foreach (var group in fleet.Groups)
            await inventory.PutGroupAsync(Installer, group.Id, new GroupRequest(fleet.Site, group.Name), ct);

        foreach (var node in fleet.Nodes)
        {
            await inventory.PutNodeAsync(Installer, node.Id, new NodeRequest(
                fleet.Site, node.Type, fleet.Gateway, Model(node.Type), "1.0.0-host", node.Lat, node.Lon, node.Pole,
                node.Zone, node.Group, Installer, null), ct);
            var secret = await inventory.NewSecretAsync(Installer, node.Id, ct);
            state.NodeSecrets[node.Id] = secret.Secret;
            if (node.Type == "waterlevel")
                await inventory.PutGaugeConfigAsync(Installer, node.Id, Encoding.UTF8.GetBytes(DemoDocuments.GaugeConfig()), ct);
            else if (node.Type == "busstop")
                await inventory.PutBusStopConfigAsync(Installer, node.Id, Encoding.UTF8.GetBytes(DemoDocuments.BusStopConfig), ct);
        }

        await profiles.PutAsync(Technician, fleet.Profile, DemoDocuments.Profile(), ct);
        foreach (var group in fleet.Groups)
            await profiles.AssignToGroupAsync(Technician, group.Id, fleet.Profile, ct);

        foreach (var zone in fleet.Zones)
        {
            await rules.PutAsync(Technician, "flood-" + zone.Id, new FloodRuleRequest(zone.Id, new[] { "warning", "alarm" },
                new FloodRuleActions(
                    new BannerText(zone.NameEl + ": η στάθμη του ρέματος ανεβαίνει. Αποφύγετε τα ρέματα και τις γέφυρές τους.",
                        zone.NameEn + ": the stream is rising. Keep away from the streams and their bridges.",
                        new BannerTitle("Κίνδυνος πλημμύρας", "Flood warning")),
                    100, null)), ct);
        }
    }

    /// <summary>Links each bus stop that has no links yet to its stops in the agency's feed, with its bilingual name
    /// for where the feed has no translation (every start: a data
    /// directory seeded before the demo had an agency gets them too; links an operator changed are kept).</summary>
    public static async Task LinkBusStopsAsync(IServiceProvider cloud, FleetPlan fleet, CancellationToken ct)
    {
        var links = cloud.GetRequiredService<StopLinks>();
        foreach (var stop in fleet.Nodes.Where(n => n.Type == "busstop" && n.GtfsStops is { Count: > 0 }))
        {
            if ((await links.GetAsync(stop.Id, ct)).StopIds.Count == 0)
                await links.PutAsync(Installer, stop.Id, new StopLinksRequest(stop.GtfsStops!.ToList(),
                    stop.StopNameEl is not null && stop.StopNameEn is not null ? new StopName(stop.StopNameEl, stop.StopNameEn) : null), ct);
        }
    }

    private static string Model(string type) => type switch
    {
        "streetlight" => "edge-streetlight-esp32",
        "waterlevel" => "edge-waterlevel-esp32",
        _ => "edge-busstop-esp32-epd7in5",
    };
}
