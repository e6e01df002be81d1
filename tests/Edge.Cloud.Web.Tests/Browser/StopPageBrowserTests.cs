using System.Linq;
using System.Threading.Tasks;
using Edge.Cloud.Web.Tests.Support;
using Microsoft.Playwright;

namespace Edge.Cloud.Web.Tests.Browser;

/// <summary>The public stop page in a real browser: both languages, text that tries to be a script, the keyboard.</summary>
[Collection(ConsoleSiteCollection.Name)]
public sealed class StopPageBrowserTests(ConsoleSite site)
{
    private const string StopPath = "/stops/" + ConsoleServer.Stop;

    [Fact]
    public async Task The_stop_page_is_Greek_by_default_and_English_after_the_switch_which_sticks()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync(StopPath);
        Assert.Equal("el", await page.GetAttributeAsync("html", "lang"));
        var heading = page.Locator("h1");
        Assert.StartsWith("Λιμάνι Ηγουμενίτσας", await heading.InnerTextAsync());
        Assert.Equal("en", await heading.Locator("span.other").GetAttributeAsync("lang"));
        var rows = page.Locator("table.departures tbody tr");
        Assert.Equal(4, await rows.CountAsync());
        // 12:35 UTC is 14:35 in Igoumenitsa (EET, UTC+2): times are the site's, not the server's (UTC).
        Assert.Contains("14:35", await rows.Nth(0).InnerTextAsync());
        Assert.Contains("5 λεπτά", await rows.Nth(0).InnerTextAsync());
        Assert.Contains("(προγραμματισμένη)", await rows.Nth(1).InnerTextAsync());
        Assert.Contains("Ακυρώθηκε", await rows.Nth(2).InnerTextAsync());
        Assert.Contains("Ο παραλιακός δρόμος είναι κλειστός.", await page.Locator("section.banner").InnerTextAsync());
        Assert.Equal("data:image/png", (await page.GetAttributeAsync("figure.qr img", "src"))![..14]);
        await Screenshots.TakeAsync(page, "stop-page");

        await page.ClickAsync("button[value=en]");
        await page.WaitForURLAsync("**" + StopPath);
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        Assert.StartsWith("Igoumenitsa Port", await page.Locator("h1").InnerTextAsync());
        Assert.Contains("5 min", await rows.Nth(0).InnerTextAsync());
        Assert.Contains("(scheduled)", await rows.Nth(1).InnerTextAsync());
        Assert.Contains("Cancelled", await rows.Nth(2).InnerTextAsync());

        // The choice sticks: another page, loaded afresh, is English too.
        await page.GotoAsync("/flood");
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("Stream levels and flood state", await page.Locator("h1").InnerTextAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_headsign_that_is_a_script_shows_as_text_and_never_runs()
    {
        var page = await site.NewPageAsync();
        var dialogs = 0;
        page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        await page.GotoAsync(StopPath);
        var row = page.Locator("table.departures tbody tr").Nth(3);
        Assert.StartsWith(ConsoleServer.Injection, await row.Locator("td").Nth(1).InnerTextAsync());
        Assert.Equal(0, await page.Locator("script").CountAsync());
        Assert.Equal(0, dialogs);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Tab_alone_reaches_every_control_of_the_stop_page_and_Enter_works_them()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync(StopPath);
        var controls = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex=\"-1\"])')].map(e => e.outerHTML)");
        Assert.NotEmpty(controls);
        var reached = new System.Collections.Generic.HashSet<string>();
        for (var i = 0; i < controls.Length + 2; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached.Add(await page.EvaluateAsync<string>("() => document.activeElement ? document.activeElement.outerHTML : ''"));
        }
        Assert.All(controls, c => Assert.Contains(c, reached));

        // The skip link is the first stop and moves focus into the content; the language buttons work with Enter.
        await page.GotoAsync(StopPath);
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("skip", await page.EvaluateAsync<string>("() => document.activeElement.className"));
        for (var i = 0; i < 10 && await page.EvaluateAsync<string>("() => document.activeElement.value || ''") != "en"; i++) await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => document.documentElement.lang === 'en'");
        await page.Context.CloseAsync();
    }
}
