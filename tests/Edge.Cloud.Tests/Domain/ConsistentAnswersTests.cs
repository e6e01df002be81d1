using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text;
using System.Threading.Tasks;
using Edge.Cloud.Tests.Support;
using static Edge.Cloud.Tests.Support.ApiAssert;

namespace Edge.Cloud.Tests.Domain;

/// <summary>Every endpoint answers the same way: query values named with the reason, unknown filter values
/// refused, limits bounded alike, authentication before existence before the body, removed nodes gone, and
/// PUT saying whether it created.</summary>
public sealed class ConsistentAnswersTests : IAsyncLifetime
{
    private const string Gateway = "gw-igoumenitsa-1";
    private CloudServer _server = null!;
    private readonly Dictionary<string, HttpClient> _clients = new();

    public async Task InitializeAsync()
    {
        _server = await CloudServer.StartAsync(new Dictionary<string, string?>
        {
            ["Users:Seed:0:Name"] = "admin",
            ["Users:Seed:0:Password"] = "admin-password-1",
            ["Users:Seed:0:Role"] = "admin",
            ["Gateways:Seed:0:Id"] = Gateway,
            ["Gateways:Seed:0:Token"] = "token-of-gw-igoumenitsa-1-at-least-32-chars",
        });
        _clients["admin"] = await LoginAsync(_server, "admin", "admin-password-1");
        foreach (var role in new[] { "technician", "installer", "viewer" })
        {
            await Ok(await _clients["admin"].PostAsJsonAsync("/api/v1/users", new { name = role + "-1", role, password = "password-" + role }));
            _clients[role] = await LoginAsync(_server, role + "-1", "password-" + role);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients.Values) client.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<string> DetailAsync(string role, string path)
    {
        var problem = await Problem(await _clients[role].GetAsync(path), HttpStatusCode.BadRequest);
        return problem.GetProperty("detail").GetString()!;
    }

    [Fact]
    public async Task Bad_limit_from_and_to_values_name_the_parameter_and_why_with_the_same_bounds_everywhere()
    {
        Assert.Equal("limit: 'ten' is not a whole number", await DetailAsync("viewer", "/api/v1/alarms?limit=ten"));
        Assert.Equal("from: 'yesterday' is not a whole number", await DetailAsync("viewer", "/api/v1/events?from=yesterday"));
        Assert.Equal("to: '1.5' is not a whole number", await DetailAsync("viewer", "/api/v1/events?to=1.5"));
        Assert.Equal("from: 10 is after to (5)", await DetailAsync("viewer", "/api/v1/events?from=10&to=5"));
        foreach (var (role, path) in new[] { ("viewer", "/api/v1/alarms"), ("viewer", "/api/v1/commands"), ("admin", "/api/v1/audit"), ("viewer", "/api/v1/events") })
        {
            Assert.Equal("limit: 0 is out of range 1..1000", await DetailAsync(role, path + "?limit=0"));
            Assert.Equal("limit: 1001 is out of range 1..1000", await DetailAsync(role, path + "?limit=1001"));
            await Ok(await _clients[role].GetAsync(path + "?limit=1000"));
        }
    }

    [Fact]
    public async Task Unknown_filter_values_are_refused_with_the_known_ones()
    {
        Assert.Equal("status: 'bogus' is not one of open, acknowledged, cleared, active", await DetailAsync("viewer", "/api/v1/alarms?status=bogus"));
        Assert.Equal("status: 'bogus' is not one of pending, delivered, acked, failed, expired", await DetailAsync("viewer", "/api/v1/commands?status=bogus"));
        Assert.Equal("type: 'toaster' is not one of streetlight, waterlevel, busstop", await DetailAsync("viewer", "/api/v1/nodes?type=toaster"));
        await Ok(await _clients["viewer"].GetAsync("/api/v1/alarms?status=active"));
        await Ok(await _clients["viewer"].GetAsync("/api/v1/commands?status=acked"));
        await Ok(await _clients["viewer"].GetAsync("/api/v1/nodes?type=busstop"));
    }

    [Fact]
    public async Task Checks_run_in_order_authentication_then_existence_then_body()
    {
        using var anonymous = new HttpClient { BaseAddress = _server.Client.BaseAddress };
        var bad = """{"kind": 5}""";
        foreach (var (method, path) in new[]
        {
            ("POST", "/api/v1/nodes/no-such-node/commands"), ("POST", "/api/v1/groups/no-such-group/commands"),
            ("PUT", "/api/v1/nodes/no-such-node/display"), ("PUT", "/api/v1/nodes/no-such-node/profile"), ("PUT", "/api/v1/groups/no-such-group/profile"),
        })
        {
            HttpRequestMessage Request() => new(new HttpMethod(method), path) { Content = new StringContent(bad, Encoding.UTF8, "application/json") };
            await Problem(await anonymous.SendAsync(Request()), HttpStatusCode.Unauthorized);
            await Problem(await _clients["viewer"].SendAsync(Request()), HttpStatusCode.Forbidden);
            var missing = await Problem(await _clients["technician"].SendAsync(Request()), HttpStatusCode.NotFound);
            Assert.Contains("does not exist", missing.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task A_removed_nodes_sub_resources_are_404()
    {
        var installer = _clients["installer"];
        await Ok(await installer.PutAsJsonAsync("/api/v1/sites/igoumenitsa", new { name = "Igoumenitsa" }));
        await Ok(await installer.PutAsJsonAsync("/api/v1/nodes/bs-port", new { site = "igoumenitsa", type = "busstop", gateway = Gateway }));
        await Ok(await installer.GetAsync("/api/v1/nodes/bs-port"));
        await Ok(await installer.DeleteAsync("/api/v1/nodes/bs-port"));
        var technician = _clients["technician"];
        await Problem(await technician.GetAsync("/api/v1/nodes/bs-port"), HttpStatusCode.NotFound);
        await Problem(await technician.GetAsync("/api/v1/nodes/bs-port/desired-config"), HttpStatusCode.NotFound);
        await Problem(await technician.GetAsync("/api/v1/nodes/bs-port/display"), HttpStatusCode.NotFound);
        await Problem(await installer.PostAsync("/api/v1/nodes/bs-port/secret", null), HttpStatusCode.NotFound);
        await Problem(await installer.PutAsJsonAsync("/api/v1/nodes/bs-port/busstop-config", new { panel = "epd-7in5" }), HttpStatusCode.NotFound);
        await Problem(await technician.PostAsJsonAsync("/api/v1/nodes/bs-port/commands", new { kind = "display.refresh" }), HttpStatusCode.NotFound);
        await Problem(await technician.PutAsJsonAsync("/api/v1/nodes/bs-port/profile", new { profile = (string?)null }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Put_answers_201_with_its_location_when_it_creates_and_200_when_it_replaces()
    {
        var installer = _clients["installer"];
        var technician = _clients["technician"];
        var puts = new (HttpClient Client, string Path, object Body)[]
        {
            (installer, "/api/v1/sites/igoumenitsa", new { name = "Igoumenitsa" }),
            (installer, "/api/v1/zones/zone-3", new { site = "igoumenitsa", name = "Stream 3" }),
            (installer, "/api/v1/groups/harbour-road", new { site = "igoumenitsa", name = "Harbour road" }),
            (installer, "/api/v1/nodes/sl-0001", new { site = "igoumenitsa", type = "streetlight", gateway = Gateway, lat = 39.5, lon = 20.26, zone = "zone-3" }),
            (technician, "/api/v1/profiles/residential", Documents.Schedule()),
            (technician, "/api/v1/flood-rules/flood-zone-3", new { zone = "zone-3", on = new[] { "warning" }, actions = new { lightsLevel = 100 } }),
        };
        foreach (var (client, path, body) in puts)
        {
            var created = await client.PutAsJsonAsync(path, body);
            await Ok(created);
            Assert.True(HttpStatusCode.Created == created.StatusCode, $"{path}: {(int)created.StatusCode}");
            Assert.Equal(path, created.Headers.Location?.OriginalString);
            var replaced = await client.PutAsJsonAsync(path, body);
            await Ok(replaced);
            Assert.True(HttpStatusCode.OK == replaced.StatusCode, $"{path} again: {(int)replaced.StatusCode}");
            Assert.Null(replaced.Headers.Location);
        }
    }
}
