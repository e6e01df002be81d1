using Edge.Cli;
using Edge.Cli.Commands;
using Edge.Cli.Commands.Node;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("edge");
    config.PropagateExceptions();
    config.AddCommand<SunCommand>("sun")
        .WithDescription("Print a day's official sunrise and sunset (UTC) for a place, computed as a node does.")
        .WithExample("sun", "--lat", "39.5", "--lon", "20.27", "--date", "2026-06-21");
    config.AddBranch("profile", profile =>
    {
        profile.SetDescription("Check and preview dimming profiles and calendars (docs/dimming-profiles.md).");
        profile.AddCommand<ProfileCheckCommand>("check")
            .WithDescription("Validate a lighting schedule document exactly as a node does: exit 0, or exit 1 and every problem.")
            .WithExample("profile", "check", "docs/examples/igoumenitsa-residential.json");
        profile.AddCommand<ProfilePreviewCommand>("preview")
            .WithDescription("Show a night's timeline (local and UTC) and its energy against full power all night.")
            .WithExample("profile", "preview", "docs/examples/igoumenitsa-residential.json", "--lat", "39.5035", "--lon", "20.2655",
                "--tz", "EET-2EEST,M3.5.0/3,M10.5.0/4", "--date", "2026-08-15", "--watts", "60");
    });
    config.AddBranch("display", display =>
    {
        display.SetDescription("Bus-stop display tools.");
        display.AddCommand<DisplayRenderCommand>("render")
            .WithDescription("Render a display content document to a PNG exactly as a stop's panel would show it.")
            .WithExample("display", "render", "content.json", "--width", "800", "--height", "480", "--out", "stop.png");
    });
    config.AddBranch("hydro", hydro =>
    {
        hydro.SetDescription("Water-level gauge tools.");
        hydro.AddCommand<HydroReplayCommand>("replay")
            .WithDescription("Replay a logged timestamp,distance_mm series through the gauge's node logic: print every state change and a summary.")
            .WithExample("hydro", "replay", "docs/examples/hydro/storm.csv", "--config", "docs/examples/hydro/gauge.json");
    });
    config.AddCommand<LoginCommand>("login")
        .WithDescription("Sign in to the cloud once; an API token (never the password) is kept in your configuration directory.")
        .WithExample("login", "--url", "https://edge.example.gr/", "--user", "maria", "--site", "igoumenitsa");
    config.AddCommand<LogoutCommand>("logout")
        .WithDescription("Forget the stored sign-in.");
    config.AddBranch("node", node =>
    {
        node.SetDescription("Installers: provision, flash, commission and label nodes (docs/provisioning.md).");
        node.AddCommand<NodeProvisionCommand>("provision")
            .WithDescription("Register or pick a node in the cloud, get its secret and write its provisioning record (to a file, or to the device over serial).")
            .WithExample("node", "provision", "sl-0042", "--type", "streetlight", "--pole", "PA-17", "--ssid", "Edge-IoT", "--broker-host", "10.20.0.2", "--wifi-password-stdin", "--out", "sl-0042.node")
            .WithExample("node", "provision", "--pole", "PA-17", "--ssid", "Edge-IoT", "--broker-host", "10.20.0.2", "--serial", "/dev/ttyUSB0");
        node.AddCommand<NodeCommissionCommand>("commission")
            .WithDescription("Wait for the node's first message, run its self-test through the real command path, print pass/fail with the figures and store the result on the node.")
            .WithExample("node", "commission", "sl-0042")
            .WithExample("node", "commission", "wl-0007", "--measured-mm", "412", "--set-datum");
        node.AddCommand<NodeFlashCommand>("flash")
            .WithDescription("Flash the nanoFramework firmware, the app at the deployment partition's address and the provisioning record with nanoff, then check the device lists the app's assemblies; live progress with nanoff's own percentage on a terminal, one line per step when redirected.")
            .WithExample("node", "flash", "--serial", "/dev/ttyUSB0", "--type", "streetlight", "--record", "sl-0042.node", "--dry-run");
        node.AddCommand<NodeLabelCommand>("label")
            .WithDescription("Write printable pole labels with the QR code of each node's public page {base}/n/{id}: one SVG label, or A4 PDF sheets of 3 × 8.")
            .WithExample("node", "label", "sl-0042", "--out", "sl-0042.svg")
            .WithExample("node", "label", "--all", "--out", "labels.pdf");
        node.AddCommand<NodeStatusCommand>("status")
            .WithDescription("Where a node stands: registered, provisioned but not yet seen, online or offline, and its commissioning.")
            .WithExample("node", "status", "sl-0042");
    });
});
return CliErrors.Run(app, args);
