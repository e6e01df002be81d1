using System;
using System.Linq;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Tasks;
using Edge.Firmware.Host.Hardware;

namespace Edge.EndToEnd.Tests.Installer;

/// <summary>
/// `edge node commission` through the real command path: provisioned host nodes connected to the site's gateway,
/// self-test commands from the cloud, acks and telemetry back, the result stored on the node.
/// </summary>
[Collection(InstallerCollection.Name)]
public sealed class CommissionTests
{
    private readonly InstallerSite _site;

    public CommissionTests(InstallerSite site) => _site = site;

    [Fact]
    public async Task A_street_light_passes_with_its_power_at_100_and_0_percent_and_a_dead_lamp_fails_with_the_figure()
    {
        await _site.ProvisionAndBootAsync("sl-com-01", "streetlight");
        await _site.ProvisionAndBootAsync("sl-com-02", "streetlight", s => s.Lamp!.Mode = LampMode.Fail);

        // Both self-tests at once: each waits out the lamps' settle time twice. A photo of the pole goes with one.
        string photo = System.IO.Path.Combine(_site.WorkDir, "pole.jpg");
        System.IO.File.WriteAllBytes(photo, PoleJpeg);
        var goodRun = Task.Run(() => _site.Edge(null, "node", "commission", "sl-com-01", "--photo", photo));
        var dead = _site.Edge(null, "node", "commission", "sl-com-02");
        var good = await goodRun;
        Assert.True(good.ExitCode == 0, good.ToString());
        Assert.Matches(@"PASS sl-com-01: lamp \d+\.\d W at 100 %, \d+\.\d W at 0 %; identify ok", good.StandardOutput);

        Assert.True(dead.ExitCode == 3, dead.ToString());
        Assert.Matches(@"FAIL sl-com-02: lamp draws \d+\.\d W at 100 % \(expected at least 5\.0 W\): lamp missing or dead", dead.StandardOutput);

        // Stored on the node with the figures, and an alarm for the technicians.
        var results = await _site.Admin.GetFromJsonAsync<JsonElement>("api/v1/nodes/sl-com-02/commissioning");
        var stored = results.EnumerateArray().First();
        Assert.False(stored.GetProperty("passed").GetBoolean());
        Assert.True(stored.GetProperty("figures").GetProperty("wattsAt100").GetDouble() < 5);
        Assert.Equal("installer", stored.GetProperty("actor").GetString());
        var alarms = await _site.Admin.GetFromJsonAsync<JsonElement>("api/v1/alarms?node=sl-com-02&kind=node.commissioning");
        Assert.Equal("open", alarms.EnumerateArray().Single().GetProperty("status").GetString());
        var ok = (await _site.Admin.GetFromJsonAsync<JsonElement>("api/v1/nodes/sl-com-01/commissioning")).EnumerateArray().First();
        Assert.True(ok.GetProperty("figures").GetProperty("wattsAt100").GetDouble() > 5 * ok.GetProperty("figures").GetProperty("wattsAt0").GetDouble());
        Assert.Contains("commission  passed", _site.Edge(null, "node", "status", "sl-com-01").StandardOutput);
        // The cloud judged it (the CLI only followed the run), and the photo is stored without its Exif position.
        Assert.Contains("(run and judged by the cloud)", good.StandardOutput);
        Assert.True(ok.GetProperty("hasPhoto").GetBoolean());
        var photoStored = await _site.Admin.GetByteArrayAsync("api/v1/nodes/sl-com-01/commissioning/" + ok.GetProperty("id").GetInt64() + "/photo");
        Assert.DoesNotContain("Exif", System.Text.Encoding.ASCII.GetString(photoStored));
        Assert.Equal(PoleJpeg.Length - ExifSegment.Length, photoStored.Length);
    }

    /// <summary>An APP1 Exif segment with a position (ITU-T T.81 marker segment: FF E1, 2-byte length including itself).</summary>
    private static readonly byte[] ExifSegment = new byte[] { 0xFF, 0xE1, 0x00, 2 + 24 }.Concat(System.Text.Encoding.ASCII.GetBytes("Exif\0\0GPS 39.5035N 20.26")).ToArray();

    /// <summary>A small JPEG as a phone writes it: SOI, APP1 Exif, the quantisation table, the frame header, SOS with its data, EOI.</summary>
    private static readonly byte[] PoleJpeg = new byte[] { 0xFF, 0xD8 }.Concat(ExifSegment)
        .Concat(new byte[] { 0xFF, 0xDB, 0x00, 0x43, 0x00 }).Concat(Enumerable.Repeat((byte)1, 64))
        .Concat(new byte[] { 0xFF, 0xC0, 0x00, 0x0B, 8, 0, 8, 0, 8, 1, 1, 0x11, 0 })
        .Concat(new byte[] { 0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 63, 0, 0x12, 0x34, 0xFF, 0xD9 }).ToArray();

