using System;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Firmware.Runtime;
using Edge.Gateway.Broker;
using Edge.Sim.Demo;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.EndToEnd.Tests;

/// <summary>
/// Issue 6 "Done when", first bullet: over real sockets, virtual nodes → gateway → cloud. Every check reads what
/// the nodes reported back through the gateway's uplink (the cloud API, as the technician sees it), never the
/// sender's own idea of what should have happened. Waits are condition polls under <see cref="SiteFixture.HangLimit"/>.
/// </summary>
[Collection(SiteCollection.Name)]
public sealed class EndToEndTests
{
    private readonly SiteFixture _site;

    public EndToEndTests(SiteFixture site) => _site = site;

    [Fact]
    public async Task Profile_assigned_to_a_group_is_applied_by_every_node_of_the_group()
    {
        const string group = "old-town";
        var before = await _site.GetAsync("api/v1/nodes?group=" + group);
        Assert.Equal(12, before.GetArrayLength());

        // A technician publishes a quieter variant of the residential profile and gives it to the group.
        var document = JsonNode.Parse(DemoDocuments.Profile())!;
        document["profiles"]![0]!["points"]![1]!["level"] = 40;
        await _site.PutAsync("api/v1/profiles/e2e-quiet", document.ToJsonString());
        var assignment = await _site.PutAsync("api/v1/groups/" + group + "/profile", new { profile = "e2e-quiet" });
        var desired = assignment.GetProperty("versions").EnumerateArray()
            .ToDictionary(c => c.GetProperty("node").GetString()!, c => c.GetProperty("version").GetInt64());
        Assert.Equal(12, desired.Count);
        foreach (var node in before.EnumerateArray())
            Assert.True(desired[node.GetProperty("id").GetString()!] > (node.GetProperty("desiredConfigVersion").GetInt64()), "a new version for every member");

        // Every member reports the new version as applied (node_state.config_version, from its own state message).
        await SiteFixture.WaitForAsync("every old-town light to report its new config version", async () =>
        {
            var nodes = await _site.GetAsync("api/v1/nodes?group=" + group);
            var behind = nodes.EnumerateArray()
                .Where(n => !(n.GetProperty("appliedConfigVersion").ValueKind == JsonValueKind.Number
                    && n.GetProperty("appliedConfigVersion").GetInt64() == desired[n.GetProperty("id").GetString()!]))
                .Select(n => n.GetProperty("id").GetString() + " applied " + n.GetProperty("appliedConfigVersion"))
                .ToList();
            return (behind.Count == 0, true, string.Join(", ", behind));
        });
        foreach (var node in (await _site.GetAsync("api/v1/nodes?group=" + group)).EnumerateArray())
            Assert.Equal("e2e-quiet", node.GetProperty("effectiveProfile").GetString());
    }

