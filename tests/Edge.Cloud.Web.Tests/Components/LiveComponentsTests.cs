using System;
using System.Linq;
using System.Security.Claims;
using System.Threading.Tasks;
using Bunit;
using Edge.Cloud.Alarms;
using Edge.Cloud.Audit;
using Edge.Cloud.Inventory;
using Edge.Cloud.Tests.Support;
using Edge.Cloud.Web.Components.Shared;
using Edge.Cloud.Web.Localization;
using Edge.Cloud.Web.Technicians;
using Edge.Cloud.Web.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Cloud.Web.Tests.Components;

/// <summary>The two live components (interactive server) in bUnit, on the real cloud's services (the shared test site,
/// SQLite): the node grid's filters, sorting and pages over the real inventory, and the alarm list's live refresh
/// (driven by a clock the test moves), acknowledgement through AlarmService, and what a viewer is not offered.</summary>
[Collection(ConsoleSiteCollection.Name)]
public sealed class LiveComponentsTests : ComponentTest
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly ConsoleSite _site;
    private readonly FakeTimeProvider _ticks = new();

    public LiveComponentsTests(ConsoleSite site)
    {
        _site = site;
        var app = site.Server.App.Services;
        Context.Services.AddSingleton(app.GetRequiredService<InventoryService>());
        Context.Services.AddSingleton(app.GetRequiredService<AlarmService>());
        Context.Services.AddSingleton(app.GetRequiredService<SiteClock>());
        Context.Services.AddSingleton(app.GetRequiredService<IAuthorizationService>());
        Context.Services.AddSingleton(new LiveRefresh(_ticks));
        // QuickGrid loads its script module after rendering; nothing here needs it.
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        Context.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        UseCulture("en");
    }

    private static Task<AuthenticationState> As(string role) =>
        Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity(new[] { new Claim(ClaimTypes.Name, role), new Claim(ClaimTypes.Role, role) }, "test"))));

    /// <summary>Registers <paramref name="node"/> and a first node with an open alarm, renders the list for <paramref name="role"/>
    /// and waits until it has read the alarms once (that first alarm shows), so what comes later can only come by a tick.</summary>
    private async Task<IRenderedComponent<LiveAlarms>> RenderAlarmsAsync(string role, string node)
    {
        var inventory = _site.Server.App.Services.GetRequiredService<InventoryService>();
        foreach (var id in new[] { node + "-first", node })
            await inventory.PutNodeAsync("installer", id, new NodeRequest(ConsoleServer.Site, "streetlight", ConsoleServer.Gateway, null, null, null, null, null, null, null, null, null));
        await _site.Server.PostRecordsAsync(Records.LampFault(_site.Server.NextSeq(), node + "-first", ConsoleServer.T0 + 10));
        // The record feed raises the alarm after the batch is stored; the list reads the alarms once when it renders
        // and then only on a tick, so it renders after the alarm exists.
        await OpenAlarmAsync(node + "-first");
        var alarms = Context.Render<LiveAlarms>(p => p.AddCascadingValue(As(role)));
        alarms.WaitForAssertion(() => Assert.Contains(node + "-first", alarms.Find("#alarms-table").TextContent), Patience);
        Assert.DoesNotContain(node + "<", alarms.Markup);
        return alarms;
    }

    /// <summary>The open alarm of <paramref name="node"/>, once the record feed has raised it (it runs after the store).</summary>
    private async Task<AlarmInfo> OpenAlarmAsync(string node)
    {
        var service = _site.Server.App.Services.GetRequiredService<AlarmService>();
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var open = (await service.ListAsync("open", node, null, 10)).FirstOrDefault();
            if (open is not null) return open;
            Assert.True(DateTime.UtcNow < deadline, $"no open alarm of {node} within {Patience.TotalSeconds} s");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task The_node_grid_filters_sorts_and_pages_the_inventory()
    {
        var inventory = _site.Server.App.Services.GetRequiredService<InventoryService>();
        for (var i = 0; i < 57; i++)
            await inventory.PutNodeAsync("installer", $"sl-grid-{i:000}", new NodeRequest(ConsoleServer.Site, "streetlight", ConsoleServer.Gateway,
                "LED-60W", "1.2.0", null, null, $"P-{(i * 7) % 57:000}", null, null, null, null));
        for (var i = 0; i < 3; i++)
            await inventory.PutNodeAsync("installer", $"wl-grid-{i}", new NodeRequest(ConsoleServer.Site, "waterlevel", ConsoleServer.Gateway,
                null, null, null, null, $"G-{i}", null, null, null, null));

        var grid = Context.Render<NodeGrid>();
        string[] Ids() => grid.FindAll("table tbody tr td:first-child a").Select(a => a.TextContent).ToArray();
        grid.Find("#node-filter").Input("grid-");
        grid.WaitForAssertion(() => Assert.Equal(50, Ids().Length), Patience);
        // Sorted by id by default: the street lights first, the gauges on the next page.
        Assert.Equal("sl-grid-000", Ids()[0]);
        Assert.Equal("sl-grid-049", Ids()[^1]);
        grid.Find("button.go-next").Click();
        grid.WaitForAssertion(() => Assert.Equal(new[] { "sl-grid-050", "sl-grid-051", "sl-grid-052", "sl-grid-053", "sl-grid-054", "sl-grid-055", "sl-grid-056", "wl-grid-0", "wl-grid-1", "wl-grid-2" }, Ids()), Patience);

        // A second click on the id column sorts it descending, on the page the grid is on; then back to the first page.
        grid.FindAll("th button.col-title")[0].Click();
        grid.WaitForAssertion(() => Assert.Equal(Enumerable.Range(0, 10).Select(i => $"sl-grid-{9 - i:000}"), Ids()), Patience);
        grid.Find("button.go-first").Click();
        grid.WaitForAssertion(() => Assert.Equal(new[] { "wl-grid-2", "wl-grid-1", "wl-grid-0", "sl-grid-056" }, Ids().Take(4)), Patience);
        // By pole (the poles were handed out shuffled): ascending, as text.
        var poleColumn = grid.FindAll("th").ToList().FindIndex(th => th.TextContent.Contains("Pole", StringComparison.Ordinal));
        grid.FindAll("th button.col-title")[poleColumn].Click();
        var byPole = Enumerable.Range(0, 57).Select(i => (Id: $"sl-grid-{i:000}", Pole: $"P-{(i * 7) % 57:000}"))
            .Concat(Enumerable.Range(0, 3).Select(i => (Id: $"wl-grid-{i}", Pole: $"G-{i}")))
            .OrderBy(n => n.Pole, StringComparer.Ordinal).Select(n => n.Id).Take(5).ToArray();
        grid.WaitForAssertion(() => Assert.Equal(byPole, Ids().Take(5)), Patience);

        // The type filter leaves the gauges; the state filter (none of them ever reported: unknown) narrows further.
        grid.Find("#type-filter").Change("waterlevel");
        grid.WaitForAssertion(() => Assert.Equal(new[] { "wl-grid-0", "wl-grid-1", "wl-grid-2" }, Ids().OrderBy(i => i)), Patience);
        grid.Find("#state-filter").Change("ok");
        grid.WaitForAssertion(() => Assert.Empty(Ids()), Patience);
        grid.Find("#state-filter").Change("unknown");
        grid.WaitForAssertion(() => Assert.Equal(3, Ids().Length), Patience);
        grid.Find("#node-filter").Input("wl-grid-1");
        grid.WaitForAssertion(() => Assert.Equal(new[] { "wl-grid-1" }, Ids()), Patience);
    }

    [Fact]
    public async Task A_new_alarm_arrives_on_the_next_tick_and_a_technician_acknowledges_it_with_a_note()
    {
        const string node = "sl-live-alarm";
        var alarms = await RenderAlarmsAsync("technician", node);

        await _site.Server.PostRecordsAsync(Records.LampFault(_site.Server.NextSeq(), node, ConsoleServer.T0 + 20));
        var alarm = await OpenAlarmAsync(node);
        // Stored, but not shown until the live source ticks.
        Assert.Empty(alarms.FindAll($"tr[data-alarm='{alarm.Id}']"));
        _ticks.Advance(LiveRefresh.Interval);
        alarms.WaitForAssertion(() => Assert.Contains("lamp.fault", alarms.Find($"tr[data-alarm='{alarm.Id}']").TextContent), Patience);

        alarms.Find($"#note-{alarm.Id}").Change("bulb ordered, ticket 77");
        alarms.Find($"tr[data-alarm='{alarm.Id}'] button").Click();
        alarms.WaitForAssertion(() => Assert.Contains("(technician)", alarms.Find($"tr[data-alarm='{alarm.Id}']").TextContent), Patience);
        var stored = await _site.Server.App.Services.GetRequiredService<AlarmService>().ListAsync("acknowledged", null, null, 500);
        Assert.Equal("technician", Assert.Single(stored, a => a.Id == alarm.Id).AcknowledgedBy);
        var audit = await _site.Server.App.Services.GetRequiredService<AuditLog>().ListAsync("alarm:" + alarm.Id, "technician", null, 5);
        Assert.Equal("bulb ordered, ticket 77", Assert.Single(audit).Detail!.Value.GetProperty("note").GetString());

        // The status filter: gone from the open ones, listed with the acknowledged.
        alarms.Find("#alarm-status").Change("open");
        alarms.WaitForAssertion(() => Assert.Empty(alarms.FindAll($"tr[data-alarm='{alarm.Id}']")), Patience);
        alarms.Find("#alarm-status").Change("acknowledged");
        alarms.WaitForAssertion(() => Assert.Single(alarms.FindAll($"tr[data-alarm='{alarm.Id}']")), Patience);
    }

    [Fact]
    public async Task A_technician_clears_a_gateway_conflict_with_a_note_and_a_lamp_fault_offers_no_clear()
    {
        const string node = "sl-live-conflict";
        var alarms = await RenderAlarmsAsync("technician", node);
        // A gateway sent records for a node assigned to another: nothing clears that by itself.
        const string kind = Edge.Cloud.Ingestion.RecordAdmission.ConflictAlarmKind;
        var conflict = await _site.Server.RaiseGatewayConflictAsync(node, "gw-elsewhere", "gw-elsewhere sent records for " + node, ConsoleServer.T0 + 40);
        _ticks.Advance(LiveRefresh.Interval);
        alarms.WaitForAssertion(() => Assert.Contains(kind, alarms.Find($"tr[data-alarm='{conflict.Id}']").TextContent), Patience);
        // The lamp fault of the first node: acknowledge only, its clear comes from the lamp.
        var fault = alarms.FindAll("#alarms-table tr[data-alarm]").First(r => r.TextContent.Contains("lamp.fault"));
        Assert.Empty(fault.QuerySelectorAll("button[data-action='clear']"));

        alarms.Find($"#note-{conflict.Id}").Change("node moved back to its own gateway");
        alarms.Find($"tr[data-alarm='{conflict.Id}'] button[data-action='clear']").Click();
        alarms.WaitForAssertion(() => Assert.Contains($"Alarm {conflict.Id} cleared.", alarms.Markup), Patience);
        Assert.Equal(AlarmStatus.Cleared, (await _site.Server.App.Services.GetRequiredService<AlarmService>().GetAsync(conflict.Id)).Status);
        var audit = await _site.Server.App.Services.GetRequiredService<AuditLog>().ListAsync("alarm:" + conflict.Id, "technician", null, 5);
        Assert.Equal(("alarm.clear", "node moved back to its own gateway"), Assert.Single(audit) is var entry ? (entry.Action, entry.Detail!.Value.GetProperty("note").GetString()) : default);
        // Gone from the active list; among the cleared ones it names who cleared it.
        alarms.WaitForAssertion(() => Assert.Empty(alarms.FindAll($"tr[data-alarm='{conflict.Id}']")), Patience);
        alarms.Find("#alarm-status").Change("cleared");
        alarms.WaitForAssertion(() => Assert.Contains("(technician)", alarms.Find($"tr[data-alarm='{conflict.Id}']").TextContent), Patience);
    }

    [Fact]
    public async Task A_viewer_sees_the_alarms_live_but_no_acknowledge_control()
    {
        const string node = "sl-live-viewer";
        var alarms = await RenderAlarmsAsync("viewer", node);
        await _site.Server.PostRecordsAsync(Records.LampFault(_site.Server.NextSeq(), node, ConsoleServer.T0 + 30));
        await OpenAlarmAsync(node);
        _ticks.Advance(LiveRefresh.Interval);
        alarms.WaitForAssertion(() => Assert.Contains(node + "</a>", alarms.Find("#alarms-table").InnerHtml), Patience);
        Assert.Empty(alarms.FindAll("#alarms-table button, #alarms-table input"));
        Assert.DoesNotContain("Acknowledge", alarms.Find("#alarms-table thead").TextContent);
    }
}
