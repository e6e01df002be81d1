using System;
using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cli.Cloud;
using Edge.Cli.Provisioning;
using Edge.Firmware.Provisioning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Edge.Cli.Commands.Node;

/// <summary>
/// `edge node provision`: registers the node in the cloud (or picks it by id or pole), gets its MQTT secret and
/// writes the provisioning record — to a file for `edge node flash`, or straight to the device over serial
/// (edge-prov/1). The record is checked by the firmware's own parser before the cloud is asked for anything, and
/// again before it is written; the serial device is greeted before a secret is issued, so an absent device does
/// not cost the node its credentials.
/// </summary>
public sealed class NodeProvisionCommand : AsyncCommand<NodeProvisionCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[NODE]")]
        [Description("The node id (e.g. sl-0042). Omit it to pick the node by --pole.")]
        public string? Node { get; init; }

        [CommandOption("--pole <POLE>")]
        [Description("Pole or asset id: picks the node on that pole, or is recorded when registering.")]
        public string? Pole { get; init; }

        [CommandOption("--type <TYPE>")]
        [Description("streetlight, waterlevel or busstop: registers the node when it does not exist yet.")]
        public string? Type { get; init; }

        [CommandOption("--site <SITE>")]
        [Description("The site (default: the one given to `edge login`). Nodes of other sites are refused.")]
        public string? Site { get; init; }

        [CommandOption("--gateway <GATEWAY>")]
        [Description("When registering: the gateway the node connects to.")]
        public string? Gateway { get; init; }

        [CommandOption("--zone <ZONE>")]
        [Description("When registering: the zone.")]
        public string? Zone { get; init; }

        [CommandOption("--group <GROUP>")]
        [Description("When registering: the group (street lights).")]
        public string? Group { get; init; }

        [CommandOption("--lat <DEGREES>")]
        [Description("Position of the pole (decimal degrees; default: the inventory's).")]
        public string? Latitude { get; init; }

        [CommandOption("--lon <DEGREES>")]
        [Description("Position of the pole (decimal degrees; default: the inventory's).")]
        public string? Longitude { get; init; }

        [CommandOption("--ssid <SSID>")]
        [Description("Wi-Fi network name (required).")]
        public string? Ssid { get; init; }

        [CommandOption("--wifi-password-stdin")]
        [Description("Read the Wi-Fi password from standard input (else $EDGE_WIFI_PASSWORD, else a hidden prompt).")]
        public bool WifiPasswordStdin { get; init; }

        [CommandOption("--open-wifi")]
        [Description("The Wi-Fi network has no password.")]
        public bool OpenWifi { get; init; }

        [CommandOption("--broker-host <HOST>")]
        [Description("The gateway's MQTT broker as the node reaches it (required).")]
        public string? BrokerHost { get; init; }

        [CommandOption("--broker-port <PORT>")]
        [Description("The broker's port (default 1883, 8883 with --tls).")]
        public string? BrokerPort { get; init; }

        [CommandOption("--tls")]
        [Description("Connect to the broker over TLS.")]
        public bool Tls { get; init; }

        [CommandOption("--sntp1 <HOST>")]
        [Description("First time server (default pool.ntp.org).")]
        public string? Sntp1 { get; init; }

        [CommandOption("--sntp2 <HOST>")]
        [Description("Second time server (default time.google.com).")]
        public string? Sntp2 { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("Write the record to this file (readable by you only), for `edge node flash --record`.")]
        public string? Out { get; init; }

        [CommandOption("--serial <DEVICE>")]
        [Description("Send the record to a node waiting for provisioning on this serial device (e.g. /dev/ttyUSB0, COM3): on an ESP32 board, a 3.3 V USB-serial adapter on its provisioning header (RX GPIO19, TX GPIO14), BOOT held after reset.")]
        public string? Serial { get; init; }

        [CommandOption("--timeout <SECONDS>")]
        [Description("How long to wait for each answer of the node over serial (default 10).")]
        public int TimeoutS { get; init; } = 10;

        public override ValidationResult Validate()
        {
            if (Node is null && Pole is null) return ValidationResult.Error("node provision: give a node id or --pole (see `edge node provision --help`)");
            if ((Out is null) == (Serial is null)) return ValidationResult.Error("node provision: give exactly one of --out <file> and --serial <device>");
            if (Ssid is null || BrokerHost is null) return ValidationResult.Error("node provision: --ssid and --broker-host are required");
            if (Type is not (null or "streetlight" or "waterlevel" or "busstop")) return ValidationResult.Error("node provision: --type must be streetlight, waterlevel or busstop");
            if (OpenWifi && WifiPasswordStdin) return ValidationResult.Error("node provision: --open-wifi and --wifi-password-stdin exclude each other");
            if (TimeoutS < 1 || TimeoutS > 600) return ValidationResult.Error("node provision: --timeout must be 1..600 seconds");
            return ValidationResult.Success();
        }
    }

    /// <summary>A stand-in secret for the first check of the record, before the cloud issues the real one.</summary>
    private const string DraftSecret = "draft-secret-draft-secret-draft";

    public override async Task<int> ExecuteAsync(CommandContext context, Settings s, CancellationToken ct)
    {
        CliArguments.RejectUnknown(context, "node provision");
        double? lat = CliArguments.Degrees("--lat", s.Latitude, 90), lon = CliArguments.Degrees("--lon", s.Longitude, 180);
        string wifiPassword = s.OpenWifi ? "" : ReadWifiPassword(s.WifiPasswordStdin);
        string brokerPort = s.BrokerPort ?? (s.Tls ? "8883" : "1883");

        using var cloud = CloudClient.SignedIn();
        string? site = s.Site ?? cloud.Config.Site;
        RecordText Record(string nodeId, string nodeSite, string secret, double? la, double? lo, string tz) => new RecordText()
            .Add("ssid", s.Ssid).Add("wifiPassword", wifiPassword)
            .Add("brokerHost", s.BrokerHost).Add("brokerPort", brokerPort).Add("tls", s.Tls ? "true" : "false")
            .Add("site", nodeSite).Add("nodeId", nodeId).Add("secret", secret)
            .Add("latitude", la).Add("longitude", lo).Add("timeZone", tz)
            .Add("sntp1", s.Sntp1).Add("sntp2", s.Sntp2);

        // 1. What the installer typed must make a record the node accepts, before the cloud changes anything.
        Record(s.Node ?? "draft", site ?? "draft", DraftSecret, lat, lon, "UTC0").Validate();

        // 2. The node: found by id or pole, or registered.
        var node = await NodeLookup.FindAsync(cloud, s.Node, s.Pole, site, ct);
        bool registered = false;
        if (node is null)
        {
            if (s.Node is null) throw new CloudException("no node on pole '" + s.Pole + "'" + (site != null ? " at site " + site : "") + "; give a node id and --type to register one");
            if (s.Type is null || site is null)
                throw new CloudException("node '" + s.Node + "' does not exist in the inventory of " + cloud.Config.Url + "; to register it give --type" + (site is null ? " and --site" : ""));
            node = await cloud.SendAsync(HttpMethod.Put, "nodes/" + Uri.EscapeDataString(s.Node), new
            {
                site, type = s.Type, gateway = s.Gateway, lat, lon, pole = s.Pole, zone = s.Zone, group = s.Group,
            }, ct);
            registered = true;
        }
        var n = node.Value;
        string nodeId = n.Text("id")!, nodeSite = n.Text("site")!, type = n.Text("type")!;
        if (s.Type != null && s.Type != type) throw new CloudException("node '" + nodeId + "' is a " + type + ", not a " + s.Type);
        double? la = lat ?? n.Number("lat"), lo = lon ?? n.Number("lon");
        string tz = await SiteTimeZoneAsync(cloud, nodeSite, ct);
        Record(nodeId, nodeSite, DraftSecret, la, lo, tz).Validate();

        // 3. Over serial, the device must answer (and run the right app) before the node's secret changes.
        using var serial = s.Serial != null ? SerialProvisioner.Open(s.Serial, TimeSpan.FromSeconds(s.TimeoutS), line => Console.Out.WriteLine("  " + line)) : null;
        if (serial != null)
        {
            var info = serial.Info();
            if (info.Type != type) throw new FormatException("the device on " + s.Serial + " runs the " + info.Type + " app, but node '" + nodeId + "' is a " + type + ": flash the right app first (edge node flash)");
        }

        // 4. Credentials, then the record, checked once more by the node's parser.
        var secret = (await cloud.SendAsync(HttpMethod.Post, "nodes/" + Uri.EscapeDataString(nodeId) + "/secret", null, ct)).GetProperty("secret").GetString()!;
        var record = Record(nodeId, nodeSite, secret, la, lo, tz);
        try
        {
            record.Validate();
            if (serial != null) serial.Provision(record);
            else WritePrivate(s.Out!, record.Text);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            throw new IOException(e.Message + " — node '" + nodeId + "' now has a new secret that no device holds (`edge node status " + nodeId
                + "` shows it as provisioned, not yet seen); run `edge node provision " + nodeId + "` again", e);
        }

        Console.Out.WriteLine((registered ? "registered and provisioned " : "provisioned ") + nodeId + " (" + type + ", site " + nodeSite + (n.Text("pole") is { } pole ? ", pole " + pole : "") + ")");
        Console.Out.WriteLine(serial != null ? "record sent over " + s.Serial + " and committed; the node reboots into it" : "record written to " + Path.GetFullPath(s.Out!) + " (readable by you only; it holds the secret)");
        Console.Out.WriteLine("secret " + secret + "  (shown this once; the cloud keeps only its hash)");
        Console.Out.WriteLine("next: edge node commission " + nodeId);
        return 0;
    }

    private static async Task<string> SiteTimeZoneAsync(CloudClient cloud, string site, CancellationToken ct)
    {
        foreach (var s in (await cloud.GetAsync("sites", false, ct))!.Value.EnumerateArray())
            if (s.Text("id") == site) return s.Text("tz") ?? "UTC0";
        throw new CloudException("site '" + site + "' does not exist");
    }

    private static string ReadWifiPassword(bool fromStdin)
    {
        if (fromStdin) return (Console.In.ReadLine() ?? "").TrimEnd('\r', '\n');
        if (Environment.GetEnvironmentVariable("EDGE_WIFI_PASSWORD") is { } env) return env;
        if (Console.IsInputRedirected) throw new ArgumentException("Wi-Fi password: give --wifi-password-stdin, set EDGE_WIFI_PASSWORD, or --open-wifi for a network without one");
        return AnsiConsole.Prompt(new TextPrompt<string>("Wi-Fi password:").Secret());
    }

    /// <summary>Writes the record readable by its owner only (it holds the secret), replacing the file whole.</summary>
    public static void WritePrivate(string path, string text)
    {
        string full = Path.GetFullPath(path);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        string temp = full + ".tmp";
        using (var stream = new FileStream(temp, options))
        {
            stream.Write(Encoding.UTF8.GetBytes(text));
        }
        File.Move(temp, full, overwrite: true);
    }
}
