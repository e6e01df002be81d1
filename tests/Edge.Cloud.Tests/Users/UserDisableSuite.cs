using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Tests.Support;
using Edge.Cloud.Users;
using Microsoft.Extensions.DependencyInjection;
using static Edge.Cloud.Tests.Support.ApiAssert;

namespace Edge.Cloud.Tests.Users;

/// <summary>Disabling and enabling users through <c>POST /api/v1/users/{name}/disable</c> and <c>/enable</c> over real
/// HTTP, on SQLite and PostgreSQL: admins only, audited, sessions end, sign-in and tokens refused, the last enabled
/// admin stays, and <c>GET /users</c> says who is disabled.</summary>
public abstract class UserDisableSuite : IAsyncLifetime
{
    private const string AdminPassword = "admin-password-1";
    private CloudServer _server = null!;
    private HttpClient _admin = null!;

    private TestStorage _storage = null!;

    /// <summary>Whether this run is on PostgreSQL (else SQLite).</summary>
    protected abstract bool Postgres { get; }

    public async Task InitializeAsync()
    {
        var settings = (_storage = await TestStorage.CreateAsync(Postgres)).Settings;
        settings["Users:Seed:0:Name"] = "admin";
        settings["Users:Seed:0:Password"] = AdminPassword;
        settings["Users:Login:PerAddressPermits"] = "1000"; // this test signs in many times from one address
        _server = await CloudServer.StartAsync(settings);
        _admin = await LoginAsync(_server, "admin", AdminPassword);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
        await _storage.DisposeAsync();
    }

    private async Task<HttpClient> UserAsync(string name, string role)
    {
        await Ok(await _admin.PostAsJsonAsync("/api/v1/users", new { name, role, password = "password-" + name }));
        return await LoginAsync(_server, name, "password-" + name);
    }

    private static Task<HttpResponseMessage> Post(HttpClient client, string path) => client.PostAsync(path, null);

    private async Task<bool?> DisabledInListAsync(string name)
    {
        var users = await Ok(await _admin.GetAsync("/api/v1/users"));
        return users.EnumerateArray().Where(u => u.GetProperty("name").GetString() == name).Select(u => (bool?)u.GetProperty("disabled").GetBoolean()).SingleOrDefault();
    }

    private async Task<List<(string? Action, string? Actor)>> AuditAsync(string name)
    {
        var entries = await Ok(await _admin.GetAsync($"/api/v1/audit?target=user:{name}&limit=50"));
        return entries.EnumerateArray().Select(e => (e.GetProperty("action").GetString(), e.GetProperty("actor").GetString())).ToList();
    }

    [Fact]
    public async Task An_admin_disables_a_user_whose_sessions_logins_and_tokens_are_refused_until_enabled_again()
    {
        using var nikos = await UserAsync("nikos", "technician");
        using var token = await BearerClientAsync(_server, nikos);
        Assert.False(await DisabledInListAsync("nikos"));

        var disabled = await Ok(await Post(_admin, "/api/v1/users/nikos/disable"));
        Assert.Equal(("nikos", "technician", true), (disabled.GetProperty("name").GetString(), disabled.GetProperty("role").GetString(), disabled.GetProperty("disabled").GetBoolean()));
        Assert.True(await DisabledInListAsync("nikos"));
        await Problem(await nikos.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized);
        await Problem(await token.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized);
        await Problem(await _server.Client.PostAsJsonAsync("/api/v1/auth/login", new { name = "nikos", password = "password-nikos" }), HttpStatusCode.Unauthorized);
        // A second disable changes nothing and is not audited again.
        Assert.True((await Ok(await Post(_admin, "/api/v1/users/nikos/disable"))).GetProperty("disabled").GetBoolean());

        var enabled = await Ok(await Post(_admin, "/api/v1/users/nikos/enable"));
        Assert.False(enabled.GetProperty("disabled").GetBoolean());
        Assert.False(await DisabledInListAsync("nikos"));
        Assert.Equal("nikos", (await Ok(await token.GetAsync("/api/v1/auth/me"))).GetProperty("name").GetString());
        using var again = await LoginAsync(_server, "nikos", "password-nikos");
        // The session that was open when the user was disabled stays ended.
        await Problem(await nikos.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized);

        var audit = await AuditAsync("nikos");
        Assert.Equal(1, audit.Count(e => e == ("user.disable", "admin")));
        Assert.Equal(1, audit.Count(e => e == ("user.enable", "admin")));
    }

    [Fact]
    public async Task Only_admins_may_disable_nobody_disables_themselves_and_the_last_enabled_admin_stays()
    {
        using var technician = await UserAsync("tech-1", "technician");
        using var viewer = await UserAsync("viewer-1", "viewer");
        await Problem(await Post(technician, "/api/v1/users/viewer-1/disable"), HttpStatusCode.Forbidden);
        await Problem(await Post(viewer, "/api/v1/users/tech-1/enable"), HttpStatusCode.Forbidden);
        Assert.False(await DisabledInListAsync("viewer-1"));
        await Problem(await Post(_admin, "/api/v1/users/nobody/disable"), HttpStatusCode.NotFound);

        var self = await Problem(await Post(_admin, "/api/v1/users/admin/disable"), HttpStatusCode.Conflict);
        Assert.Contains("cannot disable your own user", self.GetProperty("detail").GetString());

        // A second admin, once disabled, does not count: the first is then the last enabled admin. Through the API an
        // admin never meets this rule (they are an enabled admin themselves and may not disable themselves), so the
        // service that the API and the console share is asked directly, as a stale actor would.
        using var second = await UserAsync("admin-2", "admin");
        await Ok(await Post(_admin, "/api/v1/users/admin-2/disable"));
        var users = _server.App.Services.GetRequiredService<UserService>();
        var last = await Assert.ThrowsAsync<DomainException>(() => users.SetDisabledAsync("admin-2", "admin", true));
        Assert.Equal(409, last.Status);
        Assert.Contains("'admin' is the last admin", last.Message);
        Assert.False(await DisabledInListAsync("admin"));
        Assert.True(await DisabledInListAsync("admin-2"));
    }
}

public sealed class SqliteUserDisableTests : UserDisableSuite
{
    protected override bool Postgres => false;
}

public sealed class PostgresUserDisableTests : UserDisableSuite
{
    protected override bool Postgres => true;
}
