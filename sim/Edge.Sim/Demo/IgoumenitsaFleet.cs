using System;
using System.Collections.Generic;
using System.Globalization;
using Edge.Firmware.Host.Hardware;

namespace Edge.Sim.Demo;

/// <summary>
/// The demo site: Igoumenitsa (39.50 N, 20.27 E), the port town of Thesprotia, and three of its villages.
/// Positions are approximate — read off a map by eye along the real streets (the seafront avenue, the
/// upper town, the village main roads), good to some tens of metres, not surveyed.
/// </summary>
public static class IgoumenitsaFleet
{
    public const string Site = "igoumenitsa";
    public const string Gateway = "gw-igoumenitsa-1";
    public const string Profile = "igoumenitsa-residential";

    /// <summary>The gauge whose stream floods in the demo (its zone's rule fires).</summary>
    public const string StormGauge = "wl-ladochori";

    /// <summary>
    /// A storm for the demo at --speed 1: the stream leaves its bed after a minute, passes watch (500 mm)
    /// at about 2.5 min and warning (800 mm) at about 4 min, touches alarm (1100 mm) after ~15 min, and falls
    /// back over the next hour. Rises stay under the demo gauge's spike limit (600 mm/min).
    /// </summary>
    public static readonly IReadOnlyList<LevelPoint> DemoStorm = new[]
    {
        new LevelPoint(0, 150), new LevelPoint(60, 200), new LevelPoint(150, 500), new LevelPoint(240, 880),
        new LevelPoint(420, 1050), new LevelPoint(900, 1150), new LevelPoint(1500, 1000), new LevelPoint(2400, 500),
        new LevelPoint(3600, 200),
    };

