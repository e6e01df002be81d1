using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cli.Tests;
using Edge.Firmware.Host.Configuration;
using Edge.Firmware.Host.Hosting;
using Edge.Firmware.Host.Provisioning;
using Edge.Firmware.Provisioning;
using Edge.Sim.Demo;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.EndToEnd.Tests.Installer;

/// <summary>
/// The demo's cloud and gateway on free ports with no virtual nodes: the installer tests register, provision and
/// boot their own nodes, and drive the real `edge` tool signed in as the demo installer (its sign-in in a
/// configuration directory of its own, <c>XDG_CONFIG_HOME</c>).
/// </summary>
public sealed class InstallerSite : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "edge-inst-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<NodeScheduler> _schedulers = new();

    public DemoSite Site { get; private set; } = null!;
    public FleetPlan Fleet { get; private set; } = null!;
    public string ConfigHome => Path.Combine(_dataDir, "config");
    public string WorkDir => Path.Combine(_dataDir, "work");
    public HttpClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var fleet = IgoumenitsaFleet.Create();
        fleet.Nodes.Clear();
        Fleet = fleet;
        Directory.CreateDirectory(WorkDir);
        Site = await SiteFixture.StartOnFreePortsAsync(() => new DemoOptions
        {
            DataDir = _dataDir,
            HttpPort = SiteFixture.FreePort(),
            GatewayHttpPort = SiteFixture.FreePort(),
            MqttPort = SiteFixture.FreePort(),
            AgencyPort = SiteFixture.FreePort(),
            TickInterval = TimeSpan.FromMilliseconds(100),
            LogLevel = LogLevel.Warning,
        }, fleet);
        var admin = DemoUsers.All.Single(u => u.Role == "admin");
        Admin = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(Site.CloudUrl) };
        (await Admin.PostAsJsonAsync("api/v1/auth/login", new { name = admin.Name, password = admin.Password })).EnsureSuccessStatusCode();

        var installer = DemoUsers.All.Single(u => u.Role == "installer");
        var login = Edge(installer.Password + "\n", "login", "--url", Site.CloudUrl, "--user", installer.Name, "--site", fleet.Site);
        Assert.True(login.ExitCode == 0, login.ToString());
    }

    public async Task DisposeAsync()
    {
        foreach (var scheduler in _schedulers) await scheduler.StopAsync(CancellationToken.None);
        Admin?.Dispose();
        if (Site is not null) await Site.DisposeAsync();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    /// <summary>
    /// edge.dll in its own build output: this test output carries the ASP.NET Core framework's assemblies instead of
    /// the packages edge ships (PDFsharp's logging abstractions), which edge, a plain console app, cannot load from here.
    /// </summary>
    public static readonly string EdgeDll = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory,
        "..", "..", "..", "..", "..", "firmware", "Edge.Cli", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "edge.dll"));

    /// <summary>Runs `edge` with this site's sign-in; <paramref name="stdin"/> is its standard input.</summary>
    public CliResult Edge(string? stdin, params string[] arguments) => CliRunner.Run(new CliInvocation(arguments)
    {
        Dll = EdgeDll,
        WorkingDirectory = WorkDir,
        StandardInput = stdin,
        Environment = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = ConfigHome, ["HOME"] = _dataDir },
    });

    /// <summary>The usual provisioning options of this site (its gateway's broker on loopback).</summary>
    public string[] WifiAndBroker => new[] { "--ssid", "Igoumenitsa-IoT", "--open-wifi", "--broker-host", "127.0.0.1", "--broker-port", Site.Options.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    public async Task<JsonElement?> NodeAsync(string id)
    {
        using var response = await Admin.GetAsync("api/v1/nodes/" + id);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task PutAsync(string path, object body) => (await Admin.PutAsJsonAsync("api/v1/" + path, body)).EnsureSuccessStatusCode();

    public async Task PutRawAsync(string path, string json)
    {
        using var response = await Admin.PutAsync("api/v1/" + path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, path + ": " + await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// `edge node provision` registers the node and writes its record to a file; the record goes to the host node's
    /// storage as `edge node flash` puts it on a device's, and the node boots from it (<paramref name="tweak"/>
    /// changes its virtual hardware, e.g. a dead lamp).
    /// </summary>
    public async Task<RuntimeHostedNode> ProvisionAndBootAsync(string id, string type, Action<NodeSettings>? tweak = null, Func<Task>? beforeBoot = null)
    {
        var result = Edge(null, new[] { "node", "provision", id, "--type", type, "--gateway", Fleet.Gateway, "--lat", "39.503", "--lon", "20.265", "--out", id + ".node" }
            .Concat(WifiAndBroker).ToArray());
        Assert.True(result.ExitCode == 0, result.ToString());
        string dataDir = Path.Combine(WorkDir, "nodes", id);
        Directory.CreateDirectory(dataDir);
        if (beforeBoot != null) await beforeBoot();
        File.Copy(Path.Combine(WorkDir, id + ".node"), Path.Combine(dataDir, ProvisioningRecord.StorageKey + ".bin"));
        var record = RecordBoot.Boot(dataDir, type, "1.0.0-host", null, false, _ => { }, CancellationToken.None)!;
        var settings = RecordBoot.Settings(record, type, dataDir);
        tweak?.Invoke(settings);
        return await StartNodeAsync(settings);
    }

    /// <summary>Runs host nodes on their own scheduler until the site stops.</summary>
    public async Task<RuntimeHostedNode> StartNodeAsync(NodeSettings settings)
    {
        var node = new RuntimeHostedNode(settings, NullLoggerFactory.Instance);
        var scheduler = new NodeScheduler(Microsoft.Extensions.Options.Options.Create(new NodeHostOptions { Nodes = new[] { settings }, TickInterval = TimeSpan.FromMilliseconds(100) }),
            () => new IHostedNode[] { node }, NullLogger<NodeScheduler>.Instance);
        await scheduler.StartAsync(CancellationToken.None);
        lock (_schedulers) _schedulers.Add(scheduler);
        return node;
    }
}

[CollectionDefinition(Name)]
public sealed class InstallerCollection : ICollectionFixture<InstallerSite>
{
    public const string Name = "installer site";
}
