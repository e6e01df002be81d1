using System;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Commands;
using Edge.Cloud.Tests.Support;
using Edge.Cloud.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Edge.Cloud.Web.Tests.Browser;

/// <summary>The technicians' pages in a real browser: a command from confirmation to the node's ack, a live alarm
/// acknowledged with a note, and what a viewer may not do (hidden, and refused when forged).</summary>
[Collection(ConsoleSiteCollection.Name)]
public sealed class TechnicianBrowserTests(ConsoleSite site)
{
    private const string NodePath = "/nodes/" + ConsoleServer.Light;

    [Fact]
    public async Task A_technician_sends_an_override_confirms_it_and_sees_the_nodes_ack()
    {
        var page = await site.SignedInPageAsync("technician", NodePath);
        await page.WaitForURLAsync("**" + NodePath);
        // The evening's telemetry is drawn (one polyline per series with data: level and power).
        Assert.Equal(2, await page.Locator("figure.chart polyline").CountAsync());

        await page.FillAsync("#level", "80");
        await page.FillAsync("#duration", "30");
        await page.ClickAsync("button[value=override]");
        Assert.Equal($"Ρύθμιση του φωτιστικού στο 80 % για 30 λεπτά στο {ConsoleServer.Light};", await page.Locator("#confirm-title").InnerTextAsync());
        Assert.Empty(await Commands().ListAsync(ConsoleServer.Light, null, 10)); // nothing sent before the confirmation

        await page.ClickAsync("#confirm");
        await page.WaitForURLAsync("**" + NodePath + "?sent=*");
        var sent = Assert.Single(await Commands().ListAsync(ConsoleServer.Light, null, 10));
        Assert.Equal("override", sent.Kind);
        Assert.Equal(80, sent.Args.GetProperty("level").GetInt32());
        Assert.Equal(ConsoleServer.T0 + 1800, sent.Args.GetProperty("until").GetInt64());
        Assert.Equal("technician", sent.IssuedBy);
        Assert.Contains(sent.Id, await page.Locator("#command-message").InnerTextAsync());

        // The node acknowledges through its gateway; the page shows the command acked with result ok.
        await site.Server.PostRecordsAsync(Records.Ack(site.Server.NextSeq(), ConsoleServer.Light, ConsoleServer.T0 + 5, sent.Id));
        await page.ReloadAsync();
        var row = page.Locator("#commands-table tbody tr").First;
        var text = await row.InnerTextAsync();
        Assert.True(new Regex(@"override .*acked\s+ok\s+technician").IsMatch(text), text);
        // The node's audit trail as GET /api/v1/audit shows it to a technician: commands yes, inventory entries no.
        var audit = await page.Locator("section[aria-labelledby=audit]").InnerTextAsync();
        Assert.Contains("command.issue", audit);
        Assert.DoesNotContain("node.create", audit);
        await Screenshots.TakeAsync(page, "node");
        Assert.Single(await Commands().ListAsync(ConsoleServer.Light, null, 10)); // the reload did not send it again
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_new_alarm_appears_without_reloading_and_is_acknowledged_with_a_note()
    {
        var page = await site.SignedInPageAsync("technician", "/alarms");
        await page.WaitForURLAsync("**/alarms");
        // The live list is connected (the framework script ran) before the alarm is raised.
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await site.Server.PostRecordsAsync(Records.LampFault(site.Server.NextSeq(), ConsoleServer.Light, ConsoleServer.T0 + 10));
        var row = page.Locator("#alarms-table tbody tr", new PageLocatorOptions { HasText = ConsoleServer.Light });
        await row.WaitForAsync();
        Assert.Contains("lamp.fault", await row.InnerTextAsync());

        var id = long.Parse((await row.GetAttributeAsync("data-alarm"))!);
        await row.Locator("input").FillAsync("lamp replaced tomorrow, ticket 4411");
        await row.Locator("button").ClickAsync();
        await page.Locator("#alarms-table", new PageLocatorOptions { HasText = "Αναγνωρισμένος (technician)" }).WaitForAsync();
        var audit = await site.Server.App.Services.GetRequiredService<AuditLog>().ListAsync("alarm:" + id, null, null, 5);
        Assert.Equal("lamp replaced tomorrow, ticket 4411", Assert.Single(audit).Detail!.Value.GetProperty("note").GetString());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_gateway_conflict_is_cleared_with_a_note_and_leaves_the_active_list()
    {
        var page = await site.SignedInPageAsync("technician", "/alarms");
        await page.WaitForURLAsync("**/alarms");
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        // A gateway sent records for the gauge, which is assigned to another: nothing clears that by itself.
        const string kind = Edge.Cloud.Ingestion.RecordAdmission.ConflictAlarmKind;
        await site.Server.RaiseGatewayConflictAsync(ConsoleServer.Gauge, "gw-elsewhere", "records from gw-elsewhere", ConsoleServer.T0 + 20);
        var row = page.Locator("#alarms-table tbody tr", new PageLocatorOptions { HasText = kind });
        await row.WaitForAsync();
        var id = long.Parse((await row.GetAttributeAsync("data-alarm"))!);

        await row.Locator("input").FillAsync("gauge moved back to gw-igoumenitsa-1");
        await row.Locator("button[data-action=clear]").ClickAsync();
        await page.GetByText($"Ο συναγερμός {id} εκκαθαρίστηκε.").WaitForAsync();
        await page.Locator($"#alarms-table tr[data-alarm='{id}']").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
        Assert.Equal("cleared", (await site.Server.App.Services.GetRequiredService<Edge.Cloud.Alarms.AlarmService>().GetAsync(id)).Status);
        var audit = await site.Server.App.Services.GetRequiredService<AuditLog>().ListAsync("alarm:" + id, null, null, 5);
        Assert.Equal(("alarm.clear", "gauge moved back to gw-igoumenitsa-1"), Assert.Single(audit) is var entry ? (entry.Action, entry.Detail!.Value.GetProperty("note").GetString()) : default);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_sees_no_edit_controls_and_a_forged_command_post_is_refused()
    {
        var page = await site.SignedInPageAsync("viewer", NodePath);
        await page.WaitForURLAsync("**" + NodePath);
        Assert.StartsWith(ConsoleServer.Light, await page.Locator("main h1").InnerTextAsync());
        Assert.Equal(0, await page.Locator("#commands-form, button[value=override], button[value=reboot]").CountAsync());
        Assert.Equal(0, await page.Locator("section[aria-labelledby=audit]").CountAsync()); // the audit log is for technicians and admins
        Assert.Equal(403, (await page.GotoAsync("/audit"))!.Status);
        await page.GotoAsync("/alarms");
        Assert.Equal(0, await page.Locator("#alarms-table button").CountAsync());
        // The map (read-only for everyone): each seeded node is a dot linking to its page.
        await page.GotoAsync("/map");
        // (Other tests of the shared site add nodes of their own elsewhere on the map.)
        foreach (var node in new[] { ConsoleServer.Light, ConsoleServer.Stop, ConsoleServer.Gauge })
            Assert.Equal(1, await page.Locator($"svg a[href='/nodes/{node}'] circle.dot").CountAsync());
        // Under them the configured tiles (which do not load here) and their attribution.
        Assert.StartsWith("http://127.0.0.1:9/", await page.Locator("svg image.tile").First.GetAttributeAsync("href"));
        Assert.Contains("OpenStreetMap", await page.Locator("#map-attribution").InnerTextAsync());
        await Screenshots.TakeAsync(page, "map");

        // The viewer's own session and antiforgery token, posting the command form the page did not offer.
        await page.GotoAsync(NodePath);
        var token = await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        // Control: the same session and token do get a form through (the language switch answers with its redirect).
        var control = await page.APIRequest.PostAsync("/culture", new APIRequestContextOptions
        {
            MaxRedirects = 0,
            Form = page.Context.APIRequest.CreateFormData().Set("__RequestVerificationToken", token!).Set("culture", "el").Set("returnUrl", NodePath),
        });
        Assert.Equal(302, control.Status);
        // A well-formed command post (the form's name and fields, a valid token): it reaches the page's handler, whose
        // role check refuses it — 403 and the page's refusal, no command.
        var response = await page.APIRequest.PostAsync(NodePath, new APIRequestContextOptions
        {
            Form = page.Context.APIRequest.CreateFormData()
                .Set("__RequestVerificationToken", token!).Set("_handler", "command")
                .Set("Form.Kind", "reboot").Set("Form.Level", "100").Set("Form.DurationMin", "60").Set("Form.Confirmed", "true"),
        });
        Assert.Equal(403, response.Status);
        Assert.Contains("Ο ρόλος σας (viewer) δεν επιτρέπει αυτή την ενέργεια", await response.TextAsync());
        Assert.DoesNotContain(await Commands().ListAsync(ConsoleServer.Light, null, 50), c => c.Kind == "reboot");
        // The same for the inventory form: refused by its handler, nothing saved.
        var edit = await page.APIRequest.PostAsync(NodePath, new APIRequestContextOptions
        {
            Form = page.Context.APIRequest.CreateFormData()
                .Set("__RequestVerificationToken", token!).Set("_handler", "inventory").Set("Edit.Pole", "P-FORGED").Set("Edit.Group", ConsoleServer.Group),
        });
        Assert.Equal(403, edit.Status);
        var assign = await page.APIRequest.PostAsync(NodePath, new APIRequestContextOptions
        {
            Form = page.Context.APIRequest.CreateFormData()
                .Set("__RequestVerificationToken", token!).Set("_handler", "profile").Set("Assign.Profile", ConsoleServer.Profile),
        });
        Assert.Equal(403, assign.Status);
        var light = await site.Server.App.Services.GetRequiredService<Edge.Cloud.Inventory.InventoryService>().GetNodeAsync(ConsoleServer.Light);
        Assert.Equal(("P-101", (string?)null), (light.Pole, light.Profile));
        await page.Context.CloseAsync();
    }

    private CommandService Commands() => site.Server.App.Services.GetRequiredService<CommandService>();
}
