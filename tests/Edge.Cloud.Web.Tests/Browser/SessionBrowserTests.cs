using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Threading.Tasks;
using Edge.Cloud.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Edge.Cloud.Web.Tests.Support;
using Microsoft.Playwright;

namespace Edge.Cloud.Web.Tests.Browser;

/// <summary>Signing in and a session that runs out, in a real browser.</summary>
[Collection(ConsoleSiteCollection.Name)]
public sealed class SessionBrowserTests(ConsoleSite site)
{
    [Fact]
    public async Task An_expired_session_goes_to_sign_in_and_then_back_to_the_page_it_was_on()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync("/?view=stops");
        Assert.Contains("/signin?returnUrl=%2F%3Fview%3Dstops", page.Url);
        await ConsoleSite.SignInAsync(page, "technician");
        await page.WaitForURLAsync("**/?view=stops");
        Assert.Equal("Επισκόπηση", await page.Locator("main h1").InnerTextAsync());
        Assert.Contains("technician", await page.Locator("header .session").InnerTextAsync());

        // The cookie session lasts 12 hours (sliding): 13 hours later the next page asks to sign in again.
        site.Server.Clock.Advance(13 * 3600);
        try
        {
            await page.GotoAsync("/?view=stops");
            Assert.Contains("/signin?returnUrl=%2F%3Fview%3Dstops", page.Url);
            await ConsoleSite.SignInAsync(page, "technician");
            await page.WaitForURLAsync("**/?view=stops");
            Assert.Equal("Επισκόπηση", await page.Locator("main h1").InnerTextAsync());
        }
        finally
        {
            site.Server.Clock.Now = System.DateTimeOffset.FromUnixTimeSeconds(ConsoleServer.T0);
        }
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_admin_creates_a_user_who_can_then_sign_in_and_a_technician_may_not_open_the_users_page()
    {
        var admin = await site.SignedInPageAsync("admin", "/users");
        await admin.WaitForURLAsync("**/users");
        await admin.FillAsync("#new-name", "maria");
        await admin.SelectOptionAsync("#new-role", "technician");
        await admin.FillAsync("#new-password", "maria-new-pass-12345");
        await admin.ClickAsync("#create-user");
        Assert.Contains("maria", await admin.Locator("#users-message").InnerTextAsync());
        Assert.Contains("maria\ttechnician", await admin.Locator("#users-table").InnerTextAsync());
        await admin.Context.CloseAsync();

        var maria = await site.NewPageAsync();
        await maria.GotoAsync("/users");
        await maria.FillAsync("#name", "maria");
        await maria.FillAsync("#password", "maria-new-pass-12345");
        await maria.ClickAsync("form.stack button[type=submit]");
        await maria.WaitForURLAsync("**/users");
        Assert.Equal(403, (await maria.ReloadAsync())!.Status);
        Assert.Equal(0, await maria.Locator("#create-user").CountAsync());
        await maria.Context.CloseAsync();
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_a_message()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.FillAsync("#name", "viewer");
        await page.FillAsync("#password", "not-the-password");
        await page.ClickAsync("form.stack button[type=submit]");
        Assert.Equal("Άγνωστο όνομα χρήστη ή λάθος κωδικός.", await page.Locator("#signin-error").InnerTextAsync());
        Assert.Contains("/signin", page.Url);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Sign_in_attempts_share_the_login_apis_per_address_limit()
    {
        const string address = "203.0.113.77";
        var page = await site.NewPageAsync(configure: o => o.ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Forwarded-For"] = address });
        await page.GotoAsync("/signin");
        var permits = site.Server.App.Services.GetRequiredService<IOptions<UserOptions>>().Value.Login.PerAddressPermits;
        // Different unknown names, so the per-name lockout never answers first; showing the form again counts nothing.
        for (var i = 0; i < permits; i++)
        {
            await page.GotoAsync("/signin");
            await page.FillAsync("#name", $"guess-{i}");
            await page.FillAsync("#password", "not-the-password");
            var answer = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("form.stack button[type=submit]"), r => r.Request.Method == "POST");
            Assert.Equal(401, answer.Status);
        }
        await page.GotoAsync("/signin");
        await page.FillAsync("#name", "viewer");
        await page.FillAsync("#password", ConsoleServer.Password("viewer"));
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("form.stack button[type=submit]"), r => r.Request.Method == "POST");
        Assert.Equal(429, refused.Status);
        Assert.NotNull(await refused.HeaderValueAsync("retry-after"));
        await page.Context.CloseAsync();

        // One counter with POST /api/v1/auth/login: the API refuses this address too.
        using var api = new HttpClient { BaseAddress = new System.Uri(site.Server.BaseUrl) };
        api.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        var login = await api.PostAsJsonAsync("/api/v1/auth/login", new { name = "viewer", password = ConsoleServer.Password("viewer") });
        Assert.Equal(HttpStatusCode.TooManyRequests, login.StatusCode);
    }
}
