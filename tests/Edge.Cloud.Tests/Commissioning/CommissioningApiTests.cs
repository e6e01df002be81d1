using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Tasks;
using Edge.Cloud.Tests.Support;
using static Edge.Cloud.Tests.Support.ApiAssert;

namespace Edge.Cloud.Tests.Commissioning;

/// <summary>Self-test commands, commissioning results and device replacement over real HTTP (docs/cloud.md §Commissioning), on SQLite and PostgreSQL.</summary>
public abstract class CommissioningApiTests : IAsyncLifetime
{
    private CloudServer _server = null!;
    private readonly Dictionary<string, HttpClient> _clients = new();

    private TestStorage _storage = null!;
    private const string GatewayToken = "token-of-gw-1-at-least-32-characters-long";

    /// <summary>Whether this run is on PostgreSQL (else SQLite).</summary>
    protected abstract bool Postgres { get; }

    public async Task InitializeAsync()
    {
        _server = await CloudServer.StartAsync(new Dictionary<string, string?>((_storage = await TestStorage.CreateAsync(Postgres)).Settings)
        {
            ["Users:Seed:0:Name"] = "admin", ["Users:Seed:0:Password"] = "admin-password-1", ["Users:Seed:0:Role"] = "admin",
            ["Users:Seed:1:Name"] = "maria", ["Users:Seed:1:Password"] = "installer-password", ["Users:Seed:1:Role"] = "installer",
            ["Users:Seed:2:Name"] = "nikos", ["Users:Seed:2:Password"] = "viewer-password", ["Users:Seed:2:Role"] = "viewer",
            ["Gateways:Seed:0:Id"] = "gw-1", ["Gateways:Seed:0:Token"] = GatewayToken,
            ["Commissioning:MaxPhotoBytes"] = "4096",
        });
        _clients["admin"] = await LoginAsync(_server, "admin", "admin-password-1");
        _clients["installer"] = await LoginAsync(_server, "maria", "installer-password");
        _clients["viewer"] = await LoginAsync(_server, "nikos", "viewer-password");
        var installer = _clients["installer"];
        await Ok(await installer.PutAsJsonAsync("/api/v1/sites/igoumenitsa", new { name = "Igoumenitsa" }));
        await Ok(await installer.PutAsJsonAsync("/api/v1/nodes/sl-0042", new { site = "igoumenitsa", type = "streetlight", gateway = "gw-1", lat = 39.5, lon = 20.26, pole = "PA-17" }));
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients.Values) client.Dispose();
        await _server.DisposeAsync();
        await _storage.DisposeAsync();
    }

    [Fact]
    public async Task An_installer_sends_only_short_harmless_self_test_commands_through_the_command_path()
    {
        var installer = _clients["installer"];
        var identify = await Ok(await installer.PostAsJsonAsync("/api/v1/nodes/sl-0042/self-test", new { kind = "identify", args = new { durationS = 10 } }));
        Assert.Equal(("identify", "pending", "maria"), (identify.GetProperty("kind").GetString(), identify.GetProperty("status").GetString(), identify.GetProperty("issuedBy").GetString()));
        // It is a real command: listed with the others, and the gateway's downlink carries it.
        var listed = await Ok(await installer.GetAsync("/api/v1/commands?node=sl-0042"));
        Assert.Contains(listed.EnumerateArray(), c => c.GetProperty("id").GetString() == identify.GetProperty("id").GetString());
        await Ok(await installer.PostAsJsonAsync("/api/v1/nodes/sl-0042/self-test", new { kind = "override", args = new { level = 100, durationS = 60 } }));

        var reboot = await Problem(await installer.PostAsJsonAsync("/api/v1/nodes/sl-0042/self-test", new { kind = "reboot" }), HttpStatusCode.BadRequest);
        Assert.Contains("kind: 'reboot' is not a self-test command", reboot.GetProperty("detail").GetString());
        var longOverride = await Problem(await installer.PostAsJsonAsync("/api/v1/nodes/sl-0042/self-test", new { kind = "override", args = new { level = 100, durationS = 3600 } }), HttpStatusCode.BadRequest);
        Assert.Contains("durationS: a self-test override lasts 1..600 s", longOverride.GetProperty("detail").GetString());
        // The installer still cannot use the technicians' command endpoint, and a viewer cannot self-test.
        await Problem(await installer.PostAsJsonAsync("/api/v1/nodes/sl-0042/commands", new { kind = "reboot" }), HttpStatusCode.Forbidden);
        await Problem(await _clients["viewer"].PostAsJsonAsync("/api/v1/nodes/sl-0042/self-test", new { kind = "identify" }), HttpStatusCode.Forbidden);
        await Problem(await installer.PostAsJsonAsync("/api/v1/nodes/sl-9999/self-test", new { kind = "identify" }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_failed_result_is_stored_audited_and_opens_an_alarm_that_the_next_pass_clears()
    {
        var installer = _clients["installer"];
        var failed = await Ok(await installer.PostAsJsonAsync("/api/v1/nodes/sl-0042/commissioning", new
        {
            passed = false, summary = "lamp draws 0.4 W at 100 % (expected at least 30 W)",
            figures = new { wattsAt100 = 0.4, wattsAt0 = 0.3 }, lat = 39.5101, lon = 20.2630, accuracyM = 8.5,
        }));
        Assert.Equal(("maria", false, "PA-17", 0.4), (failed.GetProperty("actor").GetString(), failed.GetProperty("passed").GetBoolean(),
            failed.GetProperty("pole").GetString(), failed.GetProperty("figures").GetProperty("wattsAt100").GetDouble()));

        var alarms = await Ok(await installer.GetAsync("/api/v1/alarms?node=sl-0042&kind=node.commissioning"));
        var alarm = Assert.Single(alarms.EnumerateArray());
        Assert.Equal(("open", "major"), (alarm.GetProperty("status").GetString(), alarm.GetProperty("severity").GetString()));
        Assert.Contains("lamp draws 0.4 W", alarm.GetProperty("message").GetString());
        var audit = await Ok(await _clients["admin"].GetAsync("/api/v1/audit?target=node:sl-0042"));
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "node.commission" && e.GetProperty("actor").GetString() == "maria");

        await Ok(await installer.PostAsJsonAsync("/api/v1/nodes/sl-0042/commissioning", new { passed = true, summary = "lamp 41.8 W at 100 %, 0.3 W at 0 %", figures = new { wattsAt100 = 41.8 } }));
        alarm = Assert.Single((await Ok(await installer.GetAsync("/api/v1/alarms?node=sl-0042&kind=node.commissioning"))).EnumerateArray());
        Assert.Equal("cleared", alarm.GetProperty("status").GetString());
        var history = await Ok(await _clients["viewer"].GetAsync("/api/v1/nodes/sl-0042/commissioning"));
        Assert.Equal(new[] { true, false }, history.EnumerateArray().Select(r => r.GetProperty("passed").GetBoolean()).ToArray());
    }

    [Fact]
    public async Task Replacing_a_device_moves_the_pole_and_its_history_to_the_new_node_and_retires_the_old_one()
    {
        var installer = _clients["installer"];
        await Ok(await installer.PostAsJsonAsync("/api/v1/nodes/sl-0042/secret", new { }));
        await Ok(await installer.PostAsJsonAsync("/api/v1/nodes/sl-0042/commissioning", new { passed = false, summary = "lamp draws 0.4 W at 100 %" }));
        var command = await Ok(await installer.PostAsJsonAsync("/api/v1/nodes/sl-0042/self-test", new { kind = "identify" }));
        // The old device's life on the pole: telemetry and its boot (an event that opens no alarm).
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;
        var (status, body) = await _server.PostBatchAsync("gw-1", GatewayToken, Records.Batch("gw-1", Records.Streetlight(1, "sl-0042", t0, 100, 0.6), Records.Record(2, "sl-0042", "event", t0 + 60,
            new System.Text.Json.Nodes.JsonObject { ["v"] = 1, ["kind"] = "node.boot", ["ts"] = t0 + 60, ["boot"] = 18, ["seq"] = 1, ["reason"] = "power-on" })));
        Assert.True(status == HttpStatusCode.OK && !body.Contains("\"error\""), body);

        var replaced = await Ok(await installer.PostAsJsonAsync("/api/v1/nodes/sl-0042/replace", new { newNode = "sl-0042b" }));
        Assert.Equal(("sl-0042", "sl-0042b", "PA-17", 1, 1), (replaced.GetProperty("oldNode").GetString(), replaced.GetProperty("newNode").GetString(),
            replaced.GetProperty("pole").GetString(), replaced.GetProperty("commissioningMoved").GetInt32(), replaced.GetProperty("alarmsCleared").GetInt32()));

        // The new node stands where the old one stood, with no secret of its own yet; the old one is gone.
        var node = await Ok(await installer.GetAsync("/api/v1/nodes/sl-0042b"));
        Assert.Equal(("igoumenitsa", "streetlight", "gw-1", "PA-17", 39.5, 20.26, false),
            (node.GetProperty("site").GetString(), node.GetProperty("type").GetString(), node.GetProperty("gateway").GetString(), node.GetProperty("pole").GetString(),
             node.GetProperty("lat").GetDouble(), node.GetProperty("lon").GetDouble(), node.GetProperty("hasSecret").GetBoolean()));
        Assert.Equal("maria", node.GetProperty("installedBy").GetString());
        await Problem(await installer.GetAsync("/api/v1/nodes/sl-0042"), HttpStatusCode.NotFound);
        var history = await Ok(await installer.GetAsync("/api/v1/nodes/sl-0042b/commissioning"));
        var carried = Assert.Single(history.EnumerateArray());
        Assert.Equal(("lamp draws 0.4 W at 100 %", "sl-0042"), (carried.GetProperty("summary").GetString(), carried.GetProperty("node").GetString()));

        // The pole keeps one history across devices: the new node's telemetry and events include the old device's,
        // each under the device that sent it; the retired device's records are refused with the reason.
        (status, body) = await _server.PostBatchAsync("gw-1", GatewayToken, Records.Batch("gw-1", Records.Streetlight(3, "sl-0042b", t0 + 120, 100, 41.8), Records.Streetlight(4, "sl-0042", t0 + 180, 100, 0.5)));
        Assert.Contains("node: 'sl-0042' was replaced by 'sl-0042b' on its pole and is retired; its records are refused", body);
        var telemetry = await Ok(await installer.GetAsync("/api/v1/nodes/sl-0042b/telemetry"));
        Assert.Equal(new[] { ("sl-0042b", 41.8), ("sl-0042", 0.6) }, telemetry.EnumerateArray().Select(t => (t.GetProperty("node").GetString()!, t.GetProperty("watts").GetDouble())).ToArray());
        var events = await Ok(await installer.GetAsync("/api/v1/events?node=sl-0042b&kind=node.boot"));
        Assert.Equal("sl-0042", Assert.Single(events.EnumerateArray()).GetProperty("node").GetString());
        // The retired id still reads its own history, and nothing of its successor.
        var own = await Ok(await installer.GetAsync("/api/v1/nodes/sl-0042/telemetry"));
        Assert.Equal("sl-0042", Assert.Single(own.EnumerateArray()).GetProperty("node").GetString());
        var alarm = Assert.Single((await Ok(await installer.GetAsync("/api/v1/alarms?node=sl-0042&kind=node.commissioning"))).EnumerateArray());
        Assert.Equal("cleared", alarm.GetProperty("status").GetString());
        var expired = await Ok(await installer.GetAsync("/api/v1/commands/" + command.GetProperty("id").GetString()));
        Assert.Equal("expired", expired.GetProperty("status").GetString());
        var audit = await Ok(await _clients["admin"].GetAsync("/api/v1/audit?target=node:sl-0042"));
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "node.replace"
            && e.GetProperty("detail").GetProperty("replacedBy").GetString() == "sl-0042b");

        // Ids are not reused, a node does not replace itself, and a viewer replaces nothing.
        await Ok(await installer.PutAsJsonAsync("/api/v1/nodes/sl-0043", new { site = "igoumenitsa", type = "streetlight", lat = 39.5, lon = 20.26 }));
        await Problem(await installer.PostAsJsonAsync("/api/v1/nodes/sl-0043/replace", new { newNode = "sl-0042" }), HttpStatusCode.Conflict);
        await Problem(await installer.PostAsJsonAsync("/api/v1/nodes/sl-0043/replace", new { newNode = "sl-0043" }), HttpStatusCode.BadRequest);
        await Problem(await installer.PostAsJsonAsync("/api/v1/nodes/sl-0043/replace", new { newNode = "Bad Id" }), HttpStatusCode.BadRequest);
        await Problem(await _clients["viewer"].PostAsJsonAsync("/api/v1/nodes/sl-0043/replace", new { newNode = "sl-0044" }), HttpStatusCode.Forbidden);
        await Problem(await installer.PostAsJsonAsync("/api/v1/nodes/sl-9999/replace", new { newNode = "sl-0045" }), HttpStatusCode.NotFound);
    }

    private T Service<T>() where T : notnull => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<T>(_server.App.Services);

    private async Task AddNodeAsync(string id, string type) =>
        await Ok(await _clients["installer"].PutAsJsonAsync("/api/v1/nodes/" + id, new { site = "igoumenitsa", type, gateway = "gw-1", lat = 39.5, lon = 20.26, pole = "P-" + id }));

    private SimulatedGateway Gateway() => new(_server.Client.BaseAddress!, "gw-1", GatewayToken, "igoumenitsa");

    /// <summary>Starts a self-test run through the API and polls it until it has a verdict (the cloud drives it).</summary>
    private async Task<JsonElement> RunAsync(string node, object request)
    {
        var installer = _clients["installer"];
        using var started = await installer.PostAsJsonAsync("/api/v1/nodes/" + node + "/self-test-runs", request);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Headers.Location!.ToString();
        for (int i = 0; i < 600; i++)
        {
            var run = await Ok(await installer.GetAsync(location));
            if (run.GetProperty("status").GetString() != "running") return run;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException("the self-test run of " + node + " did not finish");
    }

    [Fact]
    public async Task A_dead_lamp_fails_its_cloud_self_test_with_the_figure_stored_audited_and_alarmed_and_a_working_one_passes()
    {
        await AddNodeAsync("sl-0044", "streetlight");
        await using var gateway = Gateway();
        gateway.Add("sl-0042", new SimulatedNode { Type = "streetlight", Watts = _ => 0.4 });
        gateway.Add("sl-0044", new SimulatedNode { Type = "streetlight", Watts = level => 0.3 + 0.4 * level });

        var deadRun = RunAsync("sl-0042", new { settleS = 0, commandTimeoutS = 30, lat = 39.5101, lon = 20.2630, accuracyM = 6 });
        var good = await RunAsync("sl-0044", new { settleS = 0, commandTimeoutS = 30 });
        var dead = await deadRun;

        Assert.Equal("failed", dead.GetProperty("status").GetString());
        Assert.StartsWith("lamp draws 0.4 W at 100 % (expected at least 5.0 W)", dead.GetProperty("summary").GetString());
        Assert.Contains(dead.GetProperty("steps").EnumerateArray(), s => s.GetString() == "override → ok");
        var stored = (await Ok(await _clients["viewer"].GetAsync("/api/v1/nodes/sl-0042/commissioning"))).EnumerateArray().First();
        Assert.Equal(dead.GetProperty("result").GetInt64(), stored.GetProperty("id").GetInt64());
        Assert.Equal((false, 0.4, 0.4, "maria", 6.0), (stored.GetProperty("passed").GetBoolean(), stored.GetProperty("figures").GetProperty("wattsAt100").GetDouble(),
            stored.GetProperty("figures").GetProperty("wattsAt0").GetDouble(), stored.GetProperty("actor").GetString(), stored.GetProperty("accuracyM").GetDouble()));
        var alarm = Assert.Single((await Ok(await _clients["installer"].GetAsync("/api/v1/alarms?node=sl-0042&kind=node.commissioning"))).EnumerateArray());
        Assert.Contains("lamp draws 0.4 W", alarm.GetProperty("message").GetString());
        var audit = await Ok(await _clients["admin"].GetAsync("/api/v1/audit?target=node:sl-0042"));
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "node.commission"
            && e.GetProperty("detail").GetProperty("figures").GetProperty("wattsAt100").GetDouble() == 0.4);

        // 0.3 + 0.4 × 100 W at 100 %, 0.3 W at 0 %: lamp present, dimming follows; back on its schedule afterwards.
        Assert.Equal(("passed", "lamp 40.3 W at 100 %, 0.3 W at 0 %; identify ok"), (good.GetProperty("status").GetString(), good.GetProperty("summary").GetString()));
        Assert.Equal("ok", good.GetProperty("figures").GetProperty("overrideClear").GetString());
        Assert.Empty((await Ok(await _clients["installer"].GetAsync("/api/v1/alarms?node=sl-0044&kind=node.commissioning"))).EnumerateArray());
    }

    [Fact]
    public async Task A_gauge_off_from_the_tape_fails_with_the_difference_and_one_within_tolerance_passes()
    {
        await AddNodeAsync("wl-0007", "waterlevel");
        await using var gateway = Gateway();
        gateway.Add("wl-0007", new SimulatedNode { Type = "waterlevel", LevelMm = 742 });

        var off = await RunAsync("wl-0007", new { measuredMm = 1242, commandTimeoutS = 30 });
        Assert.Equal(("failed", "gauge reads 742 mm, tape 1242 mm: -500 mm, more than ±20 mm (set the datum, or check the mounting height)"),
            (off.GetProperty("status").GetString(), off.GetProperty("summary").GetString()));
        Assert.Equal((742.0, 2458.0, -500.0), (off.GetProperty("figures").GetProperty("levelMm").GetDouble(),
            off.GetProperty("figures").GetProperty("distanceMm").GetDouble(), off.GetProperty("figures").GetProperty("differenceMm").GetDouble()));
        var near = await RunAsync("wl-0007", new { measuredMm = 750, toleranceMm = 10, commandTimeoutS = 30 });
        Assert.Equal(("passed", "gauge 742 mm, tape 750 mm (-8 mm)"), (near.GetProperty("status").GetString(), near.GetProperty("summary").GetString()));

        // A tape measurement is for gauges only; the figures are checked before anything is sent.
        var problem = await Problem(await _clients["installer"].PostAsJsonAsync("/api/v1/nodes/sl-0042/self-test-runs", new { measuredMm = 700 }), HttpStatusCode.BadRequest);
        Assert.Contains("measuredMm: only a water-level gauge", problem.GetProperty("detail").GetString());
        problem = await Problem(await _clients["installer"].PostAsJsonAsync("/api/v1/nodes/wl-0007/self-test-runs", new { toleranceMm = 0, settleS = 900, lat = 91.0 }), HttpStatusCode.BadRequest);
        Assert.Contains("toleranceMm: out of range", problem.ToString());
        Assert.Contains("settleS: out of range", problem.ToString());
        Assert.Contains("lat, lon: give both or neither", problem.ToString());
        await Problem(await _clients["viewer"].PostAsJsonAsync("/api/v1/nodes/wl-0007/self-test-runs", new { }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_bus_stop_without_departures_to_show_fails_with_the_reason()
    {
        await AddNodeAsync("bs-0009", "busstop");
        await using var gateway = Gateway();
        gateway.Add("bs-0009", new SimulatedNode { Type = "busstop" });
        var run = await RunAsync("bs-0009", new { commandTimeoutS = 30 });
        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.StartsWith("no GTFS stops are linked to the node, so the sign has no departures to show", run.GetProperty("summary").GetString());
        Assert.Equal("ok", run.GetProperty("figures").GetProperty("identify").GetString());
        Assert.False((await Ok(await _clients["viewer"].GetAsync("/api/v1/nodes/bs-0009/commissioning"))).EnumerateArray().First().GetProperty("passed").GetBoolean());
    }

    [Fact]
    public async Task A_second_run_on_a_node_waits_for_the_first()
    {
        // No gateway answers: the first run waits for its identify ack.
        using var first = await _clients["installer"].PostAsJsonAsync("/api/v1/nodes/sl-0042/self-test-runs", new { commandTimeoutS = 30 });
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var second = await Problem(await _clients["admin"].PostAsJsonAsync("/api/v1/nodes/sl-0042/self-test-runs", new { }), HttpStatusCode.Conflict);
        Assert.Contains("is running", second.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_self_test_duration_built_in_code_as_an_int_is_a_number_like_any_other()
    {
        var service = Service<Edge.Cloud.Commissioning.CommissioningService>();
        foreach (var duration in new System.Text.Json.Nodes.JsonNode[] { 60, 60L, 60.0, (short)60 })
        {
            var command = await service.SelfTestAsync("maria", "sl-0042", new Edge.Cloud.Commissioning.SelfTestRequest("override",
                new System.Text.Json.Nodes.JsonObject { ["level"] = 100, ["durationS"] = duration }));
            Assert.Equal("override", command.Kind);
        }
        var tooLong = await Assert.ThrowsAsync<Edge.Cloud.Domain.DomainException>(() => service.SelfTestAsync("maria", "sl-0042",
            new Edge.Cloud.Commissioning.SelfTestRequest("override", new System.Text.Json.Nodes.JsonObject { ["level"] = 100, ["durationS"] = 601 })));
        Assert.Contains("durationS", tooLong.Message);
        await Assert.ThrowsAsync<Edge.Cloud.Domain.DomainException>(() => service.SelfTestAsync("maria", "sl-0042",
            new Edge.Cloud.Commissioning.SelfTestRequest("override", new System.Text.Json.Nodes.JsonObject { ["level"] = 100, ["durationS"] = 10.5 })));
    }

    [Fact]
    public async Task A_result_takes_a_photo_without_its_metadata_under_the_size_limit()
    {
        var installer = _clients["installer"];
        var result = await Ok(await installer.PostAsJsonAsync("/api/v1/nodes/sl-0042/commissioning", new { passed = true, summary = "lamp 41.8 W at 100 %" }));
        string path = "/api/v1/nodes/sl-0042/commissioning/" + result.GetProperty("id").GetInt64() + "/photo";
        var (jpeg, picture) = PhoneJpegs.WithPosition();
        var withPhoto = await Ok(await installer.PutAsJsonAsync(path, new { photo = Convert.ToBase64String(jpeg) }));
        Assert.True(withPhoto.GetProperty("hasPhoto").GetBoolean());
        using var stored = await _clients["viewer"].GetAsync(path);
        Assert.Equal("image/jpeg", stored.Content.Headers.ContentType!.MediaType);
        Assert.Equal(picture, await stored.Content.ReadAsByteArrayAsync());

        var large = await Problem(await installer.PutAsJsonAsync(path, new { photo = Convert.ToBase64String(jpeg.Concat(new byte[4096]).ToArray()) }), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("at most 4096", large.GetProperty("detail").GetString());
        await Problem(await installer.PutAsJsonAsync(path, new { photo = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes("GIF89a....")) }), HttpStatusCode.BadRequest);
        await Problem(await _clients["viewer"].PutAsJsonAsync(path, new { photo = Convert.ToBase64String(jpeg) }), HttpStatusCode.Forbidden);
        await Problem(await installer.PutAsJsonAsync("/api/v1/nodes/sl-0042/commissioning/999999/photo", new { photo = Convert.ToBase64String(jpeg) }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bad_results_are_refused_with_every_problem_named()
    {
        var problem = await Problem(await _clients["installer"].PostAsJsonAsync("/api/v1/nodes/sl-0042/commissioning", new { passed = true, summary = "", lat = 95.0 }), HttpStatusCode.BadRequest);
        string text = problem.ToString();
        Assert.Contains("summary: 1..500 characters", text);
        Assert.Contains("lat: out of range -90..90", text);
        Assert.Contains("lat, lon: give both or neither", text);
        await Problem(await _clients["viewer"].PostAsJsonAsync("/api/v1/nodes/sl-0042/commissioning", new { passed = true, summary = "x" }), HttpStatusCode.Forbidden);
        await Problem(await _clients["installer"].GetAsync("/api/v1/nodes/sl-9999/commissioning"), HttpStatusCode.NotFound);
        Assert.Empty((await Ok(await _clients["installer"].GetAsync("/api/v1/nodes/sl-0042/commissioning"))).EnumerateArray());
    }
}

public sealed class SqliteCommissioningApiTests : CommissioningApiTests
{
    protected override bool Postgres => false;
}

public sealed class PostgresCommissioningApiTests : CommissioningApiTests
{
    protected override bool Postgres => true;
}
