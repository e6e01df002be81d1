using System;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Inventory;
using Edge.Cloud.Lighting;
using Edge.Cloud.Settings;
using Edge.Cloud.Tests.Support;
using Edge.Cloud.Web.Localization;
using Edge.Cloud.Web.Technicians;
using Edge.Cloud.Web.Tests.Support;
using Edge.Cloud.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Edge.Cloud.Web.Tests.Browser;

/// <summary>
/// The energy report on the real cloud (SQLite): four lamps of one group with October 2026 energy counters whose
/// figures are worked out by hand — one sound, one whose counter went backwards, one that counted more than its
/// rated power could, one that never reported — then the page and its CSV in a browser.
/// </summary>
[Collection(ConsoleSiteCollection.Name)]
public sealed class EnergyReportTests(ConsoleSite site)
{
    private const string Group = "energy-g";
    private const string Zone = "energy-z";
    private const string Profile = "energy-test";
    private const double Watts = 60;
    private const string MixedGroup = "energy-w";
    private const string MixedZone = "energy-wz";

    /// <summary>2026-10-10 20:00:00 UTC (23:00 in Igoumenitsa, EEST): well after that day's sunset (16:08 UTC at
    /// 39.507° N 20.277° E, the mean position of the site's street lights, by the NOAA sunrise equation, zenith 90.833°) and long before the next sunrise (04:44 UTC), so every second measured below is dark.</summary>
    private const long Evening = 1791662400;

    private static readonly SemaphoreSlim Once = new(1, 1);
    private static bool _seeded;

