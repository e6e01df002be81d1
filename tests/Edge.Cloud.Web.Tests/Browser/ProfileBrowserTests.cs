using System.Threading.Tasks;
using Edge.Cloud.Inventory;
using Edge.Cloud.Lighting;
using Edge.Cloud.Tests.Support;
using Edge.Cloud.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Edge.Cloud.Web.Tests.Browser;

/// <summary>The profile editor in a real browser: a wrong value is refused at its field, the fix is saved, the profile
/// is assigned to a group and its rollout follows what the node reports.</summary>
[Collection(ConsoleSiteCollection.Name)]
public sealed class ProfileBrowserTests(ConsoleSite site)
{
    private const string ProfilePath = "/profiles/" + ConsoleServer.Profile;

    [Fact]
    public async Task An_invalid_level_is_shown_at_its_field_the_fix_is_saved_assigned_and_rolled_out()
    {
        var page = await site.SignedInPageAsync("technician", ProfilePath);
        await page.WaitForURLAsync("**" + ProfilePath);
        // The saved night is previewed: the level curve and the year's energy against full power all night.
        Assert.Equal(1, await page.Locator("figure.chart polyline").CountAsync());
        Assert.Equal(4, await page.Locator("#energy tbody tr").CountAsync());

        await page.FillAsync("#level-0-1", "150");
        await page.ClickAsync("#save-form");
        Assert.Equal("true", await page.GetAttributeAsync("#level-0-1", "aria-invalid"));
        Assert.StartsWith("profiles[0].points[1].level:", await page.Locator("#level-0-1-error").InnerTextAsync());
        Assert.Equal("150", await page.InputValueAsync("#level-0-1")); // what was typed stays, next to its message
        Assert.Equal(0, await page.Locator("#level-0-0-error").CountAsync());
        var stored = await Profiles().GetAsync(ConsoleServer.Profile);
        Assert.Equal(50, stored.Document.GetProperty("profiles")[0].GetProperty("points")[1].GetProperty("level").GetInt32());

        await page.FillAsync("#level-0-1", "40");
        await page.ClickAsync("#save-form");
        await page.WaitForURLAsync("**" + ProfilePath + "?done=saved");
        stored = await Profiles().GetAsync(ConsoleServer.Profile);
        Assert.Equal(40, stored.Document.GetProperty("profiles")[0].GetProperty("points")[1].GetProperty("level").GetInt32());
        Assert.Equal("40", await page.InputValueAsync("#level-0-1"));

        await page.SelectOptionAsync("#group", ConsoleServer.Group);
        await page.ClickAsync("#assign");
        await page.WaitForURLAsync("**" + ProfilePath + "?done=" + ConsoleServer.Group);
        var rollout = page.Locator("#rollout-" + ConsoleServer.Group);
        Assert.Contains("0 από 1", await rollout.InnerTextAsync());
        Assert.Contains(ConsoleServer.Light, await rollout.Locator("li").InnerTextAsync());

        // The light reports that it runs the config the cloud now wants: the rollout is complete.
        var wanted = (await Inventory().GetNodeAsync(ConsoleServer.Light)).DesiredConfigVersion;
        await site.Server.PostRecordsAsync(Records.State(site.Server.NextSeq(), ConsoleServer.Light, ConsoleServer.T0 + 20, "online", wanted));
        await page.ReloadAsync();
        Assert.Contains("1 από 1", await page.Locator("#rollout-" + ConsoleServer.Group).InnerTextAsync());
        await Screenshots.TakeAsync(page, "profile-editor");
        await page.Context.CloseAsync();
    }

    private ProfileService Profiles() => site.Server.App.Services.GetRequiredService<ProfileService>();

    private InventoryService Inventory() => site.Server.App.Services.GetRequiredService<InventoryService>();
}