    [Fact]
    public async Task A_gauge_shows_its_level_next_to_the_tape_and_a_far_off_tape_fails_with_the_difference()
    {
        await _site.ProvisionAndBootAsync("wl-com-01", "waterlevel", s => s.Water!.MountMm = Edge.Sim.Demo.DemoDocuments.GaugeMountMm,
            () => _site.PutRawAsync("nodes/wl-com-01/gauge-config", Edge.Sim.Demo.DemoDocuments.GaugeConfig()));
        var plain = _site.Edge(null, "node", "commission", "wl-com-01");
        Assert.True(plain.ExitCode == 0, plain.ToString());
        var level = (await _site.Admin.GetFromJsonAsync<JsonElement>("api/v1/nodes/wl-com-01/commissioning")).EnumerateArray().First()
            .GetProperty("figures").GetProperty("levelMm").GetDouble();

        var off = _site.Edge(null, "node", "commission", "wl-com-01", "--measured-mm", ((int)level + 500).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(off.ExitCode == 3, off.ToString());
        Assert.Matches(@"FAIL wl-com-01: gauge reads \d+ mm, tape \d+ mm: -\d+ mm, more than ±20 mm", off.StandardOutput);
        Assert.Contains("differenceMm", off.StandardOutput);
    }

    [Fact]
    public async Task Set_datum_stores_the_offset_and_the_gauge_then_reads_the_tape()
    {
        await _site.ProvisionAndBootAsync("wl-com-02", "waterlevel", s => { s.Water!.MountMm = Edge.Sim.Demo.DemoDocuments.GaugeMountMm; s.Water.NoiseMm = 0; s.Water.SpikeRate = 0; },
            () => _site.PutRawAsync("nodes/wl-com-02/gauge-config", Edge.Sim.Demo.DemoDocuments.GaugeConfig()));
        var plain = _site.Edge(null, "node", "commission", "wl-com-02");
        Assert.True(plain.ExitCode == 0, plain.ToString());
        double before = (await _site.Admin.GetFromJsonAsync<JsonElement>("api/v1/nodes/wl-com-02/commissioning")).EnumerateArray().First()
            .GetProperty("figures").GetProperty("levelMm").GetDouble();

        // The tape finds the water 250 mm above what the gauge computes (datum 0): --set-datum moves the datum by the difference.
        int tape = (int)Math.Round(before) + 250;
        string tapeText = tape.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var set = _site.Edge(null, "node", "commission", "wl-com-02", "--measured-mm", tapeText, "--set-datum");
        Assert.True(set.ExitCode == 3, set.ToString());
        var stored = System.Text.RegularExpressions.Regex.Match(set.StandardOutput, @"datum: datumOffsetMm 0 → (-\d+) stored");
        Assert.True(stored.Success, set.ToString());
        int datum = int.Parse(stored.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(datum, -250 - 20, -250 + 20);
        var config = (await _site.NodeAsync("wl-com-02"))!.Value.GetProperty("gaugeConfig");
        Assert.Equal(datum, config.GetProperty("datumOffsetMm").GetInt32());
        Assert.Equal(Edge.Sim.Demo.DemoDocuments.GaugeMountMm, config.GetProperty("mountingHeightMm").GetInt32());

        // The node takes the new config and its computed level (mounting height − distance − datum) now matches the tape.
        var again = _site.Edge(null, "node", "commission", "wl-com-02", "--measured-mm", tapeText);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("PASS wl-com-02: gauge ", again.StandardOutput);
        var figures = (await _site.Admin.GetFromJsonAsync<JsonElement>("api/v1/nodes/wl-com-02/commissioning")).EnumerateArray().First().GetProperty("figures");
        Assert.Equal(tape, figures.GetProperty("measuredMm").GetInt32());
        Assert.InRange(figures.GetProperty("levelMm").GetDouble(), tape - 20, tape + 20);
    }

    [Fact]
    public async Task A_bus_stop_shows_its_test_pattern_and_the_departures_the_cloud_sent()
    {
        var node = await _site.ProvisionAndBootAsync("bs-com-01", "busstop");
        // Its departures come from the demo agency's feed once it is imported.
        await SiteFixture.WaitForAsync("the agency's feed to be active, to link bs-com-01 to the port", async () =>
        {
            using var linked = await _site.Admin.PutAsJsonAsync("api/v1/nodes/bs-com-01/gtfs-stops", new { stopIds = new[] { Edge.Sim.Agency.DemoNetwork.Port.Id } });
            return (linked.IsSuccessStatusCode, true, linked.StatusCode + " " + await linked.Content.ReadAsStringAsync());
        });
        await SiteFixture.WaitForAsync("bs-com-01 to come up", async () =>
        {
            var n = (await _site.NodeAsync("bs-com-01"))!.Value;
            return (n.GetProperty("lastSeen").ValueKind == JsonValueKind.Number, true, n.GetProperty("status").ToString());
        });
        int fullBefore = node.Panel!.FullRefreshes;
        var result = _site.Edge(null, "node", "commission", "bs-com-01");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("PASS bs-com-01: test pattern shown (node id over the departures), panel refreshed; the sign shows the cloud's next departures (content version", result.StandardOutput);
        Assert.True(node.Panel.FullRefreshes > fullBefore, "display.refresh made a full refresh of the panel");
        // The version the node reports it shows is the one the cloud sent, with the departures listed in the figures.
        var figures = (await _site.Admin.GetFromJsonAsync<JsonElement>("api/v1/nodes/bs-com-01/commissioning")).EnumerateArray().First().GetProperty("figures");
        Assert.True(figures.GetProperty("contentVersion").GetInt64() >= figures.GetProperty("displayVersion").GetInt64());
        Assert.NotEmpty(figures.GetProperty("departures").EnumerateArray());
    }

    [Fact]
    public void A_node_that_never_speaks_is_reported_with_its_state()
    {
        var provision = _site.Edge(null, new[] { "node", "provision", "sl-com-silent", "--type", "streetlight", "--gateway", _site.Fleet.Gateway, "--lat", "39.5", "--lon", "20.26", "--out", "silent.node" }
            .Concat(_site.WifiAndBroker).ToArray());
        Assert.True(provision.ExitCode == 0, provision.ToString());
        var result = _site.Edge(null, "node", "commission", "sl-com-silent", "--wait", "2");
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("node 'sl-com-silent' sent nothing within 2 s: provisioned, not yet seen", result.StandardError);
    }
}