    [Fact]
    public async Task Measured_energy_is_summed_from_the_counters_against_full_power_and_the_profile_and_bad_counters_are_listed()
    {
        await SeedAsync();
        var time = await site.Server.App.Services.GetRequiredService<SiteClock>().ForAsync(null);
        var report = await site.Server.App.Services.GetRequiredService<EnergyReports>().BuildAsync(2026, 10, Watts, time.Zone);

        var line = Assert.Single(report.Lines, l => l.Kind == "group" && l.Name == Group);
        Assert.Equal(4, line.Lamps);
        Assert.Equal(1, line.Measured);
        // sl-energy-ok: 1000 → 1060 → 1160 Wh between 20:00 and 02:00 UTC.
        Assert.Equal(0.160, line.MeasuredKWh, 6);
        // Full power over the same six dark hours: 60 W × 6 h.
        Assert.Equal(0.360, line.BaselineKWh, 3);
        // The profile: 100 % until virtual midnight (half-way between the NOAA sunset and sunrise above, 22:26 UTC), then
        // 50 %: 60 W × (2.437 h + 0.5 × 3.563 h) = 253.1 Wh; the report integrates minute by minute (±0.5 Wh) and a
        // minute's difference in the sun times moves it by another 0.5 Wh.
        Assert.InRange(line.PredictedKWh!.Value, 0.2516, 0.2546);
        Assert.Equal(100 * (1 - 0.160 / 0.360), line.SavedPercent!.Value, 6);
        Assert.Equal(line.MeasuredKWh, Assert.Single(report.Lines, l => l.Kind == "zone" && l.Name == Zone).MeasuredKWh, 9);

        var problems = report.Problems.Where(p => p.Group == Group).ToDictionary(p => p.Node, p => p.Problem);
        Assert.Equal(3, problems.Count);
        Assert.Equal("EnergyReport_CounterBackwards", problems["sl-energy-reset"]);
        Assert.Equal("EnergyReport_AboveRated", problems["sl-energy-high"]);
        Assert.Equal("EnergyReport_NoReadings", problems["sl-energy-none"]);

        // A month with no readings at all: every lamp is listed, nothing is counted.
        var september = await site.Server.App.Services.GetRequiredService<EnergyReports>().BuildAsync(2026, 9, Watts, time.Zone);
        Assert.Equal(0, Assert.Single(september.Lines, l => l.Kind == "group" && l.Name == Group).Measured);

        var csv = EnergyReports.Csv(report, 0.20, 0.315).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.TrimEnd('\r')).ToList();
        Assert.Equal("month,kind,name,lamps,measured_lamps,measured_kwh,predicted_kwh,baseline_kwh,saved_percent,measured_eur,baseline_eur,measured_kg_co2,baseline_kg_co2", csv[0]);
        Assert.StartsWith($"2026-10,group,{Group},4,1,0.16,", csv.Single(r => r.Contains("," + Group + ",", StringComparison.Ordinal)));
        Assert.EndsWith(",0.36,55.556,0.032,0.072,0.05,0.113", csv.Single(r => r.Contains("," + Group + ",", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_last_two_months_days_are_summed_ahead_of_their_first_report()
    {
        var services = site.Server.App.Services;
        var keeper = services.GetServices<IHostedService>().OfType<EnergyDayKeeper>().Single();
        var time = await services.GetRequiredService<SiteClock>().ForAsync(null);
        // The days that ended 72 hours ago (EnergyDays.Settle): the last month's all but perhaps its last few.
        var bounds = EnergyDayKeeper.LastTwoMonths(time);
        var settled = bounds.Zip(bounds.Skip(1)).Count(day => day.Second <= time.Now - (long)EnergyDays.Settle.TotalSeconds);
        Assert.True(settled >= 25, $"{settled} settled days");
        async Task<long> KeptAsync()
        {
            await using var connection = await services.GetRequiredService<IStorageConnections>().OpenAsync();
            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM energy_day_spans WHERE day_start >= {bounds[0]} AND day_start < {bounds[^1]}";
            return Convert.ToInt64(await count.ExecuteScalarAsync());
        }

        // Its pass at start (in the background: give it a moment).
        for (var i = 0; i < 100 && await KeptAsync() < settled; i++) await Task.Delay(100);
        Assert.Equal(settled, await KeptAsync());

        await using (var connection = await services.GetRequiredService<IStorageConnections>().OpenAsync())
        await using (var forget = connection.CreateCommand())
        {
            forget.CommandText = $"DELETE FROM energy_day_spans WHERE day_start >= {bounds[0]}";
            await forget.ExecuteNonQueryAsync();
        }
        await keeper.KeepAsync();
        Assert.Equal(settled, await KeptAsync());
    }

    [Fact]
    public async Task A_technician_sees_the_report_and_downloads_it_as_csv()
    {
        await SeedAsync();
        var page = await site.SignedInPageAsync("technician", "/energy?month=2026-10&watts=60");
        await page.WaitForURLAsync("**/energy?month=2026-10&watts=60");
        Assert.Contains("energy-g", await page.Locator("#energy-report").InnerTextAsync());
        Assert.Contains("sl-energy-reset", await page.Locator("#energy-problems").InnerTextAsync());
        var download = await page.Context.APIRequest.GetAsync(site.Server.BaseUrl + await page.GetAttributeAsync("#energy-csv", "href"));
        Assert.Equal(200, download.Status);
        Assert.StartsWith("text/csv", download.Headers["content-type"]);
        Assert.Contains("2026-10,group,energy-g,4,1,0.16,", await download.TextAsync());
        await page.Context.CloseAsync();

        var viewer = await site.SignedInPageAsync("viewer", "/energy");
        var refused = await viewer.Context.APIRequest.GetAsync(site.Server.BaseUrl + "/energy.csv?month=2026-10");
        Assert.Equal(403, refused.Status);
        await viewer.Context.CloseAsync();
    }

    [Fact]
    public async Task An_admin_changes_price_and_emission_factor_on_the_settings_page_and_the_energy_report_uses_them()
    {
        await SeedAsync();
        var settings = site.Server.App.Services.GetRequiredService<SiteSettingsService>();
        var page = await site.SignedInPageAsync("admin", "/settings");
        await page.WaitForURLAsync("**/settings");
        try
        {
            // Out of range: the message at its field, nothing saved.
            await page.FillAsync("#set-pricePerKWh", "12");
            await page.FillAsync("#set-kgCo2PerKWh", "0.4");
            await page.ClickAsync("#settings-save");
            Assert.Equal("pricePerKWh: 12 is out of range (more than 0 and at most 10 € per kWh)", await page.Locator("#set-pricePerKWh-error").InnerTextAsync());
            Assert.Equal(0, await page.Locator("#set-kgCo2PerKWh-error").CountAsync());
            Assert.Equal(0.20, (await settings.GetAsync()).PricePerKWh);

            // 0,5 €/kWh as a Greek keyboard types it, 0.4 kg CO₂/kWh.
            await page.FillAsync("#set-pricePerKWh", "0,5");
            await page.FillAsync("#set-kgCo2PerKWh", "0.4");
            await page.ClickAsync("#settings-save");
            await page.Locator("#settings-changed").WaitForAsync();
            Assert.Equal((0.5, 0.4, "admin"), ((await settings.GetAsync()).PricePerKWh, (await settings.GetAsync()).KgCo2PerKWh, (await settings.GetAsync()).UpdatedBy));

            // The group's lamp measured 0.160 kWh against 0.360 kWh at full power (above): 0.08 € and 0.18 €, 0.064 and 0.144 kg CO₂.
            var csv = await page.Context.APIRequest.GetAsync(site.Server.BaseUrl + "/energy.csv?month=2026-10&watts=60");
            Assert.Equal(200, csv.Status);
            var line = (await csv.TextAsync()).Split('\n').Single(r => r.Contains("," + Group + ",", StringComparison.Ordinal)).TrimEnd('\r');
            Assert.EndsWith(",0.36,55.556,0.08,0.18,0.064,0.144", line);
            await page.GotoAsync(site.Server.BaseUrl + "/energy?month=2026-10&watts=60");
            Assert.Contains("0,5", await page.Locator("#energy-basis").InnerTextAsync());
            // A technician may not open the page (the API refuses their PUT too: SiteSettingsApiTests).
            var technician = await site.SignedInPageAsync("technician", "/settings");
            Assert.Equal(0, await technician.Locator("#settings-form").CountAsync());
            await technician.Context.CloseAsync();
        }
        finally
        {
            await settings.PutAsync("admin", new SiteSettingsRequest(0.20, 0.315));
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Each_lamp_counts_at_its_own_rated_power_and_the_default_only_for_lamps_without_one()
    {
        await SeedAsync();
        var time = await site.Server.App.Services.GetRequiredService<SiteClock>().ForAsync(null);
        var reports = site.Server.App.Services.GetRequiredService<EnergyReports>();
        var report = await reports.BuildAsync(2026, 10, Watts, time.Zone);

        // Over the same six dark hours as above: 40 W, 100 W and (no rated power) the 60 W default.
        var line = Assert.Single(report.Lines, l => l.Kind == "group" && l.Name == MixedGroup);
        Assert.Equal((4, 3), (line.Lamps, line.Measured));
        Assert.Equal((100 + 450 + 200) / 1000.0, line.MeasuredKWh, 6);
        Assert.Equal((40 + 100 + 60) * 6 / 1000.0, line.BaselineKWh, 3);
        // The profile's share of full power (above: 253.1 Wh of 360 Wh, ±1.5 Wh) over 200 W of lamps: 843.7 Wh ± 5.
        Assert.InRange(line.PredictedKWh!.Value, 0.2516 * 200 / 60, 0.2546 * 200 / 60);
        // 300 Wh in six hours is more than a 40 W lamp can use (240 Wh), though a 60 W one could.
        var high = Assert.Single(report.Problems, p => p.Node == "sl-w-40-high");
        Assert.Equal(("EnergyReport_AboveRated", 40.0), (high.Problem, high.Watts));
        Assert.True(report.LampsAtDefault >= 1);

        // A different default changes only the lamp without its own: 40 + 100 + 80 W.
        var at80 = await reports.BuildAsync(2026, 10, 80, time.Zone);
        Assert.Equal((40 + 100 + 80) * 6 / 1000.0, Assert.Single(at80.Lines, l => l.Kind == "group" && l.Name == MixedGroup).BaselineKWh, 3);
    }

    private async Task SeedAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (_seeded) return;
            var services = site.Server.App.Services;
            var inventory = services.GetRequiredService<InventoryService>();
            await inventory.PutZoneAsync("installer", Zone, new ZoneRequest(ConsoleServer.Site, "Energy test zone"));
            await inventory.PutGroupAsync("installer", Group, new GroupRequest(ConsoleServer.Site, "Energy test"));
            // Together, between the seeded nodes on the shared map (one cluster of four, apart from every seeded dot).
            foreach (var node in new[] { "sl-energy-ok", "sl-energy-reset", "sl-energy-high", "sl-energy-none" })
                await inventory.PutNodeAsync("installer", node, new NodeRequest(ConsoleServer.Site, "streetlight", ConsoleServer.Gateway, "LED-60W", "1.2.0",
                    39.5100, 20.2800, null, Zone, Group, null, null));
            var profiles = services.GetRequiredService<ProfileService>();
            await profiles.PutAsync("technician", Profile, Encoding.UTF8.GetBytes(ConsoleServer.ProfileDocument.Replace("residential", Profile, StringComparison.Ordinal)));
            await profiles.AssignToGroupAsync("technician", Group, Profile);
            await site.Server.PostRecordsAsync(
                Reading("sl-energy-ok", Evening, 1000), Reading("sl-energy-ok", Evening + 7200, 1060), Reading("sl-energy-ok", Evening + 21600, 1160),
                Reading("sl-energy-reset", Evening, 5000), Reading("sl-energy-reset", Evening + 3600, 5050), Reading("sl-energy-reset", Evening + 7200, 10),
                // 100 Wh in one hour from a 60 W lamp.
                Reading("sl-energy-high", Evening, 1000), Reading("sl-energy-high", Evening + 3600, 1100));
            // Lamps of different rated power (one without), in a group and zone of their own.
            await inventory.PutZoneAsync("installer", MixedZone, new ZoneRequest(ConsoleServer.Site, "Mixed power zone"));
            await inventory.PutGroupAsync("installer", MixedGroup, new GroupRequest(ConsoleServer.Site, "Mixed power"));
            foreach (var (node, watts) in new (string, double?)[] { ("sl-w-40", 40), ("sl-w-100", 100), ("sl-w-none", null), ("sl-w-40-high", 40) })
                await inventory.PutNodeAsync("installer", node, new NodeRequest(ConsoleServer.Site, "streetlight", ConsoleServer.Gateway, "LED", "1.2.0",
                    39.5100, 20.2800, null, MixedZone, MixedGroup, null, null, watts));
            await profiles.AssignToGroupAsync("technician", MixedGroup, Profile);
            await site.Server.PostRecordsAsync(
                Reading("sl-w-40", Evening, 500), Reading("sl-w-40", Evening + 21600, 600),
                Reading("sl-w-100", Evening, 2000), Reading("sl-w-100", Evening + 21600, 2450),
                Reading("sl-w-none", Evening, 3000), Reading("sl-w-none", Evening + 21600, 3200),
                Reading("sl-w-40-high", Evening, 0), Reading("sl-w-40-high", Evening + 21600, 300));
            _seeded = true;
        }
        finally
        {
            Once.Release();
        }
    }

    private System.Text.Json.Nodes.JsonObject Reading(string node, long ts, long energyWh)
    {
        var record = Records.Streetlight(site.Server.NextSeq(), node, ts, 100, Watts);
        record["payload"]!["energyWh"] = energyWh;
        return record;
    }
}
