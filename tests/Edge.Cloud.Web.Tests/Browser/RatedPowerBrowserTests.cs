using System.Threading.Tasks;
using Edge.Cloud.Inventory;
using Edge.Cloud.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Web.Tests.Browser;

/// <summary>A street lamp's rated power edited on its node page, in a real browser: judged by InventoryService as the
/// API's PUT is (docs/console.md, the energy report uses it); other node types have no such field.</summary>
[Collection(ConsoleSiteCollection.Name)]
public sealed class RatedPowerBrowserTests(ConsoleSite site)
{
    private const string Node = "sl-rated-edit";

    [Fact]
    public async Task An_installer_records_a_lamps_rated_power_and_an_out_of_range_one_is_refused_at_its_field()
    {
        var inventory = site.Server.App.Services.GetRequiredService<InventoryService>();
        await inventory.PutNodeAsync("installer", Node, new NodeRequest(ConsoleServer.Site, "streetlight", ConsoleServer.Gateway, "LED-60W", "1.2.0",
            39.5, 20.26, "P-600", null, null, null, null));

        var page = await site.SignedInPageAsync("installer", "/nodes/" + Node);
        await page.WaitForURLAsync("**/nodes/" + Node);
        Assert.StartsWith("δεν έχει καταχωριστεί", await page.Locator("#node-rated-watts").InnerTextAsync());
        await page.FillAsync("#inv-ratedWatts", "2500");
        await page.ClickAsync("#inventory-save");
        Assert.Equal("ratedWatts: 2500 is out of range 1..2000 W", await page.Locator("#inv-ratedWatts-error").InnerTextAsync());
        Assert.Null((await inventory.GetNodeAsync(Node)).RatedWatts);

        await page.FillAsync("#inv-ratedWatts", "75");
        await page.ClickAsync("#inventory-save");
        Assert.Equal("75 W", await page.Locator("#node-rated-watts").InnerTextAsync());
        Assert.Equal(75, (await inventory.GetNodeAsync(Node)).RatedWatts);

        // A bus stop has no lamp: no such field.
        await page.GotoAsync(site.Server.BaseUrl + "/nodes/" + ConsoleServer.Stop);
        Assert.Equal(1, await page.Locator("#inventory-form").CountAsync());
        Assert.Equal(0, await page.Locator("#inv-ratedWatts").CountAsync());
        await page.Context.CloseAsync();
    }
}
