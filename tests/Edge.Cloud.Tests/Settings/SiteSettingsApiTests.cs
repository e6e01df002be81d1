using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Tasks;
using Edge.Cloud.Tests.Support;
using static Edge.Cloud.Tests.Support.ApiAssert;

namespace Edge.Cloud.Tests.Settings;

/// <summary>The site settings over real HTTP (docs/cloud.md §Site settings), on SQLite and PostgreSQL: configuration
/// gives the first values, only an admin changes them (audited), and a value out of range is refused at its field
/// with nothing saved.</summary>
public abstract class SiteSettingsApiTests : IAsyncLifetime
{
    private CloudServer _server = null!;
    private TestStorage _storage = null!;
    private readonly Dictionary<string, HttpClient> _clients = new();

    protected abstract bool Postgres { get; }

    public async Task InitializeAsync()
    {
        _server = await CloudServer.StartAsync(new Dictionary<string, string?>((_storage = await TestStorage.CreateAsync(Postgres)).Settings)
        {
            ["Console:PricePerKWh"] = "0.25",
            ["Users:Seed:0:Name"] = "admin", ["Users:Seed:0:Password"] = "admin-password-1", ["Users:Seed:0:Role"] = "admin",
            ["Users:Seed:1:Name"] = "eleni", ["Users:Seed:1:Password"] = "technician-password", ["Users:Seed:1:Role"] = "technician",
        });
        _clients["admin"] = await LoginAsync(_server, "admin", "admin-password-1");
        _clients["technician"] = await LoginAsync(_server, "eleni", "technician-password");
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients.Values) client.Dispose();
        await _server.DisposeAsync();
        await _storage.DisposeAsync();
    }

    [Fact]
    public async Task Configuration_is_the_default_an_admin_changes_it_with_an_audit_entry_a_technician_and_bad_values_are_refused()
    {
        var admin = _clients["admin"];
        var technician = _clients["technician"];
        // Configured price, built-in emission factor (Greek production 2023, 315 g/kWh), no change yet.
        var first = await Ok(await technician.GetAsync("/api/v1/settings"));
        Assert.Equal((0.25, 0.315), (first.GetProperty("pricePerKWh").GetDouble(), first.GetProperty("kgCo2PerKWh").GetDouble()));
        Assert.Equal(JsonValueKind.Null, first.GetProperty("updatedAt").ValueKind);

        await Problem(await technician.PutAsJsonAsync("/api/v1/settings", new { pricePerKWh = 0.30, kgCo2PerKWh = 0.3 }), HttpStatusCode.Forbidden);

        var invalid = await Problem(await admin.PutAsJsonAsync("/api/v1/settings", new { pricePerKWh = 0, kgCo2PerKWh = 2.5 }), HttpStatusCode.BadRequest);
        var errors = invalid.GetProperty("errors").EnumerateArray().ToDictionary(e => e.GetProperty("path").GetString()!, e => e.GetProperty("message").GetString()!);
        Assert.Equal("0 is out of range (more than 0 and at most 10 € per kWh)", errors["pricePerKWh"]);
        Assert.Equal("2.5 is out of range (0 to 2 kg CO₂ per kWh)", errors["kgCo2PerKWh"]);
        var missing = await Problem(await admin.PutAsJsonAsync("/api/v1/settings", new { pricePerKWh = 0.3 }), HttpStatusCode.BadRequest);
        Assert.Contains("kgCo2PerKWh: required", missing.GetProperty("detail").GetString());
        Assert.Equal(0.25, (await Ok(await technician.GetAsync("/api/v1/settings"))).GetProperty("pricePerKWh").GetDouble());

        var changed = await Ok(await admin.PutAsJsonAsync("/api/v1/settings", new { pricePerKWh = 0.31, kgCo2PerKWh = 0.267 }));
        Assert.Equal(("admin", 0.31, 0.267), (changed.GetProperty("updatedBy").GetString(), changed.GetProperty("pricePerKWh").GetDouble(), changed.GetProperty("kgCo2PerKWh").GetDouble()));
        var read = await Ok(await technician.GetAsync("/api/v1/settings"));
        Assert.Equal((0.31, 0.267), (read.GetProperty("pricePerKWh").GetDouble(), read.GetProperty("kgCo2PerKWh").GetDouble()));
        var audit = await Ok(await admin.GetAsync("/api/v1/audit?target=settings"));
        var entry = Assert.Single(audit.EnumerateArray());
        Assert.Equal(("admin", "settings.update"), (entry.GetProperty("actor").GetString(), entry.GetProperty("action").GetString()));

        // The store survives a restart; configuration no longer decides.
        await _server.RestartAsync();
        var after = await Ok(await (await LoginAsync(_server, "eleni", "technician-password")).GetAsync("/api/v1/settings"));
        Assert.Equal(0.31, after.GetProperty("pricePerKWh").GetDouble());
    }
}

public sealed class SqliteSiteSettingsApiTests : SiteSettingsApiTests
{
    protected override bool Postgres => false;
}

public sealed class PostgresSiteSettingsApiTests : SiteSettingsApiTests
{
    protected override bool Postgres => true;
}
