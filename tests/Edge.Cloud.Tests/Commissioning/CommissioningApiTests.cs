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

    /// <summary>Whether this run is on PostgreSQL (else SQLite).</summary>
    protected abstract bool Postgres { get; }

    public async Task InitializeAsync()
    {
        _server = await CloudServer.StartAsync(new Dictionary<string, string?>((_storage = await TestStorage.CreateAsync(Postgres)).Settings)
        {
            ["Users:Seed:0:Name"] = "admin", ["Users:Seed:0:Password"] = "admin-password-1", ["Users:Seed:0:Role"] = "admin",
            ["Users:Seed:1:Name"] = "maria", ["Users:Seed:1:Password"] = "installer-password", ["Users:Seed:1:Role"] = "installer",
            ["Users:Seed:2:Name"] = "nikos", ["Users:Seed:2:Password"] = "viewer-password", ["Users:Seed:2:Role"] = "viewer",
            ["Gateways:Seed:0:Id"] = "gw-1", ["Gateways:Seed:0:Token"] = "token-of-gw-1-at-least-32-characters-long",
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
        Assert.Equal("lamp draws 0.4 W at 100 %", Assert.Single(history.EnumerateArray()).GetProperty("summary").GetString());
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
