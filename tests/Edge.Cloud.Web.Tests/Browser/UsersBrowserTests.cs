using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Users;
using Edge.Cloud.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Edge.Cloud.Web.Tests.Browser;

/// <summary>The admin's users page: disabling a user and managing a user's API tokens, in a real browser, with the
/// outcome checked where it matters (the sign-in page and the API with a bearer header).</summary>
[Collection(ConsoleSiteCollection.Name)]
public sealed class UsersBrowserTests(ConsoleSite site)
{
    private UserService Users => site.Server.App.Services.GetRequiredService<UserService>();

    /// <summary>A user of the test's own (the shared site's users stay as they are) and the admin on the users page.</summary>
    private async Task<IPage> AdminWithNewUserAsync(string name, string role)
    {
        await Users.CreateAsync("admin", name, role, ConsoleServer.Password(name));
        var admin = await site.SignedInPageAsync("admin", "/users");
        await admin.WaitForURLAsync("**/users");
        return admin;
    }

    [Fact]
    public async Task An_admin_disables_a_user_who_then_cannot_sign_in_and_enables_them_again()
    {
        var admin = await AdminWithNewUserAsync("dora", Roles.Technician);
        await admin.SelectOptionAsync("#access-name", "dora");
        await admin.SelectOptionAsync("#access-action", "disable");
        await admin.ClickAsync("#access-submit");
        Assert.Contains("dora", await admin.Locator("#users-message").InnerTextAsync());
        Assert.Contains("dora\ttechnician", await admin.Locator("#users-table").InnerTextAsync());
        Assert.Contains("απενεργοποιημένος", await admin.Locator("#users-table tr", new() { HasText = "dora" }).InnerTextAsync());

        var dora = await site.NewPageAsync();
        await dora.GotoAsync("/signin");
        await ConsoleSite.SignInAsync(dora, "dora");
        Assert.Equal("Άγνωστο όνομα χρήστη ή λάθος κωδικός.", await dora.Locator("#signin-error").InnerTextAsync());

        await admin.SelectOptionAsync("#access-name", "dora");
        await admin.SelectOptionAsync("#access-action", "enable");
        await admin.ClickAsync("#access-submit");
        await ConsoleSite.SignInAsync(dora, "dora");
        await dora.WaitForURLAsync(url => !url.Contains("/signin"));
        Assert.Contains("dora", await dora.Locator("header .session").InnerTextAsync());
        await admin.Context.CloseAsync();
        await dora.Context.CloseAsync();
    }

    [Fact]
    public async Task An_admin_makes_a_token_shown_once_that_works_on_the_api_until_revoked()
    {
        var admin = await AdminWithNewUserAsync("script-user", Roles.Viewer);
        await admin.SelectOptionAsync("#tokens-user", "script-user");
        await admin.ClickAsync("#tokens-show");
        await admin.WaitForURLAsync("**/users?tokens=script-user");
        await admin.FillAsync("#token-name", "nightly export");
        await admin.FillAsync("#token-days", "30");
        await admin.ClickAsync("#token-create");
        var secret = await admin.Locator("#token-secret").InnerTextAsync();
        Assert.StartsWith("edge_", secret);
        Assert.Contains("ποτέ", await admin.Locator("#tokens-table tr", new() { HasText = "nightly export" }).InnerTextAsync());
        var made = Assert.Single(await Users.ListTokensAsync("script-user"));
        Assert.Equal(ConsoleServer.T0 + 30 * 86400, made.ExpiresAt);

        using var api = new HttpClient { BaseAddress = new Uri(site.Server.BaseUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/nodes")).StatusCode);

        // Shown once: the page again lists the token (now used) but never its secret.
        await admin.GotoAsync("/users?tokens=script-user");
        Assert.Equal(0, await admin.Locator("#token-secret").CountAsync());
        Assert.DoesNotContain(secret, await admin.ContentAsync());
        Assert.DoesNotContain("ποτέ", await admin.Locator("#tokens-table tr", new() { HasText = "nightly export" }).InnerTextAsync());

        await admin.ClickAsync("#token-revoke");
        Assert.Contains("script-user", await admin.Locator("#users-message").InnerTextAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/nodes")).StatusCode);
        var audit = await site.Server.App.Services.GetRequiredService<AuditLog>().ListAsync("user:script-user", null, null, 100);
        Assert.Contains(audit, e => e.Action == "token.create" && e.Actor == "admin");
        Assert.Contains(audit, e => e.Action == "token.revoke" && e.Actor == "admin");
        await admin.Context.CloseAsync();
    }
}
