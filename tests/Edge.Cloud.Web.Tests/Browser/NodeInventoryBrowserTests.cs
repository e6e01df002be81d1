using System.Linq;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Inventory;
using Edge.Cloud.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Web.Tests.Browser;

/// <summary>Changing a node's inventory on its page, in a real browser: judged by InventoryService as the API's PUT is.</summary>
[Collection(ConsoleSiteCollection.Name)]
public sealed class NodeInventoryBrowserTests(ConsoleSite site)
{
    private const string Node = "sl-inventory-edit";

    [Fact]
    public async Task An_invalid_value_shows_at_its_field_and_saves_nothing_and_a_valid_edit_is_saved_and_audited()
    {
        var inventory = site.Server.App.Services.GetRequiredService<InventoryService>();
        await inventory.PutNodeAsync("installer", Node, new NodeRequest(ConsoleServer.Site, "streetlight", ConsoleServer.Gateway, "LED-60W", "1.2.0",
            39.5, 20.26, "P-500", null, null, null, null));

        var viewer = await site.SignedInPageAsync("viewer", "/nodes/" + Node);
        await viewer.WaitForURLAsync("**/nodes/" + Node);
        Assert.Equal(0, await viewer.Locator("#inventory-form").CountAsync());
        await viewer.Context.CloseAsync();

        var admin = await site.SignedInPageAsync("admin", "/nodes/" + Node);
        await admin.WaitForURLAsync("**/nodes/" + Node);
        await admin.FillAsync("#inv-pole", "P-501");
        await admin.FillAsync("#inv-lat", "123");
        await admin.FillAsync("#inv-group", "no-such-group");
        await admin.ClickAsync("#inventory-save");
        Assert.Contains("lat: 123 is out of range -90..90", await admin.Locator("#inv-lat-error").InnerTextAsync());
        Assert.Equal("P-501", await admin.InputValueAsync("#inv-pole"));
        Assert.Equal("P-500", (await inventory.GetNodeAsync(Node)).Pole);

        await admin.FillAsync("#inv-lat", "39.51");
        await admin.ClickAsync("#inventory-save");
        Assert.Contains("group: group 'no-such-group' does not exist", await admin.Locator("#inv-group-error").InnerTextAsync());
        Assert.Equal(0, await admin.Locator("#inv-lat-error").CountAsync());
        Assert.Equal("P-500", (await inventory.GetNodeAsync(Node)).Pole);

        await admin.FillAsync("#inv-group", ConsoleServer.Group);
        await admin.ClickAsync("#inventory-save");
        Assert.Equal("Τα στοιχεία αποθηκεύτηκαν.", await admin.Locator("#inventory-message").InnerTextAsync());
        var saved = await inventory.GetNodeAsync(Node);
        Assert.Equal(("P-501", 39.51, ConsoleServer.Group, "installer"), (saved.Pole, saved.Lat!.Value, saved.Group, saved.InstalledBy));
        var audit = await site.Server.App.Services.GetRequiredService<AuditLog>().ListAsync("node:" + Node, "admin", null, 10);
        var entry = Assert.Single(audit, e => e.Action == "node.update");
        Assert.Equal("P-501", entry.Detail!.Value.GetProperty("pole").GetString());
        await admin.Context.CloseAsync();
    }
}
