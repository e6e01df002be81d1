using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace Edge.Gateway.Tests;

/// <summary>
/// deploy/edge-gateway.service sets runtime settings in the gateway's environment (docs/scale.md "Gateway memory per
/// idle node"): the gateway started with the unit's <c>Environment=</c> lines must run with them in effect.
/// </summary>
public sealed class SystemdUnitTests
{
    [Fact]
    public async Task The_gateway_runs_with_the_units_workstation_collector_and_gen0_cap_and_logs_both()
    {
        var environment = Edge.Benchmarks.GatewayUnit.Environment();
        Assert.Equal("0x400000", environment["DOTNET_GCGen0MaxBudget"]);
        // The unit asks for the workstation collector, overriding the runtimeconfig's server collector (the Web SDK's default).
        Assert.Equal("0", environment["DOTNET_gcServer"]);

        var dir = TestGateway.NewTempDir();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { GatewayProcess.GatewayDll, "--data-dir", dir, "--port", TestGateway.FreePort().ToString(), "--bind", "127.0.0.1",
                     "--http-port", TestGateway.FreePort().ToString(), "--uplink", "none", "--Logging:LogLevel:Default=Warning",
                     "--Logging:LogLevel:Edge.Gateway.Operations.GatewayService=Information" })
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in environment) info.Environment[name] = value;
        using var process = Process.Start(info)!;
        try
        {
            string? line;
            do
            {
                line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                Assert.NotNull(line); // the gateway ended before it said which runtime settings it runs with
            }
            while (!line.Contains("Runtime:", StringComparison.Ordinal));
            // The collector's own view of its configuration (GC.GetConfigurationVariables), 4 MB in bytes.
            Assert.Contains("GCGen0MaxBudget=4194304", line);
            // The unit's DOTNET_gcServer wins over the runtimeconfig's System.GC.Server; it leaves concurrency to the runtimeconfig.
            Assert.False(environment.ContainsKey("DOTNET_gcConcurrent"));
            var (server, concurrent) = RuntimeConfigGc();
            Assert.True(server); // what the unit overrides: without it the gateway would run the server collector
            Assert.Contains($"Runtime: workstation GC, {(concurrent ? "concurrent" : "non-concurrent")},", line);
            // The server collector's own settings are left out under workstation GC, where they do nothing.
            Assert.DoesNotContain("GCDynamicAdaptationMode", line);
            Assert.DoesNotContain("GCHeapCount", line);
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>System.GC.Server and System.GC.Concurrent of the gateway's runtimeconfig.json (the runtime's defaults when absent: workstation, concurrent).</summary>
    static (bool Server, bool Concurrent) RuntimeConfigGc()
    {
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(GatewayProcess.GatewayDll, ".runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        bool Flag(string name, bool absent) => properties.TryGetProperty(name, out var value) ? value.GetBoolean() : absent;
        return (Flag("System.GC.Server", false), Flag("System.GC.Concurrent", true));
    }
}
