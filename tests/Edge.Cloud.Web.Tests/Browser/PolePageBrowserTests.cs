using System;
using System.Linq;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Commands;
using Edge.Cloud.Commissioning;
using Edge.Cloud.Domain;
using Edge.Cloud.FaultReports;
using Edge.Cloud.Inventory;
using Edge.Cloud.Tests.Support;
using Edge.Cloud.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace Edge.Cloud.Web.Tests.Browser;

/// <summary>
/// The pole label's page (<c>/n/{id}</c>) on a phone (390 × 844): an installer runs the cloud's self-test (a gauge
/// against the tape, answered by a simulated node over the real uplink API) with the phone's position (granted, and
/// denied) and sees the verdict and figures, adds a photo, replaces a device; a technician identifies; a citizen's report
/// becomes an alarm, and the rate and photo-size limits answer with clear messages. Each test has its own node, so the shared
/// console's other tests (which count commands and alarms of their nodes) are not disturbed.
/// </summary>
[Collection(ConsoleSiteCollection.Name)]
public sealed class PolePageBrowserTests(ConsoleSite site)
{
    private const double Lat = 39.504125, Lon = 20.265331, Accuracy = 7;

    private T Service<T>() where T : notnull => site.Server.App.Services.GetRequiredService<T>();

    private async Task AddNodeAsync(string id, string type) => await Service<InventoryService>().PutNodeAsync("installer", id,
        new NodeRequest(ConsoleServer.Site, type, ConsoleServer.Gateway, null, null, 39.5040, 20.2650, "P-" + id, null, null, null, null));

    private Task<IPage> PhoneAsync(Action<BrowserNewContextOptions>? configure = null) => site.NewPageAsync("el-GR", o =>
    {
        o.ViewportSize = new ViewportSize { Width = 390, Height = 844 };
        o.IsMobile = true;
        o.HasTouch = true;
        configure?.Invoke(o);
    });

    private static async Task SignInToAsync(IPage page, string path, string user = "installer")
    {
        await page.GotoAsync("/signin?returnUrl=" + Uri.EscapeDataString(path));
        await ConsoleSite.SignInAsync(page, user);
        await page.WaitForURLAsync("**" + path);
    }

    private static async Task<IResponse> SubmitAsync(IPage page, string button) =>
        await page.RunAndWaitForResponseAsync(() => page.ClickAsync(button), r => r.Request.Method == "POST");

    private SimulatedGateway Gateway() => new(new Uri(site.Server.BaseUrl), ConsoleServer.Gateway, ConsoleServer.GatewayToken, ConsoleServer.Site, () => site.Server.Clock.UnixNow, site.Server.NextSeq);

    /// <summary>Waits for the run the page follows (it reloads itself while the cloud drives the run) to have its verdict.</summary>
    private static async Task VerdictAsync(IPage page, string status) =>
        await Assertions.Expect(page.Locator("#run")).ToHaveAttributeAsync("data-status", status, new() { Timeout = 60000 });

    [Fact]
    public async Task An_installer_runs_the_cloud_self_test_with_the_tape_and_the_phones_position_and_sees_the_verdict_and_figures()
    {
        const string node = "wl-phone-01";
        await AddNodeAsync(node, "waterlevel");
        await using var gateway = Gateway();
        gateway.Add(node, new SimulatedNode { Type = "waterlevel", LevelMm = 742 });
        var page = await PhoneAsync(o =>
        {
            o.Permissions = new[] { "geolocation" };
            o.Geolocation = new Geolocation { Latitude = (float)Lat, Longitude = (float)Lon, Accuracy = (float)Accuracy };
        });
        await SignInToAsync(page, "/n/" + node);
        // The script of this origin (CSP: no inline script) filled the position and shows its accuracy.
        await Assertions.Expect(page.Locator("#position-status")).ToContainTextAsync("± 7 m");
        Assert.Contains("39.5041", await page.InputValueAsync("#lat"));
        // Mobile first: nothing wider than the phone.
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 390);

