using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using static Edge.Cloud.Tests.Support.ApiAssert;

namespace Edge.Cloud.Tests.Domain;

/// <summary>The domain API over real HTTP: roles, problem details, the downlink long poll, commands, alarms, audit.</summary>
public sealed class DomainApiTests : IAsyncLifetime
{
    private const string Gateway = "gw-igoumenitsa-1";
    private const string GatewayToken = "token-of-gw-igoumenitsa-1-at-least-32-chars";
    private const string AdminPassword = "admin-password-1";
    private readonly ManualClock _clock = new(1767304800);
    private CloudServer _server = null!;
    private readonly Dictionary<string, HttpClient> _clients = new();

    public async Task InitializeAsync()
    {
        _server = await CloudServer.StartAsync(new Dictionary<string, string?>
        {
            ["Users:Seed:0:Name"] = "admin",
            ["Users:Seed:0:Password"] = AdminPassword,
            ["Users:Seed:0:Role"] = "admin",
            ["Gateways:Seed:0:Id"] = Gateway,
            ["Gateways:Seed:0:Token"] = GatewayToken,
            ["Alarms:IntervalS"] = "3600", // the test drives the record feed itself
        }, services => services.AddSingleton<TimeProvider>(_clock));
        _clients["admin"] = await LoginAsync("admin", AdminPassword);
        foreach (var role in new[] { "technician", "installer", "viewer" })
        {
            await Ok(await _clients["admin"].PostAsJsonAsync("/api/v1/users", new { name = role + "-1", role, password = "password-" + role }));
            // Each role uses a bearer API token made through its own cookie session: both ways are exercised.
            using var session = await LoginAsync(role + "-1", "password-" + role);
            var token = await Json(await session.PostAsJsonAsync("/api/v1/auth/tokens", new { name = "tests" }));
            var client = new HttpClient { BaseAddress = _server.Client.BaseAddress };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("token").GetString());
            _clients[role] = client;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients.Values) client.Dispose();
        await _server.DisposeAsync();
    }

    private Task<HttpClient> LoginAsync(string name, string password) => ApiAssert.LoginAsync(_server, name, password);

    private static Task<JsonElement> Json(HttpResponseMessage response) => Ok(response);

    private static HttpRequestMessage Request(string method, string path, object? body) =>
        new(new HttpMethod(method), path) { Content = body is null ? null : JsonContent.Create(body) };

    private async Task SeedInventoryAsync(params string[] lights)
    {
        var installer = _clients["installer"];
        await Ok(await installer.PutAsJsonAsync("/api/v1/sites/igoumenitsa", new { name = "Igoumenitsa" }));
        await Ok(await installer.PutAsJsonAsync("/api/v1/zones/zone-3", new { site = "igoumenitsa", name = "Stream 3" }));
        await Ok(await installer.PutAsJsonAsync("/api/v1/groups/harbour-road", new { site = "igoumenitsa", name = "Harbour road" }));
        foreach (var id in lights)
        {
            await Ok(await installer.PutAsJsonAsync($"/api/v1/nodes/{id}", new
            {
                site = "igoumenitsa", type = "streetlight", gateway = Gateway, lat = 39.5034, lon = 20.2656, zone = "zone-3", group = "harbour-road", pole = "P-" + id,
            }));
        }
    }

    [Fact]
    public async Task Every_endpoint_family_answers_401_to_anonymous_and_403_to_the_wrong_role()
    {
        await SeedInventoryAsync("sl-0001");
        var schedule = Documents.Schedule();
        var cases = new (string Method, string Path, object? Body, string Allowed, string Denied)[]
        {
            ("GET", "/api/v1/users", null, "admin", "technician"),
            ("POST", "/api/v1/users", new { name = "new-user", role = "viewer", password = "long-enough" }, "admin", "installer"),
            ("GET", "/api/v1/audit", null, "technician", "installer"),
            ("POST", "/api/v1/gateways", new { id = "gw-new-1" }, "admin", "technician"),
            ("PUT", "/api/v1/nodes/sl-0002", new { site = "igoumenitsa", type = "streetlight", lat = 39.5, lon = 20.2 }, "installer", "technician"),
            ("PUT", "/api/v1/sites/igoumenitsa", new { name = "Igoumenitsa" }, "installer", "viewer"),
            ("POST", "/api/v1/nodes/sl-0001/secret", null, "installer", "technician"),
            ("PUT", "/api/v1/profiles/residential", schedule, "technician", "installer"),
            ("PUT", "/api/v1/groups/harbour-road/profile", new { profile = (string?)null }, "technician", "viewer"),
            ("POST", "/api/v1/nodes/sl-0001/commands", new { kind = "identify" }, "technician", "viewer"),
            ("PUT", "/api/v1/flood-rules/flood-zone-3", new { zone = "zone-3", on = new[] { "warning" }, actions = new { lightsLevel = 100 } }, "technician", "installer"),
            ("PUT", "/api/v1/settings", new { pricePerKWh = 0.2, kgCo2PerKWh = 0.315 }, "admin", "technician"),
            ("GET", "/api/v1/nodes", null, "viewer", ""),
            ("GET", "/api/v1/alarms", null, "viewer", ""),
            ("GET", "/api/v1/commands", null, "viewer", ""),
            ("GET", "/api/v1/nodes/sl-0001/telemetry", null, "viewer", ""),
            ("GET", "/api/v1/events", null, "viewer", ""),
        };
        foreach (var (method, path, body, allowed, denied) in cases)
        {
            var anonymous = await Problem(await _server.Client.SendAsync(Request(method, path, body)), HttpStatusCode.Unauthorized);
            Assert.Contains("sign in", anonymous.GetProperty("detail").GetString());
            if (denied.Length > 0)
            {
                var forbidden = await Problem(await _clients[denied].SendAsync(Request(method, path, body)), HttpStatusCode.Forbidden);
                Assert.Contains("needs role " + allowed, forbidden.GetProperty("detail").GetString());
            }
            await Ok(await _clients[allowed].SendAsync(Request(method, path, body)));
        }
        // A wrong bearer token says so.
        using var wrong = new HttpClient { BaseAddress = _server.Client.BaseAddress };
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "edge_not-a-token");
        Assert.Contains("not a valid API token", (await Problem(await wrong.GetAsync("/api/v1/nodes"), HttpStatusCode.Unauthorized)).GetProperty("detail").GetString());
        // Logging out ends the cookie session.
        using var session = await LoginAsync("viewer-1", "password-viewer");
        await Ok(await session.PostAsync("/api/v1/auth/logout", null));
        await Problem(await session.GetAsync("/api/v1/nodes"), HttpStatusCode.Unauthorized);
        await Problem(await _server.Client.PostAsJsonAsync("/api/v1/auth/login", new { name = "admin", password = "wrong-password" }), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public void Every_api_endpoint_declares_a_policy_or_is_deliberately_open()
    {
        // Gateways authenticate with their own token inside these handlers; login/logout must be reachable signed out.
        var open = new HashSet<string>
        {
            "POST /api/v1/gateways/{gatewayId}/batches", "GET /api/v1/gateways/{gatewayId}/desired", "POST /api/v1/auth/login", "POST /api/v1/auth/logout",
            "GET /api/v1/", "GET /api/v1/health",
            // Citizens report faults from the pole's QR code without an account (rate- and size-limited).
            "POST /api/v1/public/nodes/{id}/fault-reports",
        };
        var endpoints = _server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/v1", StringComparison.Ordinal)).ToList();
        Assert.True(endpoints.Count > 30, $"only {endpoints.Count} endpoints found");
        foreach (var endpoint in endpoints)
        {
            var methods = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods;
            var name = methods[0] + " " + endpoint.RoutePattern.RawText;
            var policy = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).FirstOrDefault(p => p is not null);
            if (open.Contains(name)) Assert.True(policy is null, $"{name} should not require a user");
            else Assert.True(policy is "viewer" or "technician" or "installer" or "inventory" or "admin", $"{name} declares no role policy");
        }
    }

    [Fact]
    public async Task An_invalid_profile_is_refused_with_every_error_and_its_path()
    {
        var schedule = Documents.Schedule();
        schedule["profiles"]![0]!["points"]![0]!["level"] = 140;
        schedule["profiles"]![0]!["points"]![1]!["at"] = "noon";
        schedule["colour"] = "blue";
        var content = new StringContent(schedule.ToJsonString(), Encoding.UTF8, "application/json");
        var problem = await Problem(await _clients["technician"].PutAsync("/api/v1/profiles/residential", content), HttpStatusCode.BadRequest);
        var paths = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("path").GetString()).ToList();
        Assert.Contains("profiles[0].points[0].level", paths);
        Assert.Contains("profiles[0].points[1].at", paths);
        Assert.Contains("colour", paths);
        Assert.All(problem.GetProperty("errors").EnumerateArray(), e => Assert.False(string.IsNullOrEmpty(e.GetProperty("message").GetString())));
        // The same check without storing.
        var check = await Json(await _clients["viewer"].PostAsync("/api/v1/profiles/validate", new StringContent(schedule.ToJsonString())));
        Assert.Equal(paths, check.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("path").GetString()).ToList());
        // Unknown ids are 404 problems naming the id.
        Assert.Contains("'nope'", (await Problem(await _clients["viewer"].GetAsync("/api/v1/nodes/nope"), HttpStatusCode.NotFound)).GetProperty("detail").GetString());
        // The group's existence is checked before the body (an unknown profile in it).
        Assert.Contains("group 'nope'", (await Problem(await _clients["technician"].PutAsJsonAsync("/api/v1/groups/nope/profile", new { profile = "nope" }), HttpStatusCode.NotFound)).GetProperty("detail").GetString());
        await SeedInventoryAsync();
        Assert.Contains("profile 'nope'", (await Problem(await _clients["technician"].PutAsJsonAsync("/api/v1/groups/harbour-road/profile", new { profile = "nope" }), HttpStatusCode.BadRequest)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Nodes_show_each_lights_level_and_source_faults_gauge_state_and_shown_content_version()
    {
        await SeedInventoryAsync("sl-0001", "sl-0002");
        var installer = _clients["installer"];
        await Ok(await installer.PutAsJsonAsync("/api/v1/nodes/wl-0003", new { site = "igoumenitsa", type = "waterlevel", gateway = Gateway, zone = "zone-3" }));
        await Ok(await installer.PutAsJsonAsync("/api/v1/nodes/bs-port", new { site = "igoumenitsa", type = "busstop", gateway = Gateway }));
        const long t = 1767304800;
        var overridden = Records.Streetlight(2, "sl-0001", t + 60, 100);
        overridden["payload"]!["source"] = "override";
        overridden["payload"]!["faults"] = new JsonArray("lamp-failure");
        var water = Records.Water(3, "wl-0003", t, 850, "warning");
        water["payload"]!["sensor"] = "ok";
        var stop = Records.Record(4, "bs-port", "telemetry", t, new JsonObject
        {
            ["v"] = 1, ["type"] = "busstop", ["ts"] = t, ["boot"] = 3, ["seq"] = 4, ["contentVersion"] = 51734, ["stale"] = false, ["refreshedTs"] = t - 19,
        });
        using var gateway = GatewayClient();
        var batch = await Json(await gateway.PostAsync($"/api/v1/gateways/{Gateway}/batches", new StringContent(
            Records.Batch(Gateway, Records.Streetlight(1, "sl-0001", t, 60), overridden, water, stop).ToJsonString(), Encoding.UTF8, "application/json")));
        Assert.Equal(0, batch.GetProperty("rejected").GetArrayLength());

        var nodes = (await Json(await _clients["viewer"].GetAsync("/api/v1/nodes"))).EnumerateArray().ToDictionary(n => n.GetProperty("id").GetString()!);
        var light = nodes["sl-0001"].GetProperty("condition");
        Assert.Equal((t + 60, 100, "override"), (light.GetProperty("at").GetInt64(), light.GetProperty("level").GetInt32(), light.GetProperty("source").GetString()));
        Assert.Equal(new[] { "lamp-failure" }, light.GetProperty("faults").EnumerateArray().Select(f => f.GetString()!).ToArray());
        Assert.Equal(JsonValueKind.Null, nodes["sl-0002"].GetProperty("condition").ValueKind); // no telemetry yet
        var gauge = nodes["wl-0003"].GetProperty("condition");
        Assert.Equal((850, "warning", "ok"), (gauge.GetProperty("levelMm").GetInt32(), gauge.GetProperty("floodState").GetString(), gauge.GetProperty("sensor").GetString()));
        Assert.Equal(JsonValueKind.Null, gauge.GetProperty("level").ValueKind);
        Assert.Equal(51734, nodes["bs-port"].GetProperty("condition").GetProperty("contentVersion").GetInt64());
        // The node page shows the same.
        var one = await Json(await _clients["viewer"].GetAsync("/api/v1/nodes/sl-0001"));
        Assert.Equal("override", one.GetProperty("condition").GetProperty("source").GetString());
    }

    private HttpClient GatewayClient()
    {
        var client = new HttpClient { BaseAddress = _server.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(100) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayToken);
        return client;
    }

    [Fact]
    public async Task A_street_lamps_rated_power_is_kept_and_one_out_of_range_or_on_another_type_is_refused_at_its_field()
    {
        await SeedInventoryAsync();
        var installer = _clients["installer"];
        var light = new { site = "igoumenitsa", type = "streetlight", gateway = Gateway, ratedWatts = 75.5 };
        Assert.Equal(75.5, (await Ok(await installer.PutAsJsonAsync("/api/v1/nodes/sl-0007", light))).GetProperty("ratedWatts").GetDouble());
        Assert.Equal(75.5, (await Ok(await installer.GetAsync("/api/v1/nodes/sl-0007"))).GetProperty("ratedWatts").GetDouble());

        foreach (var (body, message) in new (object Body, string Message)[]
        {
            (light with { ratedWatts = 0.0 }, "0 is out of range 1..2000 W"),
            (light with { ratedWatts = 2500.0 }, "2500 is out of range 1..2000 W"),
            (new { site = "igoumenitsa", type = "waterlevel", gateway = Gateway, ratedWatts = 60.0 }, "only a street light has a rated power (this node is a waterlevel)"),
        })
        {
            var refused = await Problem(await installer.PutAsJsonAsync("/api/v1/nodes/sl-0007", body), HttpStatusCode.BadRequest);
            var error = Assert.Single(refused.GetProperty("errors").EnumerateArray());
            Assert.Equal(("ratedWatts", message), (error.GetProperty("path").GetString(), error.GetProperty("message").GetString()));
        }
        Assert.Equal(75.5, (await Ok(await installer.GetAsync("/api/v1/nodes/sl-0007"))).GetProperty("ratedWatts").GetDouble());
        // A PUT replaces the inventory record: without ratedWatts the lamp's power is no longer recorded.
        var cleared = await Ok(await installer.PutAsJsonAsync("/api/v1/nodes/sl-0007", new { site = "igoumenitsa", type = "streetlight", gateway = Gateway }));
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("ratedWatts").ValueKind);
    }

    [Fact]
    public async Task Long_poll_answers_at_once_on_a_change_and_empty_when_nothing_changes()
    {
        await SeedInventoryAsync("sl-0001", "sl-0002");
        using var gateway = GatewayClient();
        var first = await Json(await gateway.GetAsync($"/api/v1/gateways/{Gateway}/desired?after=&waitS=0"));
        Assert.True(first.GetProperty("full").GetBoolean());
        Assert.Equal(2, first.GetProperty("nodes").GetArrayLength());
        var cursor = first.GetProperty("cursor").GetString();

        var empty = await Json(await gateway.GetAsync($"/api/v1/gateways/{Gateway}/desired?after={cursor}&waitS=1"));
        Assert.Equal((cursor, false, 0), (empty.GetProperty("cursor").GetString(), empty.GetProperty("full").GetBoolean(), empty.GetProperty("configs").GetArrayLength()));

        var poll = gateway.GetAsync($"/api/v1/gateways/{Gateway}/desired?after={cursor}&waitS=60");
        await Ok(await _clients["technician"].PutAsync("/api/v1/profiles/residential", new StringContent(Documents.Schedule().ToJsonString())));
        var assigned = await Json(await _clients["technician"].PutAsJsonAsync("/api/v1/groups/harbour-road/profile", new { profile = "residential" }));
        // A summary: nodes affected and each one's new version, not the whole document per node.
        Assert.Equal(2, assigned.GetProperty("nodesAffected").GetInt32());
        Assert.Equal(["harbour-road"], new[] { assigned.GetProperty("target").GetString()!.Split(':')[1] });
        var versions = assigned.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(2, versions.Count);
        Assert.All(versions, v => Assert.Equal(["node", "version"], v.EnumerateObject().Select(p => p.Name).ToArray()));
        Assert.False(assigned.TryGetProperty("configs", out _));
        // Woken by the change, long before its 60 s wait would end.
        Assert.Same(poll, await Task.WhenAny(poll, Task.Delay(TimeSpan.FromSeconds(30))));
        var changed = await Json(await poll);
        Assert.False(changed.GetProperty("full").GetBoolean());
        Assert.NotEqual(cursor, changed.GetProperty("cursor").GetString());
        var configs = changed.GetProperty("configs").EnumerateArray().ToList();
        // The poll may have woken for the first of the two changes' commits; all configs arrive by the next cursor.
        if (configs.Count < 2)
        {
            var more = await Json(await gateway.GetAsync($"/api/v1/gateways/{Gateway}/desired?after={changed.GetProperty("cursor").GetString()}&waitS=0"));
            configs.AddRange(more.GetProperty("configs").EnumerateArray());
        }
        Assert.Equal(["sl-0001", "sl-0002"], configs.Select(c => c.GetProperty("node").GetString()).Order());
        Assert.All(configs, c => Assert.Equal(c.GetProperty("version").GetInt64(), c.GetProperty("document").GetProperty("version").GetInt64()));

        // Gateway auth: missing token 401, another gateway's path 403, bad cursor 400.
        await Problem(await _server.Client.GetAsync($"/api/v1/gateways/{Gateway}/desired"), HttpStatusCode.Unauthorized);
        await Problem(await gateway.GetAsync("/api/v1/gateways/gw-other-1/desired"), HttpStatusCode.Forbidden);
        Assert.Contains("after", (await Problem(await gateway.GetAsync($"/api/v1/gateways/{Gateway}/desired?after=xyz"), HttpStatusCode.BadRequest)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_command_and_an_alarm_run_their_lifecycles_and_are_audited()
    {
        await SeedInventoryAsync("sl-0001");
        using var gateway = GatewayClient();
        var cursor = (await Json(await gateway.GetAsync($"/api/v1/gateways/{Gateway}/desired?waitS=0"))).GetProperty("cursor").GetString();
        var technician = _clients["technician"];

        var command = await Json(await technician.PostAsJsonAsync("/api/v1/nodes/sl-0001/commands",
            new { kind = "override", args = new { level = 100, durationS = 1800, reason = "festival" } }));
        var id = command.GetProperty("id").GetString()!;
        Assert.Equal(("pending", "technician-1"), (command.GetProperty("status").GetString(), command.GetProperty("issuedBy").GetString()));
        var invalid = await Problem(await technician.PostAsJsonAsync("/api/v1/nodes/sl-0001/commands", new { kind = "override", args = new { level = 140 } }), HttpStatusCode.BadRequest);
        Assert.Contains("args.level", invalid.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("path").GetString()));

        var poll = await Json(await gateway.GetAsync($"/api/v1/gateways/{Gateway}/desired?after={cursor}&waitS=0"));
        var sent = Assert.Single(poll.GetProperty("commands").EnumerateArray());
        Assert.Equal(id, sent.GetProperty("command").GetProperty("id").GetString());
        Assert.Equal(_clock.UnixNow + 1800, sent.GetProperty("command").GetProperty("args").GetProperty("until").GetInt64());
        Assert.Equal("delivered", (await Json(await technician.GetAsync($"/api/v1/commands/{id}"))).GetProperty("status").GetString());

        var ts = _clock.UnixNow;
        var batch = Records.Batch(Gateway, Records.Ack(1, "sl-0001", ts + 2, id), Records.LampFault(2, "sl-0001", ts + 3));
        var stored = await Json(await gateway.PostAsync($"/api/v1/gateways/{Gateway}/batches", new StringContent(batch.ToJsonString(), Encoding.UTF8, "application/json")));
        Assert.Equal(2, stored.GetProperty("accepted").GetInt32());
        await _server.App.Services.GetRequiredService<RecordFeed>().RunOnceAsync();
        Assert.Equal("acked", (await Json(await technician.GetAsync($"/api/v1/commands/{id}"))).GetProperty("status").GetString());

        var expiring = (await Json(await technician.PostAsJsonAsync("/api/v1/nodes/sl-0001/commands", new { kind = "reboot", expiresInS = 120 }))).GetProperty("id").GetString();
        _clock.Advance(121);
        await _server.App.Services.GetRequiredService<RecordFeed>().RunOnceAsync();
        Assert.Equal("expired", (await Json(await technician.GetAsync($"/api/v1/commands/{expiring}"))).GetProperty("status").GetString());

        var alarm = Assert.Single((await Json(await _clients["viewer"].GetAsync("/api/v1/alarms?status=open"))).EnumerateArray());
        Assert.Equal(("lamp.fault", "sl-0001"), (alarm.GetProperty("kind").GetString(), alarm.GetProperty("node").GetString()));
        var alarmId = alarm.GetProperty("id").GetInt64();
        await Problem(await _clients["viewer"].PostAsync($"/api/v1/alarms/{alarmId}/acknowledge", null), HttpStatusCode.Forbidden);
        // A note longer than the console's field is refused and the alarm stays open; a note that fits goes to the audit entry.
        var tooLong = await Problem(await technician.PostAsJsonAsync($"/api/v1/alarms/{alarmId}/acknowledge", new { note = new string('x', 201) }), HttpStatusCode.BadRequest);
        Assert.Equal("note: 201 characters; at most 200", tooLong.GetProperty("detail").GetString());
        Assert.Equal("open", (await Json(await _clients["viewer"].GetAsync($"/api/v1/alarms/{alarmId}"))).GetProperty("status").GetString());
        var acknowledged = await Json(await technician.PostAsJsonAsync($"/api/v1/alarms/{alarmId}/acknowledge", new { note = "λάμπα σβηστή, crew Tuesday" }));
        Assert.Equal(("acknowledged", "technician-1"), (acknowledged.GetProperty("status").GetString(), acknowledged.GetProperty("acknowledgedBy").GetString()));
        var acknowledgement = (await Json(await _clients["admin"].GetAsync("/api/v1/audit?limit=500"))).EnumerateArray()
            .Single(a => a.GetProperty("action").GetString() == "alarm.acknowledge" && a.GetProperty("target").GetString() == $"alarm:{alarmId}");
        Assert.Equal("λάμπα σβηστή, crew Tuesday", acknowledgement.GetProperty("detail").GetProperty("note").GetString());
        await Problem(await technician.PostAsync($"/api/v1/alarms/{alarmId}/acknowledge", null), HttpStatusCode.Conflict);
        // A lamp fault clears when the lamp reports it fixed, not by hand; a viewer clears nothing.
        await Problem(await _clients["viewer"].PostAsync($"/api/v1/alarms/{alarmId}/clear", null), HttpStatusCode.Forbidden);
        Assert.Contains("clears when its condition ends", (await Problem(await technician.PostAsync($"/api/v1/alarms/{alarmId}/clear", null), HttpStatusCode.Conflict))
            .GetProperty("detail").GetString());

        var clear = Records.LampFault(3, "sl-0001", ts + 200);
        clear["payload"]!["active"] = false;
        await Ok(await gateway.PostAsync($"/api/v1/gateways/{Gateway}/batches", new StringContent(Records.Batch(Gateway, clear).ToJsonString(), Encoding.UTF8, "application/json")));
        await _server.App.Services.GetRequiredService<RecordFeed>().RunOnceAsync();
        Assert.Equal("cleared", (await Json(await _clients["viewer"].GetAsync($"/api/v1/alarms/{alarmId}"))).GetProperty("status").GetString());

        var audit = (await Json(await _clients["admin"].GetAsync("/api/v1/audit?limit=500"))).EnumerateArray()
            .Select(a => (a.GetProperty("actor").GetString(), a.GetProperty("action").GetString(), a.GetProperty("target").GetString())).ToList();
        Assert.Contains(("technician-1", "command.issue", "node:sl-0001"), audit);
        Assert.Contains(("technician-1", "alarm.acknowledge", $"alarm:{alarmId}"), audit);
        Assert.Contains(("installer-1", "node.create", "node:sl-0001"), audit);
        Assert.Contains(("admin", "user.create", "user:viewer-1"), audit);
        // A technician reads the lighting, command and alarm entries, not the accounts or the inventory.
        var technicianView = (await Json(await _clients["technician"].GetAsync("/api/v1/audit?limit=500"))).EnumerateArray()
            .Select(a => (a.GetProperty("actor").GetString(), a.GetProperty("action").GetString(), a.GetProperty("target").GetString())).ToList();
        Assert.Contains(("technician-1", "command.issue", "node:sl-0001"), technicianView);
        Assert.Contains(("technician-1", "alarm.acknowledge", $"alarm:{alarmId}"), technicianView);
        Assert.Equal(audit.Where(a => a.Item2 is "command.issue" or "alarm.acknowledge" or "profile.put" or "group.profile" or "node.profile").ToList(), technicianView);
        var node = await Json(await _clients["viewer"].GetAsync("/api/v1/nodes/sl-0001"));
        Assert.Equal(("installer-1", "P-sl-0001"), (node.GetProperty("installedBy").GetString(), node.GetProperty("pole").GetString()));
    }
    [Fact]
    public async Task Telemetry_and_events_are_readable_by_a_viewer_and_listed_in_the_openapi_document()
    {
        await SeedInventoryAsync("sl-0001");
        using var gateway = GatewayClient();
        long ts = _clock.UnixNow;
        var batch = Records.Batch(Gateway, Records.Streetlight(1, "sl-0001", ts, 60), Records.Streetlight(2, "sl-0001", ts + 30, 70), Records.Rule(3, ts + 31));
        await Ok(await gateway.PostAsync($"/api/v1/gateways/{Gateway}/batches", new StringContent(batch.ToJsonString(), Encoding.UTF8, "application/json")));

        var viewer = _clients["viewer"];
        var telemetry = (await Json(await viewer.GetAsync("/api/v1/nodes/sl-0001/telemetry?limit=5"))).EnumerateArray().ToList();
        Assert.Equal([70, 60], telemetry.Select(t => t.GetProperty("level").GetInt32()));
        Assert.Equal(ts + 30, telemetry[0].GetProperty("ts").GetInt64());
        Assert.Equal(JsonValueKind.Object, telemetry[0].GetProperty("payload").ValueKind);
        Assert.Equal("schedule", telemetry[0].GetProperty("payload").GetProperty("source").GetString());
        Assert.Single((await Json(await viewer.GetAsync($"/api/v1/nodes/sl-0001/telemetry?from={ts + 1}&to={ts + 30}"))).EnumerateArray());

        var rule = Assert.Single((await Json(await viewer.GetAsync("/api/v1/events?kind=rule.fired"))).EnumerateArray());
        Assert.Equal(("rule", "flood-zone-3"), (rule.GetProperty("recordKind").GetString(), rule.GetProperty("payload").GetProperty("rule").GetString()));

        Assert.Contains("node 'sl-9999'", (await Problem(await viewer.GetAsync("/api/v1/nodes/sl-9999/telemetry"), HttpStatusCode.NotFound)).GetProperty("detail").GetString());
        Assert.Contains("limit: 0", (await Problem(await viewer.GetAsync("/api/v1/events?limit=0"), HttpStatusCode.BadRequest)).GetProperty("detail").GetString());
        Assert.Contains("from:", (await Problem(await viewer.GetAsync($"/api/v1/nodes/sl-0001/telemetry?from={ts + 1}&to={ts}"), HttpStatusCode.BadRequest)).GetProperty("detail").GetString());

        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("/api/v1/events?from=yesterday")).StatusCode);

        var paths = (await Json(await _server.Client.GetAsync("/openapi/v1.json"))).GetProperty("paths");
        foreach (var path in new[] { "/api/v1/nodes/{id}/telemetry", "/api/v1/events" })
        {
            var get = paths.GetProperty(path).GetProperty("get");
            Assert.Superset(new HashSet<string> { "200", "400", "404" }, get.GetProperty("responses").EnumerateObject().Select(p => p.Name).ToHashSet());
            Assert.Contains("limit", get.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        }
    }
    [Fact]
    public async Task A_waiting_long_poll_is_answered_with_nothing_new_when_the_cloud_stops()
    {
        // Its own server: this test stops it. Kestrel's graceful stop waits for in-flight requests, so a poll that kept
        // waiting would hold the stop until the host's shutdown timeout and then lose its connection.
        var server = await CloudServer.StartAsync(new Dictionary<string, string?> { ["Gateways:Seed:0:Id"] = Gateway, ["Gateways:Seed:0:Token"] = GatewayToken });
        await using var _ = server;
        using var gateway = new HttpClient { BaseAddress = server.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(100) };
        gateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayToken);
        var cursor = (await Json(await gateway.GetAsync($"/api/v1/gateways/{Gateway}/desired?waitS=0"))).GetProperty("cursor").GetString();
        var polls = server.App.Services.GetRequiredService<Edge.Cloud.Storage.IStorageConnections>();
        long Sql(string sql) { using var c = polls.OpenAsync().GetAwaiter().GetResult(); using var cmd = c.CreateCommand(); cmd.CommandText = sql; return Convert.ToInt64(cmd.ExecuteScalar()); }
        long Polls() => Sql("SELECT COUNT(*) FROM gateway_polls");
        Sql("DELETE FROM gateway_polls"); // the long poll below records itself once it is in (after authentication)

        var poll = gateway.GetAsync($"/api/v1/gateways/{Gateway}/desired?after={cursor}&waitS=60");
        await WaitUntilAsync(() => poll.IsCompleted || Polls() > 0);
        await server.App.StopAsync();
        var answer = await Json(await poll);
        Assert.Equal((cursor, false, 0, 0), (answer.GetProperty("cursor").GetString(), answer.GetProperty("full").GetBoolean(),
            answer.GetProperty("configs").GetArrayLength(), answer.GetProperty("commands").GetArrayLength()));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 600 && !condition(); i++) await Task.Delay(50);
        Assert.True(condition(), "condition not reached");
    }
}
