using System.Linq;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Inventory;
using Edge.Cloud.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Web.Tests.Browser;

/// <summary>Changing a node's inventory on its page, in a real browser: judged by InventoryService as the API's PUT is
/// (installers and admins every field, technicians zone, group, pole and rated power).</summary>
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

    [Fact]
    public async Task A_technician_changes_the_group_pole_and_profile_of_a_node_on_its_page_and_sees_no_provisioning_field()
    {
        const string node = "sl-inventory-upkeep", group = "upkeep-street";
        var inventory = site.Server.App.Services.GetRequiredService<InventoryService>();
        // A group of its own: the seeded group's rollout belongs to ProfileBrowserTests.
        await inventory.PutGroupAsync("installer", group, new GroupRequest(ConsoleServer.Site, "Upkeep street"));
        // At the seeded light's position (a light's schedule needs one): the town's mean position, which the energy
        // report's sun times use, moves by less than a metre.
        await inventory.PutNodeAsync("installer", node, new NodeRequest(ConsoleServer.Site, "streetlight", ConsoleServer.Gateway, "LED-60W", "1.2.0",
            39.5040, 20.2650, "P-600", null, null, null, null));

        var technician = await site.SignedInPageAsync("technician", "/nodes/" + node);
        await technician.WaitForURLAsync("**/nodes/" + node);
        Assert.Equal(0, await technician.Locator("#inv-gateway, #inv-model, #inv-firmware, #inv-lat, #inv-lon").CountAsync());
        Assert.Contains("εγκαταστάτες", await technician.Locator("#inventory-upkeep").InnerTextAsync());
        await technician.FillAsync("#inv-pole", "P-601");
        await technician.FillAsync("#inv-group", group);
        await technician.ClickAsync("#inventory-save");
        Assert.Equal("Τα στοιχεία αποθηκεύτηκαν.", await technician.Locator("#inventory-message").InnerTextAsync());
        Assert.Equal("P-601", await technician.InputValueAsync("#inv-pole"));

        var saved = await inventory.GetNodeAsync(node);
        Assert.Equal(("P-601", group, ConsoleServer.Gateway, "LED-60W", 39.5040, "installer"),
            (saved.Pole, saved.Group, saved.Gateway, saved.Model, saved.Lat!.Value, saved.InstalledBy));
        var audit = await site.Server.App.Services.GetRequiredService<AuditLog>().ListAsync("node:" + node, "technician", null, 10);
        Assert.Equal("P-601", Assert.Single(audit, e => e.Action == "node.update").Detail!.Value.GetProperty("pole").GetString());

        // The light's own lighting profile, as PUT /api/v1/nodes/{id}/profile assigns it.
        await technician.SelectOptionAsync("#node-profile", ConsoleServer.Profile);
        await technician.ClickAsync("#profile-save");
        Assert.StartsWith("Το πρόγραμμα αποθηκεύτηκε", await technician.Locator("#profile-message").InnerTextAsync());
        Assert.Equal(ConsoleServer.Profile, (await inventory.GetNodeAsync(node)).Profile);
        audit = await site.Server.App.Services.GetRequiredService<AuditLog>().ListAsync("node:" + node, "technician", null, 10);
        Assert.Single(audit, e => e.Action == "node.profile");
        await technician.SelectOptionAsync("#node-profile", "");
        await technician.ClickAsync("#profile-save");
        await technician.Locator("#profile-message").WaitForAsync();
        Assert.Null((await inventory.GetNodeAsync(node)).Profile);
        await technician.Context.CloseAsync();
    }
}
