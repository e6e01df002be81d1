using System.Collections.Generic;
using System.Threading.Tasks;
using Edge.Cloud.Web.Tests.Support;
using Microsoft.Playwright;

namespace Edge.Cloud.Web.Tests.Browser;

/// <summary>The sign-in page refused for too many attempts, in a real browser: a locked name and an address over its
/// window get the page itself (not the API's JSON) with the message and the wait, 429 and Retry-After, in Greek and English.</summary>
[Collection(ConsoleSiteCollection.Name)]
public sealed class SignInLimitBrowserTests(ConsoleSite site)
{
    /// <summary>This test's own client address: the window it fills is its own.</summary>
    private const string Address = "198.19.7.7";

    private static void FromAddress(BrowserNewContextOptions options) =>
        options.ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Forwarded-For"] = Address };

    private static Task<IResponse> AttemptAsync(IPage page, string name, string password) =>
        page.RunAndWaitForResponseAsync(async () =>
        {
            await page.FillAsync("#name", name);
            await page.FillAsync("#password", password);
            await page.ClickAsync("form.stack button[type=submit]");
        }, r => r.Request.Method == "POST" && r.Url.Contains("/signin"));

    private static async Task<string> RefusedAsync(IPage page, IResponse response, string retryAfter)
    {
        Assert.Equal(429, response.Status);
        Assert.StartsWith("text/html", response.Headers["content-type"]);
        if (retryAfter.Length > 0) Assert.Equal(retryAfter, response.Headers["retry-after"]);
        // The form is still there to try again later.
        Assert.Equal(1, await page.Locator("#password").CountAsync());
        return await page.Locator("#signin-error").InnerTextAsync();
    }

    [Fact]
    public async Task A_locked_name_and_an_address_over_its_window_get_the_page_with_the_wait_and_429_in_both_languages()
    {
        var greek = await site.NewPageAsync("el-GR", FromAddress);
        await greek.GotoAsync("/signin");
        // Users:Login:MaxFailures (5) failures in a row lock the name; the one that locks it is still a wrong password.
        for (var i = 0; i < 4; i++) Assert.Equal(401, (await AttemptAsync(greek, "nobody-7", "wrong-password")).Status);
        var locking = await AttemptAsync(greek, "nobody-7", "wrong-password");
        Assert.Equal(401, locking.Status);
        Assert.Contains("κλειδωμένο έως", await greek.Locator("#signin-error").InnerTextAsync());

        // Locked for LockoutMinutes (15): the page, 429, the wait.
        var locked = await RefusedAsync(greek, await AttemptAsync(greek, "nobody-7", "wrong-password"), "900");
        Assert.StartsWith("Πολλές αποτυχημένες προσπάθειες: το όνομα είναι κλειδωμένο έως ", locked);
        Assert.EndsWith("δοκιμάστε ξανά σε 15 λεπ.", locked);

        // Users:Login:PerAddressPermits (20) attempts per 60 s window from one address, page and API together:
        // 6 so far, 13 more on the page with other names, one on the API, then the window is full.
        for (var i = 0; i < 13; i++) Assert.Equal(401, (await AttemptAsync(greek, $"guess-{i}", "wrong-password")).Status);
        var api = await greek.APIRequest.PostAsync("/api/v1/auth/login", new APIRequestContextOptions { DataObject = new { name = "guess-api", password = "wrong-password" } });
        Assert.Equal(401, api.Status);
        var full = await RefusedAsync(greek, await AttemptAsync(greek, "admin", ConsoleServer.Password("admin")), "");
        Assert.Equal("Πάρα πολλές προσπάθειες σύνδεσης από αυτή τη διεύθυνση: δοκιμάστε ξανά σε 1 λεπ.", full);
        Assert.Equal("el", await greek.GetAttributeAsync("html", "lang"));
        // The API refuses the same address too, in its own JSON.
        var apiRefused = await greek.APIRequest.PostAsync("/api/v1/auth/login", new APIRequestContextOptions { DataObject = new { name = "admin", password = ConsoleServer.Password("admin") } });
        Assert.Equal(429, apiRefused.Status);
        Assert.Equal("application/problem+json", apiRefused.Headers["content-type"]);
        await greek.Context.CloseAsync();

        var english = await site.NewPageAsync("en-US", FromAddress);
        await english.GotoAsync("/signin");
        var response = await AttemptAsync(english, "admin", ConsoleServer.Password("admin"));
        var text = await RefusedAsync(english, response, "");
        Assert.Equal("Too many sign-in attempts from this address: try again in 1 min.", text);
        Assert.InRange(int.Parse(response.Headers["retry-after"]), 1, 60);
        Assert.Equal("en", await english.GetAttributeAsync("html", "lang"));
        Assert.DoesNotContain("/nodes", english.Url); // not signed in
        await english.Context.CloseAsync();
    }
}