        await page.FillAsync("#measured-mm", "1242");
        await page.ClickAsync("#run-selftest");
        await page.WaitForURLAsync("**/n/" + node + "?run=*");
        await VerdictAsync(page, "failed");
        Assert.Equal("FAIL gauge reads 742 mm, tape 1242 mm: -500 mm, more than ±20 mm (set the datum, or check the mounting height)",
            await page.Locator("#run-summary").InnerTextAsync());
        string figures = await page.Locator("#run-figures").InnerTextAsync();
        Assert.Contains("differenceMm", figures);
        Assert.Contains("-500", figures);
        Assert.Contains("sample-now → ok", await page.Locator("#run-steps").TextContentAsync()); // folded once the verdict is in
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 390);

        // The cloud's verdict is what is stored, with the figures, the phone's position and the installer; an alarm is open.
        var stored = Assert.Single(await Service<CommissioningService>().ListAsync(node));
        Assert.Equal((false, "installer", "P-" + node, 742.0, 1242.0), (stored.Passed, stored.Actor, stored.Pole,
            stored.Figures.GetProperty("levelMm").GetDouble(), stored.Figures.GetProperty("measuredMm").GetDouble()));
        Assert.Equal(Lat, stored.Lat!.Value, 5);
        Assert.Equal(Lon, stored.Lon!.Value, 5);
        Assert.Equal(Accuracy, stored.AccuracyM);
        Assert.Equal("open", Assert.Single(await Service<AlarmService>().ListAsync(null, node, "node.commissioning", 10)).Status);
        Assert.Contains("± 7 m", await page.Locator("#latest").InnerTextAsync());

        // A photo of the installation goes with the result, without its Exif position; one over the limit is refused.
        var (jpeg, picture) = PhoneJpegs.WithPosition();
        await page.SetInputFilesAsync("#result-photo", new FilePayload { Name = "pole.jpg", MimeType = "image/jpeg", Buffer = jpeg });
        await page.ClickAsync("#add-photo");
        await page.WaitForURLAsync("**/n/" + node + "?run=*&done=photo");
        Assert.Equal(picture, await Service<CommissioningService>().PhotoAsync(node, stored.Id));
        Assert.Equal("/api/v1/nodes/" + node + "/commissioning/" + stored.Id + "/photo", await page.GetAttributeAsync("#latest-photo", "href"));

        int max = Service<IOptions<CommissioningOptions>>().Value.MaxPhotoBytes;
        var large = new byte[max / 2 * 3]; // 3 MB by default
        large[0] = 0xFF;
        large[1] = 0xD8;
        await page.SetInputFilesAsync("#result-photo", new FilePayload { Name = "big.jpg", MimeType = "image/jpeg", Buffer = large });
        Assert.Equal(413, (await SubmitAsync(page, "#add-photo")).Status);
        Assert.Equal("Η φωτογραφία είναι πολύ μεγάλη (3 MB· έως 2 MB). Επιλέξτε μικρότερη.", await page.Locator("#pole-message").InnerTextAsync());
        Assert.Equal(picture, await Service<CommissioningService>().PhotoAsync(node, stored.Id));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task With_geolocation_denied_the_verdict_is_stored_without_a_position_and_a_replacement_moves_the_history()
    {
        const string node = "wl-phone-02", replacement = "wl-phone-02b";
        await AddNodeAsync(node, "waterlevel");
        await using var gateway = Gateway();
        gateway.Add(node, new SimulatedNode { Type = "waterlevel", LevelMm = 655 });
        var page = await PhoneAsync(); // no geolocation permission: the browser refuses the page's request
        await SignInToAsync(page, "/n/" + node);
        await Assertions.Expect(page.Locator("#position-status")).ToHaveTextAsync("Η θέση δεν επιτράπηκε: το αποτέλεσμα αποθηκεύεται χωρίς θέση.");

        await page.ClickAsync("#run-selftest");
        await VerdictAsync(page, "passed");
        Assert.Equal("PASS level 655 mm, sensor ok (no tape measurement given)", await page.Locator("#run-summary").InnerTextAsync());
        var stored = Assert.Single(await Service<CommissioningService>().ListAsync(node));
        Assert.True(stored.Passed);
        Assert.Null(stored.Lat);
        Assert.Null(stored.Lon);
        Assert.Null(stored.AccuracyM);

        await page.FillAsync("#new-node", replacement);
        await page.ClickAsync("#replace-device");
        await page.WaitForURLAsync("**/n/" + replacement + "?done=replaced:*");
        Assert.Contains(node, await page.Locator("#pole-message").InnerTextAsync());
        Assert.Equal(stored.Id, Assert.Single(await Service<CommissioningService>().ListAsync(replacement)).Id);
        var gone = await Assert.ThrowsAsync<DomainException>(() => Service<InventoryService>().GetNodeAsync(node));
        Assert.Equal(404, gone.Status);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_technician_sees_the_latest_commissioning_and_identifies_the_node_but_does_not_commission_it()
    {
        const string node = "sl-phone-05";
        await AddNodeAsync(node, "streetlight");
        await Service<CommissioningService>().RecordAsync("installer", node, new CommissioningRequest(true, "lamp 41.8 W at 100 %, 0.3 W at 0 %; identify ok", null, null, null, null, null));
        var page = await PhoneAsync();
        await SignInToAsync(page, "/n/" + node, "technician");
        Assert.Contains("P-" + node, await page.Locator("dl.pole-facts").InnerTextAsync());
        Assert.Contains("lamp 41.8 W at 100 %", await page.Locator("#latest").InnerTextAsync());
        Assert.Equal("Η θέση σε λειτουργία χρειάζεται ρόλο εγκαταστάτη ή διαχειριστή· οι τεχνικοί μπορούν να αναγνωρίσουν τον κόμβο.",
            await page.Locator("#read-only").InnerTextAsync());
        Assert.Equal(0, await page.Locator("#run-selftest, #replace-device, #send-report").CountAsync());

        await page.ClickAsync("#identify");
        await page.WaitForURLAsync("**/n/" + node + "?done=sent");
        var sent = Assert.Single(await Service<CommandService>().ListAsync(node, null, 10));
        Assert.Equal(("identify", "technician", 30), (sent.Kind, sent.IssuedBy, sent.Args.GetProperty("durationS").GetInt32()));
        Assert.Contains("identify", await page.Locator("#command-table").InnerTextAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_citizens_report_becomes_an_alarm_and_reports_beyond_the_limit_get_the_rate_message()
    {
        const string node = "bs-phone-01";
        await AddNodeAsync(node, "busstop");
        var page = await PhoneAsync();
        await page.GotoAsync("/n/" + node);
        Assert.Equal("/stops/" + node, await page.GetAttributeAsync("#stop-link", "href"));
        await page.CheckAsync("input[value=display-broken]");
        await page.FillAsync("#text", "the screen is black");
        await page.ClickAsync("#send-report");
        await page.WaitForURLAsync("**/n/" + node + "?reported=1");
        await Assertions.Expect(page.Locator("#report-message")).ToHaveClassAsync("ok");
        var alarm = Assert.Single(await Service<AlarmService>().ListAsync(null, node, "node.fault-report", 10));
        Assert.Equal("open", alarm.Status);
        Assert.Equal("major", alarm.Severity);
        Assert.Contains("the screen is black", alarm.Message);

        // The same per-address window as the open API: the next reports pass until it is used up, then 429 and the wait.
        int permits = Service<IOptions<FaultReportOptions>>().Value.PerAddressPermits;
        for (int i = 1; i < permits; i++)
        {
            await page.CheckAsync("input[value=flickering]");
            Assert.Equal(302, (await SubmitAsync(page, "#send-report")).Status);
        }
        await page.CheckAsync("input[value=flickering]");
        var refused = await SubmitAsync(page, "#send-report");
        Assert.Equal(429, refused.Status);
        Assert.Equal("3600", await refused.HeaderValueAsync("retry-after"));
        Assert.Equal("Πάρα πολλές αναφορές από αυτή τη σύνδεση. Δοκιμάστε ξανά σε 60 λεπτά.", await page.Locator("#report-message").InnerTextAsync());
        Assert.Equal(permits, (await Service<FaultReportService>().ListAsync(node, 100)).Count);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_oversize_photo_gets_a_clear_message_and_nothing_is_stored()
    {
        const string node = "sl-phone-04";
        await AddNodeAsync(node, "streetlight");
        var page = await PhoneAsync();
        await page.GotoAsync("/n/" + node);
        int max = Service<IOptions<FaultReportOptions>>().Value.MaxPhotoBytes;
        var photo = new byte[max / 2 * 3]; // 1.5 MB by default
        photo[0] = 0xFF;
        photo[1] = 0xD8;
        await page.CheckAsync("input[value=lamp-out]");
        await page.SetInputFilesAsync("#photo", new FilePayload { Name = "pole.jpg", MimeType = "image/jpeg", Buffer = photo });
        var response = await SubmitAsync(page, "#send-report");
        Assert.Equal(413, response.Status);
        Assert.Equal("Η φωτογραφία είναι πολύ μεγάλη (1,5 MB· έως 1 MB). Επιλέξτε μικρότερη ή στείλτε την αναφορά χωρίς φωτογραφία.",
            await page.Locator("#report-message").InnerTextAsync());
        Assert.Empty(await Service<FaultReportService>().ListAsync(node, 10));
        Assert.Empty(await Service<AlarmService>().ListAsync(null, node, null, 10));
        await page.Context.CloseAsync();
    }
}
