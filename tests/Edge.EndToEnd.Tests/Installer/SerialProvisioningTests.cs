using System;
using System.IO;
using System.IO.Ports;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Firmware.Host.Hardware;
using Edge.Firmware.Host.Provisioning;
using Edge.Firmware.Provisioning;

namespace Edge.EndToEnd.Tests.Installer;

/// <summary>
/// Serial provisioning end to end without hardware: the host node serves edge-prov/1 on a pseudo-terminal (as an
/// ESP32 on its USB serial), `edge node provision --serial` speaks it, and the node then boots from the record and
/// connects to the site's gateway.
/// </summary>
[Collection(InstallerCollection.Name)]
public sealed class SerialProvisioningTests
{
    private readonly InstallerSite _site;

    public SerialProvisioningTests(InstallerSite site) => _site = site;

    [Fact]
    public async Task Provision_over_a_pseudo_terminal_then_the_node_boots_from_the_record_and_is_seen_through_the_gateway()
    {
        string dataDir = Path.Combine(_site.WorkDir, "serial-node");
        using var pty = PseudoTerminal.Open(Path.Combine(_site.WorkDir, "ttyEDGE0"));
        using var stop = new CancellationTokenSource(SiteFixture.HangLimit);
        var boot = Task.Run(() => RecordBoot.Boot(dataDir, "waterlevel", "1.0.0-host", pty, holdBoot: false, _ => { }, stop.Token));

        var result = _site.Edge(null, new[] { "node", "provision", "wl-inst-01", "--type", "waterlevel", "--gateway", _site.Fleet.Gateway,
            "--lat", "39.49", "--lon", "20.27", "--serial", pty.PeerPath }.Concat(_site.WifiAndBroker).ToArray());
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SET secret=(not shown) → OK secret", result.StandardOutput);
        Assert.Contains("COMMIT → OK committed", result.StandardOutput);

        var record = await boot;
        Assert.NotNull(record);
        Assert.Equal("wl-inst-01", record!.NodeId);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(result.StandardOutput, System.Text.RegularExpressions.Regex.Escape(record.Secret))); // the summary's one showing

        await _site.StartNodeAsync(RecordBoot.Settings(record, "waterlevel", dataDir));
        var seen = await SiteFixture.WaitForAsync("wl-inst-01 to be seen by the cloud through the gateway", async () =>
        {
            var node = (await _site.NodeAsync("wl-inst-01"))!.Value;
            return (node.GetProperty("lastSeen").ValueKind == JsonValueKind.Number, node, node.GetProperty("status").ToString());
        });
        Assert.Equal("online", seen.GetProperty("status").GetString());
        var status = _site.Edge(null, "node", "status", "wl-inst-01");
        Assert.Contains("state       online, last seen", status.StandardOutput);
    }

    [Fact]
    public async Task Garbage_and_a_peer_that_stops_mid_session_leave_the_node_its_old_record()
    {
        string dataDir = Path.Combine(_site.WorkDir, "old-record-node");
        const string old = "ssid=Igoumenitsa-IoT\nbrokerHost=127.0.0.1\nsite=igoumenitsa\nnodeId=sl-old-01\nsecret=an-old-secret-of-the-node\n";
        new FileStorage(dataDir).Write(ProvisioningRecord.StorageKey, Encoding.UTF8.GetBytes(old), Encoding.UTF8.GetByteCount(old));
        using var pty = PseudoTerminal.Open(Path.Combine(_site.WorkDir, "ttyEDGE1"));
        using var stop = new CancellationTokenSource();
        // Boot button held: the node serves provisioning although it has a record.
        var boot = Task.Run(() => RecordBoot.Boot(dataDir, "streetlight", "1.0.0-host", pty, holdBoot: true, _ => { }, stop.Token));

        using (var peer = new SerialPort(pty.PeerPath, 115200) { NewLine = "\n", ReadTimeout = 10000 })
        {
            peer.Open();
            peer.Write(new byte[] { 0x00, 0xFF, 0x13, 0x37, 0x0A }, 0, 5);
            Assert.Equal("ERR line is not text", peer.ReadLine());
            peer.WriteLine("HELLO edge-prov/1");
            Assert.Equal("OK edge-prov/1", peer.ReadLine());
            peer.WriteLine("SET nodeId=sl-new-99");
            Assert.Equal("OK nodeId", peer.ReadLine());
            peer.WriteLine("SET secret=a-new-secret-never-committed");
            Assert.Equal("OK secret", peer.ReadLine());
            peer.WriteLine("COMMIT");
            Assert.Equal("ERR ssid is missing", peer.ReadLine());
            peer.Write("SET ssid=half a li"); // and the peer is gone
        }

        stop.Cancel();
        Assert.Null(await boot);
        var buffer = new byte[ProvisioningRecord.MaxBytes];
        int n = new FileStorage(dataDir).Read(ProvisioningRecord.StorageKey, buffer);
        Assert.Equal(old, Encoding.UTF8.GetString(buffer, 0, n));
        Assert.Equal("sl-old-01", ProvisioningRecord.Load(new FileStorage(dataDir)).NodeId);
    }

    [Fact]
    public async Task A_device_that_does_not_answer_is_a_clear_error_and_the_node_keeps_its_credentials()
    {
        await _site.PutAsync("nodes/bs-inst-01", new { site = _site.Fleet.Site, type = "busstop", gateway = _site.Fleet.Gateway });
        using var silent = PseudoTerminal.Open(Path.Combine(_site.WorkDir, "ttySILENT"));
        var result = _site.Edge(null, new[] { "node", "provision", "bs-inst-01", "--serial", silent.PeerPath, "--timeout", "1" }.Concat(_site.WifiAndBroker).ToArray());
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("no answer from " + silent.PeerPath + " within 1 s to HELLO", result.StandardError);
        Assert.False((await _site.NodeAsync("bs-inst-01"))!.Value.GetProperty("hasSecret").GetBoolean());
    }
}