    [Fact]
    public async Task Override_reaches_the_node_and_expires_on_time()
    {
        const string node = "sl-port-03";
        var command = await _site.PostAsync("api/v1/nodes/" + node + "/commands",
            new { kind = "override", args = new { level = 77, durationS = 30, reason = "e2e override" } });
        string id = command.GetProperty("id").GetString()!;
        long until = command.GetProperty("args").GetProperty("until").GetInt64();

        await SiteFixture.WaitForAsync("the override to be acked", async () =>
        {
            var c = await _site.GetAsync("api/v1/commands/" + id);
            var status = c.GetProperty("status").GetString();
            return (status == "acked", true, status + " " + c.GetProperty("result"));
        });

        // While it holds, the node reports the override's level.
        var during = await NextTelemetryAsync(node, t => t.Ts < until && t.Source == "override" && t.Level == 77, "level 77 from the override");
        Assert.True(during.Ts < until);

        // After `until` the node is back on its schedule: the level its own dimming engine computes without overrides.
        var light = (StreetLightNode)_site.Site.Nodes[node].App;
        var after = await NextTelemetryAsync(node,
            t => t.Ts >= until && t.Source == "schedule" && t.Level == Round(light.Controller.Engine.ScheduledLevelAt(t.Ts)),
            "the scheduled level after until");
        Assert.Equal("schedule", after.Source);
        var since = await _site.GetAsync("api/v1/nodes/" + node + "/telemetry?limit=1000&from=" + (until + 2));
        Assert.True(since.GetArrayLength() < 1000, "every row since until fits in one page");
        Assert.DoesNotContain(since.EnumerateArray(), t => t.GetProperty("payload").GetRawText().Contains("\"override\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Lamp_failure_on_a_virtual_node_becomes_an_open_alarm()
    {
        var alarm = await SiteFixture.WaitForAsync("an open lamp-failure alarm on " + SiteFixture.BrokenLamp, async () =>
        {
            var alarms = await _site.GetAsync("api/v1/alarms?status=active&node=" + SiteFixture.BrokenLamp);
            var found = alarms.EnumerateArray().FirstOrDefault(a => a.GetProperty("kind").GetString() == "lamp.fault"
                && a.GetProperty("key").GetString()!.Contains("lamp-failure", StringComparison.Ordinal));
            return (found.ValueKind == JsonValueKind.Object, found, alarms.ToString());
        }, TimeSpan.FromSeconds(3));
        Assert.Equal("open", alarm.GetProperty("status").GetString());
        Assert.Equal("major", alarm.GetProperty("severity").GetString());
        Assert.Equal(IgoumenitsaFleet.Gateway, alarm.GetProperty("gateway").GetString());
    }

    [Fact]
    public async Task Flood_on_a_gauge_raises_an_alarm_and_fires_the_gateways_local_rule()
    {
        const string gauge = IgoumenitsaFleet.StormGauge, stop = "bs-ladochori", light = "sl-lado-05";

        // The cloud: a flood-state alarm from the gauge's own event.
        var alarm = await SiteFixture.WaitForAsync("a flood alarm on " + gauge, async () =>
        {
            var alarms = await _site.GetAsync("api/v1/alarms?status=active&node=" + gauge);
            var found = alarms.EnumerateArray().FirstOrDefault(a => a.GetProperty("kind").GetString() == "flood.state");
            return (found.ValueKind == JsonValueKind.Object, found, alarms.ToString());
        }, TimeSpan.FromSeconds(3));
        Assert.Contains(alarm.GetProperty("severity").GetString(), new[] { "major", "critical" });

        // The gateway's rule record reached the cloud.
        var rule = await SiteFixture.WaitForAsync("the rule record in the cloud", async () =>
        {
            var rows = (await _site.GetAsync("api/v1/events?kind=rule.fired&limit=1000")).EnumerateArray()
                .Where(e => e.GetProperty("recordKind").GetString() == "rule")
                .Select(e => JsonNode.Parse(e.GetProperty("payload").GetRawText())!).Reverse().ToList(); // oldest first, as the gateway sent them
            var fired = rows.FirstOrDefault(r => (string?)r["rule"] == "flood-ladochori" && (bool?)r["active"] == true);
            return (fired is not null, fired!, string.Join("; ", rows.Select(r => r.ToJsonString())));
        });
        Assert.Equal(gauge, (string?)rule["trigger"]);
        var actions = rule["actions"]!.AsArray().Select(a => (string?)a).ToList();
        Assert.Contains("banner", actions);
        Assert.Contains("lights", actions);

        // The zone's bus stop got the banner from the gateway and shows it (it reports the display version).
        var retained = _site.Site.Gateway.Services.GetRequiredService<RetainedStore>();
        var display = JsonNode.Parse(retained.Get("edge/igoumenitsa/" + stop + "/display")!)!;
        Assert.NotNull(display["content"]!["banner"]);
        // A proper title and a text, not one short text used as both (the title bar would cut it, the body repeat it).
        Assert.Equal("Flood warning", (string?)display["content"]!["banner"]!["title"]!["en"]);
        Assert.Equal("Κίνδυνος πλημμύρας", (string?)display["content"]!["banner"]!["title"]!["el"]);
        Assert.StartsWith("Ladochori: ", (string?)display["content"]!["banner"]!["text"]!["en"], StringComparison.Ordinal);
        long bannerVersion = (long)display["version"]!;
        await SiteFixture.WaitForAsync(stop + " to show the banner's display version", async () =>
        {
            var n = await _site.GetAsync("api/v1/nodes/" + stop);
            var applied = n.GetProperty("appliedDisplayVersion");
            return (applied.ValueKind == JsonValueKind.Number && applied.GetInt64() >= bannerVersion, true, applied.ToString());
        });
        var panel = _site.Site.Nodes[stop].Panel!;
        Assert.True(System.IO.File.Exists(panel.LatestPath));

        // The zone's lights are overridden to the rule's level: the light itself reports it, and that a rule set it.
        var reported = await NextTelemetryAsync(light, t => t.Source == "rule" && t.Level == 100, "the rule's override at 100 %");
        Assert.Equal(100, reported.Level);
        // The cloud's node view says what set the level (protocol.md §6.2 source).
        var condition = (await _site.GetAsync("api/v1/nodes/" + light)).GetProperty("condition");
        Assert.Equal("rule", condition.GetProperty("source").GetString());
        Assert.Equal(100, condition.GetProperty("level").GetInt32());

        // A light of another zone is not touched by the rule.
        var elsewhere = (StreetLightNode)_site.Site.Nodes["sl-plat-02"].App;
        Assert.Null(elsewhere.Controller.Overrides.ActiveAt(_site.Site.Nodes["sl-plat-02"].Clock.UtcSeconds));
    }

    private sealed record Telemetry(long Ts, int Level, string Source);

    /// <summary>Asks the node for a fresh reading (sample-now through the cloud) until one it reports matches.</summary>
    private async Task<Telemetry> NextTelemetryAsync(string node, Func<Telemetry, bool> match, string what)
    {
        return await SiteFixture.WaitForAsync(node + " to report " + what, async () =>
        {
            await _site.PostAsync("api/v1/nodes/" + node + "/commands", new { kind = "sample-now", expiresInS = 60 });
            await Task.Delay(1500);
            var rows = await _site.GetAsync("api/v1/nodes/" + node + "/telemetry?limit=5");
            var seen = rows.EnumerateArray().Select(t => t.GetProperty("payload"))
                .Select(p => new Telemetry(p.GetProperty("ts").GetInt64(), p.GetProperty("level").GetInt32(), p.TryGetProperty("source", out var source) ? source.GetString() ?? "" : ""))
                .ToList();
            var hit = seen.FirstOrDefault(match);
            return (hit is not null, hit!, string.Join("; ", seen));
        }, TimeSpan.FromSeconds(2));
    }

    private static int Round(float level) => level < 0 ? 0 : (int)(level + 0.5f);
}
