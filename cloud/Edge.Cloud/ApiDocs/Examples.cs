using System.Text.Json.Nodes;
using Edge.Cloud.Alarms;
using Edge.Cloud.Commands;
using Edge.Cloud.Desired;
using Edge.Cloud.Gateways;
using Edge.Cloud.Inventory;
using Edge.Cloud.Lighting;
using Edge.Cloud.Users;

namespace Edge.Cloud.ApiDocs;

/// <summary>The example request bodies of the OpenAPI document: valid requests from the docs (the profile
/// from docs/dimming-profiles.md, the gauge config from docs/water-gauge.md, the content from
/// docs/display-content.md), so "Try it out" works as shown.</summary>
public static class Examples
{
    public static readonly LoginRequest Login = new("admin", "a-long-password");
    public static readonly CreateTokenRequest Token = new("nightly-report", 90);
    public static readonly CreateUserRequest User = new("maria", Roles.Technician, "a-long-password");
    public static readonly UpdateUserRequest UserUpdate = new(Roles.Installer, null);
    public static readonly RegisterGatewayRequest Gateway = new("gw-igoumenitsa-1", "Igoumenitsa town hall");
    public static readonly SiteRequest Site = new("Igoumenitsa", "EET-2EEST,M3.5.0/3,M10.5.0/4");
    public static readonly ZoneRequest Zone = new("igoumenitsa", "Stream 3 (Ladochori)");
    public static readonly GroupRequest Group = new("igoumenitsa", "Harbour road");
    public static readonly NodeRequest Node = new("igoumenitsa", "streetlight", "gw-igoumenitsa-1", "edge-light-v1", null,
        39.5034, 20.2656, "P-017", "zone-3", "harbour-road", "installer-1", null, 60);
    public static readonly ProfileAssignment Assignment = new("residential");
    public static readonly AlarmActionRequest AlarmNote = new("lamp head dark at the harbour road; crew booked for Tuesday");
    public static readonly CommandRequest Command = new("override", new JsonObject { ["level"] = 100, ["durationS"] = 3600, ["reason"] = "roadworks" }, 600);
    public static readonly FloodRuleRequest FloodRule = new("zone-3", ["warning", "alarm"],
        new FloodRuleActions(new BannerText("Η στάθμη ανεβαίνει. Αποφύγετε τα ρέματα.", "The water is rising. Keep away from the streams.", new BannerTitle("Κίνδυνος πλημμύρας", "Flood warning")), 100, null));

    public static JsonNode Display => JsonNode.Parse("""
        {"content":{"schema":1,"version":1,"generatedAt":"2026-11-26T12:30:00Z","validUntil":"2026-11-26T12:45:00Z","utcOffset":"+02:00",
        "stop":{"id":"igo-port-1","name":{"el":"Λιμάνι Ηγουμενίτσας","en":"Igoumenitsa Port"}},
        "arrivals":[{"route":"1","headsign":{"el":"Πλαταριά","en":"Plataria"},"at":"2026-11-26T12:34:10Z","realtime":true}]}}
        """)!;

    public static JsonNode Profile => JsonNode.Parse("""
        {"schema":1,"profiles":[{"id":"residential","points":[{"at":"sunset","level":100},{"at":"virtualMidnight","level":50},{"at":"sunrise","level":0}]}]}
        """)!;

    public static JsonNode GaugeConfig => JsonNode.Parse("""
        {"mode":"stream","mountingHeightMm":3000,"datumOffsetMm":0,
        "thresholds":{"watch":{"level":500,"hysteresisMm":50,"dwellS":600},"warning":{"level":800,"hysteresisMm":50,"dwellS":600},"alarm":{"level":1100,"hysteresisMm":50,"dwellS":900}}}
        """)!;

    public static JsonNode BusStopConfig => JsonNode.Parse("""
        {"panel":"epd-7in5","rotation":0,"staleAfterS":300,"fullRefreshS":3600,"quietHours":{"from":"01:00","to":"05:00"}}
        """)!;
}
