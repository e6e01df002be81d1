using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Edge.Firmware.Provisioning;
using Microsoft.Data.Sqlite;

namespace Edge.EndToEnd.Tests.Installer;

/// <summary>`edge node provision` and `edge node status` against the real cloud, signed in as the demo installer.</summary>
[Collection(InstallerCollection.Name)]
public sealed class ProvisionTests
{
    private readonly InstallerSite _site;

    public ProvisionTests(InstallerSite site) => _site = site;

    [Fact]
    public async Task Registers_a_new_node_writes_a_record_the_firmware_parser_reads_and_shows_the_secret_once()
    {
        var result = _site.Edge(null, new[] { "node", "provision", "sl-inst-01", "--type", "streetlight", "--gateway", _site.Fleet.Gateway,
            "--pole", "PA-101", "--lat", "39.5101", "--lon", "20.2630", "--out", "sl-inst-01.node" }.Concat(_site.WifiAndBroker).ToArray());
        Assert.True(result.ExitCode == 0, result.ToString());

        string file = Path.Combine(_site.WorkDir, "sl-inst-01.node");
        var record = ProvisioningRecord.Parse(File.ReadAllText(file));
        Assert.Equal(("sl-inst-01", _site.Fleet.Site, 39.5101, 20.2630), (record.NodeId, record.Site, record.Latitude, record.Longitude));
        Assert.Equal("EET-2EEST,M3.5.0/3,M10.5.0/4", record.TimeZone); // the site's rule, from the cloud
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        // The secret appears exactly once, on standard output, and never on standard error.
        Assert.Single(Regex.Matches(result.StandardOutput, Regex.Escape(record.Secret)));
        Assert.DoesNotContain(record.Secret, result.StandardError);

        var node = (await _site.NodeAsync("sl-inst-01"))!.Value;
        Assert.True(node.GetProperty("hasSecret").GetBoolean());
        Assert.Equal("PA-101", node.GetProperty("pole").GetString());
        var status = _site.Edge(null, "node", "status", "--pole", "PA-101");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("provisioned, not yet seen", status.StandardOutput);

        // The sign-in on disk is a token, readable by the user only, and no password.
        string credentials = Path.Combine(_site.ConfigHome, "edge", "credentials.json");
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credentials));
        Assert.DoesNotContain("installer-demo-pass", File.ReadAllText(credentials));
    }

    [Fact]
    public async Task A_record_the_firmware_parser_rejects_is_refused_before_the_cloud_changes_anything()
    {
        var result = _site.Edge(null, "node", "provision", "sl-inst-02", "--type", "streetlight", "--gateway", _site.Fleet.Gateway,
            "--lat", "39.5", "--lon", "20.26", "--ssid", new string('x', 33), "--open-wifi", "--broker-host", "127.0.0.1", "--out", "sl-inst-02.node");
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("ssid: must be 1..32 bytes, not 33", result.StandardError);
        Assert.Null(await _site.NodeAsync("sl-inst-02"));
        Assert.False(File.Exists(Path.Combine(_site.WorkDir, "sl-inst-02.node")));

        // A street light's record without a position is fine for the parser, but a WPA2 password of 5 characters is not.
        result = _site.Edge("short\n", "node", "provision", "sl-inst-02", "--type", "streetlight", "--gateway", _site.Fleet.Gateway,
            "--ssid", "net", "--wifi-password-stdin", "--broker-host", "127.0.0.1", "--out", "sl-inst-02.node");
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("wifiPassword: must be empty (open network) or 8..63", result.StandardError);
        Assert.DoesNotContain("short", result.StandardError);
        Assert.Null(await _site.NodeAsync("sl-inst-02"));
    }

    [Fact]
    public async Task Unknown_node_and_node_of_another_site_are_refused_by_name()
    {
        var unknown = _site.Edge(null, new[] { "node", "provision", "sl-nowhere", "--out", "x.node" }.Concat(_site.WifiAndBroker).ToArray());
        Assert.True(unknown.ExitCode == 1, unknown.ToString());
        Assert.Contains("node 'sl-nowhere' does not exist", unknown.StandardError);
        Assert.Contains("--type", unknown.StandardError);
        var status = _site.Edge(null, "node", "status", "sl-nowhere");
        Assert.True(status.ExitCode == 1, status.ToString());
        Assert.Contains("node 'sl-nowhere' does not exist", status.StandardError);

        await _site.PutAsync("sites/parga", new { name = "Parga" });
        await _site.PutAsync("nodes/sl-parga-01", new { site = "parga", type = "streetlight", lat = 39.28, lon = 20.40 });
        var foreign = _site.Edge(null, new[] { "node", "provision", "sl-parga-01", "--out", "p.node" }.Concat(_site.WifiAndBroker).ToArray());
        Assert.True(foreign.ExitCode == 1, foreign.ToString());
        Assert.Contains("node 'sl-parga-01' belongs to site 'parga', not to your site '" + _site.Fleet.Site + "'", foreign.StandardError);
        Assert.False((await _site.NodeAsync("sl-parga-01"))!.Value.GetProperty("hasSecret").GetBoolean());
    }

    [Fact]
    public void An_expired_sign_in_is_refused_with_what_to_do()
    {
        // A second sign-in whose token the cloud's database says expired yesterday (the token table as the cloud keeps it).
        var installer = Edge.Sim.Demo.DemoUsers.All.Single(u => u.Role == "installer");
        string home = Path.Combine(_site.WorkDir, "expired-home");
        var env = new System.Collections.Generic.Dictionary<string, string> { ["XDG_CONFIG_HOME"] = home };
        var login = Edge.Cli.Tests.CliRunner.Run(new Edge.Cli.Tests.CliInvocation(new[] { "login", "--url", _site.Site.CloudUrl, "--user", installer.Name, "--days", "1" })
            { StandardInput = installer.Password + "\n", Environment = env, Dll = InstallerSite.EdgeDll });
        Assert.True(login.ExitCode == 0, login.ToString());
        using (var db = new SqliteConnection("Data Source=" + Path.Combine(_site.Site.DataDir, "cloud", "edge-cloud.db")))
        {
            db.Open();
            using var update = db.CreateCommand();
            update.CommandText = "UPDATE api_tokens SET expires_at = @t WHERE expires_at < @limit AND expires_at > @now";
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            update.Parameters.AddWithValue("@t", now - 86400);
            update.Parameters.AddWithValue("@limit", now + 2 * 86400);
            update.Parameters.AddWithValue("@now", now);
            Assert.Equal(1, update.ExecuteNonQuery());
        }
        var status = Edge.Cli.Tests.CliRunner.Run(new Edge.Cli.Tests.CliInvocation(new[] { "node", "status", "sl-anything" }) { Environment = env, Dll = InstallerSite.EdgeDll });
        Assert.True(status.ExitCode == 1, status.ToString());
        Assert.Contains("expired", status.StandardError);
        Assert.Contains("run `edge login` again", status.StandardError);
    }
}
