using System.Threading.Tasks;
using Microsoft.Playwright;

namespace Edge.Cloud.Web.Tests.Support;

/// <summary>
/// One running console and one chromium, shared by the browser tests of the <see cref="ConsoleSiteCollection"/>
/// (chromium starts once; each test gets its own browser context: its own cookies). Chromium is Debian's
/// (<c>/usr/bin/chromium</c>, installed by scripts/test.sh): Playwright's browser download is not reachable here.
/// </summary>
public sealed class ConsoleSite : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>Headless, and quiet on a closed network: no background requests, updates or sync that would wait
    /// for addresses that never answer.</summary>
    public static readonly string[] ChromiumArgs =
    {
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    };

    private IPlaywright _playwright = null!;

    public ConsoleServer Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await ConsoleServer.StartAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    private int _clients;

    /// <summary>A fresh browser context (no cookies) with one page, in <paramref name="locale"/>; <paramref name="configure"/>
    /// adds to the context's options (a phone's viewport, geolocation).</summary>
    public async Task<IPage> NewPageAsync(string locale = "el-GR", System.Action<BrowserNewContextOptions>? configure = null)
    {
        // Each context is its own client (X-Forwarded-For from loopback is trusted, docs/cloud.md), as real users are:
        // the tests' many sign-ins must not add up in one address's login limit.
        var client = System.Threading.Interlocked.Increment(ref _clients);
        var options = new BrowserNewContextOptions
        {
            BaseURL = Server.BaseUrl, Locale = locale,
            ExtraHTTPHeaders = new System.Collections.Generic.Dictionary<string, string> { ["X-Forwarded-For"] = $"198.18.{client / 250}.{client % 250 + 1}" },
        };
        configure?.Invoke(options);
        var context = await Browser.NewContextAsync(options);
        return await context.NewPageAsync();
    }

    /// <summary>Signs in through the sign-in form as <paramref name="user"/>.</summary>
    public async Task<IPage> SignedInPageAsync(string user, string path = "/")
    {
        var page = await NewPageAsync();
        await page.GotoAsync(path);
        await SignInAsync(page, user);
        return page;
    }

    public static async Task SignInAsync(IPage page, string user)
    {
        await page.FillAsync("#name", user);
        await page.FillAsync("#password", ConsoleServer.Password(user));
        await page.ClickAsync("form.stack button[type=submit]");
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleSiteCollection : ICollectionFixture<ConsoleSite>
{
    public const string Name = "console site";
}
