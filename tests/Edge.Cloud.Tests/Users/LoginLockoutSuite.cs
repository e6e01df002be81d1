using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http.Json;
using System.Threading.Tasks;
using Edge.Cloud.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Edge.Cloud.Tests.Support.ApiAssert;

namespace Edge.Cloud.Tests.Users;

/// <summary>The per-name login lockout over real HTTP, on SQLite and PostgreSQL: it lives in the database, so
/// it outlives a restart; the injected clock ends it.</summary>
public abstract class LoginLockoutSuite : IAsyncLifetime
{
    private const string Password = "admin-password-1";
    private readonly ManualClock _clock = new(1767304800);
    private CloudServer _server = null!;

    protected abstract Task<Dictionary<string, string?>> StorageAsync();

    public async Task InitializeAsync()
    {
        var settings = await StorageAsync();
        settings["Users:Seed:0:Name"] = "admin";
        settings["Users:Seed:0:Password"] = Password;
        settings["Users:Login:MaxFailures"] = "3";
        settings["Users:Login:LockoutMinutes"] = "15";
        settings["Users:Login:PerAddressPermits"] = "1000"; // this test is about the per-name lockout
        _server = await CloudServer.StartAsync(settings, services => services.AddSingleton<TimeProvider>(_clock));
    }

    public virtual async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<System.Net.Http.HttpResponseMessage> Login(string name, string password) =>
        _server.Client.PostAsJsonAsync("/api/v1/auth/login", new { name, password });

    [Fact]
    public async Task A_name_is_locked_after_failures_in_a_row_even_for_the_right_password_across_a_restart_until_the_lockout_passes()
    {
        // Failures that a success interrupts do not add up.
        await Problem(await Login("admin", "wrong-1"), HttpStatusCode.Unauthorized);
        await Problem(await Login("admin", "wrong-2"), HttpStatusCode.Unauthorized);
        await Ok(await Login("admin", Password));

        await Problem(await Login("admin", "wrong-1"), HttpStatusCode.Unauthorized);
        await Problem(await Login("admin", "wrong-2"), HttpStatusCode.Unauthorized);
        var third = await Problem(await Login("admin", "wrong-3"), HttpStatusCode.Unauthorized);
        Assert.Contains("refused until 2026-01-01T22:15:00Z", third.GetProperty("detail").GetString());

        var locked = await Login("admin", Password);
        Assert.Equal("Login locked", (await Problem(locked, (HttpStatusCode)429)).GetProperty("title").GetString());
        Assert.Equal("900", locked.Headers.GetValues("Retry-After").Single());

        // A name that does not exist locks the same way: the answers do not tell which names exist.
        for (var i = 0; i < 3; i++) await Problem(await Login("nobody", "wrong"), HttpStatusCode.Unauthorized);
        await Problem(await Login("nobody", "wrong"), (HttpStatusCode)429);

        await _server.RestartAsync();
        _clock.Advance(899);
        await Problem(await Login("admin", Password), (HttpStatusCode)429);
        _clock.Advance(1);
        using var admin = await LoginAsync(_server, "admin", Password);

        // Every attempt is audited with the client's address.
        var audit = await Ok(await admin.GetAsync("/api/v1/audit?target=user:admin&limit=50"));
        var entries = audit.EnumerateArray().Where(e => e.GetProperty("action").GetString()!.StartsWith("auth.", StringComparison.Ordinal)).Select(e => (Action: e.GetProperty("action").GetString(), Reason: e.GetProperty("detail").TryGetProperty("reason", out var r) ? r.GetString() : null,
            Address: e.GetProperty("detail").GetProperty("address").GetString())).ToList();
        Assert.Equal(2, entries.Count(e => e.Action == "auth.login.failed" && e.Reason == "locked"));
        Assert.Equal(5, entries.Count(e => e.Action == "auth.login.failed" && e.Reason == "wrong name or password"));
        Assert.Equal(2, entries.Count(e => e.Action == "auth.login"));
        Assert.All(entries, e => Assert.Equal("127.0.0.1", e.Address));

        // An admin setting a new password unlocks a name at once.
        await Ok(await admin.PostAsJsonAsync("/api/v1/users", new { name = "tech-1", role = "technician", password = "password-tech-1" }));
        for (var i = 0; i < 3; i++) await Problem(await Login("tech-1", "wrong"), HttpStatusCode.Unauthorized);
        await Problem(await Login("tech-1", "password-tech-1"), (HttpStatusCode)429);
        await Ok(await admin.PutAsJsonAsync("/api/v1/users/tech-1", new { password = "password-tech-2" }));
        await Ok(await Login("tech-1", "password-tech-2"));
    }
}

public sealed class SqliteLoginLockoutTests : LoginLockoutSuite
{
    protected override Task<Dictionary<string, string?>> StorageAsync() => Task.FromResult(new Dictionary<string, string?>());
}

public sealed class PostgresLoginLockoutTests : LoginLockoutSuite
{
    private TestPostgres? _database;

    protected override async Task<Dictionary<string, string?>> StorageAsync()
    {
        _database = await TestPostgres.CreateAsync();
        return new Dictionary<string, string?> { ["Storage:Provider"] = "Postgres", ["Storage:PostgresConnectionString"] = _database.ConnectionString };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }
}
