using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Threading.Tasks;
using Edge.Cloud.Tests.Support;
using static Edge.Cloud.Tests.Support.ApiAssert;

namespace Edge.Cloud.Tests.Inventory;

/// <summary>Who may change a node's inventory through <c>PUT /api/v1/nodes/{id}</c>, per role, over real HTTP on SQLite
/// and PostgreSQL: installers and admins provision (every field, new nodes), technicians keep a registered node's zone,
/// group, pole and rated power up (anything else is 403 and saves nothing), viewers change nothing.</summary>
public abstract class NodeInventoryRolesSuite : IAsyncLifetime
{
    private const string Node = "sl-roles-1";
    private CloudServer _server = null!;
    private readonly Dictionary<string, HttpClient> _as = new();

    private TestStorage _storage = null!;

    /// <summary>Whether this run is on PostgreSQL (else SQLite).</summary>
    protected abstract bool Postgres { get; }

    public async Task InitializeAsync()
    {
        var settings = (_storage = await TestStorage.CreateAsync(Postgres)).Settings;
        settings["Users:Seed:0:Name"] = "admin";
        settings["Users:Seed:0:Password"] = "admin-password-1";
        settings["Gateways:Seed:0:Id"] = "gw-a";
        settings["Gateways:Seed:0:Token"] = "token-of-gw-a-at-least-32-characters-long";
        settings["Gateways:Seed:1:Id"] = "gw-b";
        settings["Gateways:Seed:1:Token"] = "token-of-gw-b-at-least-32-characters-long";
        _server = await CloudServer.StartAsync(settings);
        var admin = _as["admin"] = await LoginAsync(_server, "admin", "admin-password-1");
        foreach (var role in new[] { "technician", "installer", "viewer" })
        {
            await Ok(await admin.PostAsJsonAsync("/api/v1/users", new { name = role, role, password = "password-" + role }));
            _as[role] = await LoginAsync(_server, role, "password-" + role);
        }
        await Ok(await admin.PutAsJsonAsync("/api/v1/sites/igoumenitsa", new { name = "Igoumenitsa" }));
        foreach (var group in new[] { "seafront", "old-town" })
            await Ok(await admin.PutAsJsonAsync("/api/v1/groups/" + group, new { site = "igoumenitsa", name = group }));
        await Ok(await admin.PutAsJsonAsync("/api/v1/zones/port", new { site = "igoumenitsa", name = "Port" }));
        await Ok(await _as["installer"].PutAsJsonAsync("/api/v1/nodes/" + Node, Document()));
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _as.Values) client.Dispose();
        await _server.DisposeAsync();
        await _storage.DisposeAsync();
    }

    /// <summary>The node as the installer registered it, with <paramref name="change"/> applied.</summary>
    private static Dictionary<string, object?> Document(params (string Field, object? Value)[] change)
    {
        var document = new Dictionary<string, object?>
        {
            ["site"] = "igoumenitsa", ["type"] = "streetlight", ["gateway"] = "gw-a", ["model"] = "LED-60W", ["firmware"] = "1.2.0",
            ["lat"] = 39.504, ["lon"] = 20.265, ["pole"] = "P-101", ["zone"] = null, ["group"] = "seafront",
        };
        foreach (var (field, value) in change) document[field] = value;
        return document;
    }

    private Task<HttpResponseMessage> Put(string role, Dictionary<string, object?> document, string node = Node) =>
        _as[role].PutAsJsonAsync("/api/v1/nodes/" + node, document);

    private async Task<(string? Zone, string? Group, string? Pole, string? Gateway, string? Model)> NodeAsync()
    {
        var node = await Ok(await _as["viewer"].GetAsync("/api/v1/nodes/" + Node));
        string? S(string name) => node.GetProperty(name).ValueKind == System.Text.Json.JsonValueKind.Null ? null : node.GetProperty(name).GetString();
        return (S("zone"), S("group"), S("pole"), S("gateway"), S("model"));
    }

    [Fact]
    public async Task A_technician_changes_zone_group_pole_and_rated_power_and_nothing_else_and_a_viewer_nothing()
    {
        await Problem(await Put("viewer", Document(("pole", "P-999"))), HttpStatusCode.Forbidden);
        Assert.Equal("P-101", (await NodeAsync()).Pole);

        var kept = await Ok(await Put("technician", Document(("zone", "port"), ("group", "old-town"), ("pole", "P-102"))));
        Assert.Equal("P-102", kept.GetProperty("pole").GetString());
        Assert.Equal(("port", "old-town", "P-102", "gw-a", "LED-60W"), await NodeAsync());
        // A lamp head changed for another power is the technician's upkeep too: the energy report counts it.
        var rated = await Ok(await Put("technician", Document(("zone", "port"), ("group", "old-town"), ("pole", "P-102"), ("ratedWatts", 45))));
        Assert.Equal(45, rated.GetProperty("ratedWatts").GetDouble());

        // The same upkeep with a provisioning field in it is refused whole: nothing of it is saved.
        var refused = await Problem(await Put("technician", Document(("pole", "P-103"), ("gateway", "gw-b"), ("lat", 39.6))), HttpStatusCode.Forbidden);
        Assert.StartsWith("gateway, lat: changing these needs role installer or admin", refused.GetProperty("detail").GetString());
        await Problem(await Put("technician", Document(("pole", "P-103"), ("installedBy", "technician"))), HttpStatusCode.Forbidden);
        Assert.Equal(("port", "old-town", "P-102", "gw-a", "LED-60W"), await NodeAsync());
        // A bad value is still a 400 at its field, as for installers.
        var invalid = await Problem(await Put("technician", Document(("group", "no-such-group"))), HttpStatusCode.BadRequest);
        Assert.Contains("no-such-group", invalid.GetProperty("detail").GetString());

        // Registering a node is provisioning.
        await Problem(await Put("technician", Document(), "sl-roles-new"), HttpStatusCode.Forbidden);
        await Problem(await _as["admin"].GetAsync("/api/v1/nodes/sl-roles-new"), HttpStatusCode.NotFound);

        var audit = await Ok(await _as["admin"].GetAsync($"/api/v1/audit?target=node:{Node}&limit=20"));
        var updates = audit.EnumerateArray().Where(e => e.GetProperty("action").GetString() == "node.update").ToList();
        Assert.Equal(2, updates.Count);
        Assert.All(updates, entry => Assert.Equal("technician", entry.GetProperty("actor").GetString()));
        Assert.Equal("P-102", updates[^1].GetProperty("detail").GetProperty("pole").GetString());
    }

    [Fact]
    public async Task Installers_and_admins_change_every_field_and_register_nodes()
    {
        await Ok(await Put("installer", Document(("gateway", "gw-b"), ("model", "LED-90W"), ("pole", "P-201"))));
        Assert.Equal((null, "seafront", "P-201", "gw-b", "LED-90W"), await NodeAsync());
        await Ok(await Put("admin", Document(("gateway", "gw-a"), ("zone", "port"))));
        Assert.Equal(("port", "seafront", "P-101", "gw-a", "LED-60W"), await NodeAsync());
        Assert.Equal(HttpStatusCode.Created, (await Put("installer", Document(), "sl-roles-2")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Put("admin", Document(), "sl-roles-3")).StatusCode);
    }
}

public sealed class SqliteNodeInventoryRolesTests : NodeInventoryRolesSuite
{
    protected override bool Postgres => false;
}

public sealed class PostgresNodeInventoryRolesTests : NodeInventoryRolesSuite
{
    protected override bool Postgres => true;
}