    public static FleetPlan Create()
    {
        var zones = new[]
        {
            new ZonePlan("igoumenitsa-town", "Ηγουμενίτσα", "Igoumenitsa"),
            new ZonePlan("ladochori", "Λαδοχώρι", "Ladochori"),
            new ZonePlan("graikochori", "Γραικοχώρι", "Graikochori"),
            new ZonePlan("plataria", "Πλαταριά", "Plataria"),
        };
        var groups = new[]
        {
            new GroupPlan("port-avenue", "Seafront avenue (Ethnikis Antistaseos), port to old harbour", "igoumenitsa-town"),
            new GroupPlan("old-town", "Upper town streets above the market", "igoumenitsa-town"),
            new GroupPlan("ladochori", "Ladochori main road", "ladochori"),
            new GroupPlan("graikochori", "Graikochori village road", "graikochori"),
            new GroupPlan("plataria", "Plataria seafront", "plataria"),
        };
        var nodes = new List<NodePlan>();
        // Street lights along each road, evenly spaced between its two ends (poles every 40-90 m).
        Street(nodes, "sl-port", "PA", "port-avenue", "igoumenitsa-town", 16, (39.5118, 20.2636), (39.4990, 20.2585));
        Street(nodes, "sl-old", "OT", "old-town", "igoumenitsa-town", 12, (39.5082, 20.2668), (39.5112, 20.2712));
        Street(nodes, "sl-lado", "LD", "ladochori", "ladochori", 12, (39.4935, 20.2705), (39.4898, 20.2780));
        Street(nodes, "sl-graik", "GK", "graikochori", "graikochori", 10, (39.5205, 20.2830), (39.5238, 20.2890));
        Street(nodes, "sl-plat", "PL", "plataria", "plataria", 10, (39.4560, 20.2690), (39.4520, 20.2745));
        // Two lamps with faults, so alarms appear: a dead lamp (seen at night) and a day burner (seen by day).
        Replace(nodes, "sl-graik-04", n => n with { LampMode = LampMode.Fail, Description = "dead lamp (lamp failure at night)" });
        Replace(nodes, "sl-plat-07", n => n with { LampMode = LampMode.BurnByDay, Description = "stuck relay (day burner)" });

        var town = new[]
        {
            new RoutePlan("1", "Πλαταριά", "Plataria", 60, 5),
            new RoutePlan("2", "Γραικοχώρι", "Graikochori", 90, 12),
            new RoutePlan("3", "Λαδοχώρι", "Ladochori", 45, 8),
        };
        nodes.Add(new NodePlan("bs-port", "busstop", "igoumenitsa-town", null, 39.4995, 20.2592, "BS-01", "port passenger terminal",
            StopNameEl: "Λιμάνι Ηγουμενίτσας", StopNameEn: "Igoumenitsa Port", Routes: town,
            Notices: new[] { new NoticePlan("Τα πλοία για Κέρκυρα αναχωρούν από την πύλη Ε1.", "Ferries to Corfu leave from gate E1.") }));
        nodes.Add(new NodePlan("bs-ktel", "busstop", "igoumenitsa-town", null, 39.5061, 20.2660, "BS-02", "KTEL coach station",
            StopNameEl: "ΚΤΕΛ Θεσπρωτίας", StopNameEn: "KTEL Coach Station", Routes: new[]
            {
                new RoutePlan("Ι1", "Ιωάννινα", "Ioannina", 60, 15),
                new RoutePlan("Π2", "Πρέβεζα", "Preveza", 120, 45),
                new RoutePlan("Α3", "Αθήνα", "Athens", 240, 90),
                new RoutePlan("1", "Πλαταριά", "Plataria", 60, 10),
            }));
        nodes.Add(new NodePlan("bs-ladochori", "busstop", "ladochori", null, 39.4921, 20.2741, "BS-03", "Ladochori square",
            StopNameEl: "Λαδοχώρι", StopNameEn: "Ladochori", Routes: new[]
            {
                new RoutePlan("3", "Λιμάνι", "Port", 45, 3),
                new RoutePlan("1", "Πλαταριά", "Plataria", 60, 14),
            }));
        nodes.Add(new NodePlan("bs-plataria", "busstop", "plataria", null, 39.4546, 20.2719, "BS-04", "Plataria seafront",
            StopNameEl: "Πλαταριά", StopNameEn: "Plataria", Routes: new[]
            {
                new RoutePlan("1", "Ηγουμενίτσα", "Igoumenitsa", 60, 20),
            }));

        nodes.Add(new NodePlan("wl-town", "waterlevel", "igoumenitsa-town", null, 39.5135, 20.2702, "WL-01", "stream culvert, north entrance of the town",
            Scenario: "calm"));
        nodes.Add(new NodePlan(StormGauge, "waterlevel", "ladochori", null, 39.4909, 20.2763, "WL-02", "stream bridge, Ladochori (demo storm)",
            WaterCurve: DemoStorm));
        nodes.Add(new NodePlan("wl-plataria", "waterlevel", "plataria", null, 39.4577, 20.2762, "WL-03", "stream mouth, Plataria",
            Scenario: "calm"));

        return new FleetPlan
        {
            Site = Site, SiteName = "Igoumenitsa", Gateway = Gateway, Profile = Profile,
            Zones = zones, Groups = groups, Nodes = nodes,
        };
    }

    private static void Street(List<NodePlan> nodes, string prefix, string pole, string group, string zone, int count,
        (double Lat, double Lon) from, (double Lat, double Lon) to)
    {
        for (int i = 0; i < count; i++)
        {
            double f = count == 1 ? 0 : (double)i / (count - 1);
            string n = (i + 1).ToString("00", CultureInfo.InvariantCulture);
            nodes.Add(new NodePlan(prefix + "-" + n, "streetlight", zone, group,
                Math.Round(from.Lat + (to.Lat - from.Lat) * f, 5), Math.Round(from.Lon + (to.Lon - from.Lon) * f, 5),
                pole + "-" + n, RatedWatts: 60));
        }
    }

    private static void Replace(List<NodePlan> nodes, string id, Func<NodePlan, NodePlan> change)
    {
        int i = nodes.FindIndex(n => n.Id == id);
        nodes[i] = change(nodes[i]);
    }
}
