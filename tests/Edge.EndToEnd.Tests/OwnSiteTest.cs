using System;
using System.IO;
using System.Threading.Tasks;
using Edge.Sim.Demo;
using Microsoft.Extensions.Logging;

namespace Edge.EndToEnd.Tests;

/// <summary>
/// A test with a demo composition of its own — a small fleet, free ports, a temp data directory removed afterwards — so
/// it can stop the site, change its clocks or run a storm without disturbing the shared one (<see cref="SiteFixture"/>).
/// </summary>
public abstract class OwnSiteTest(string name) : IAsyncLifetime
{
    protected string DataDir { get; } = Path.Combine(Path.GetTempPath(), "edge-" + name + "-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Starts <paramref name="fleet"/> in <see cref="DataDir"/>; <paramref name="configure"/> sets speed, clock start, tick.</summary>
    protected Task<DemoSite> StartSiteAsync(FleetPlan fleet, Action<DemoOptions>? configure = null)
        => SiteFixture.StartOnFreePortsAsync(() =>
        {
            var options = new DemoOptions
            {
                DataDir = DataDir, HttpPort = SiteFixture.FreePort(), GatewayHttpPort = SiteFixture.FreePort(), MqttPort = SiteFixture.FreePort(),
                AgencyPort = SiteFixture.FreePort(), TickInterval = TimeSpan.FromMilliseconds(200), LogLevel = LogLevel.Warning,
            };
            configure?.Invoke(options);
            return options;
        }, fleet);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
