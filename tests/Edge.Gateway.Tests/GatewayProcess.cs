using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Threading.Tasks;

namespace Edge.Gateway.Tests;

/// <summary>The gateway as a separate process: <c>dotnet Edge.Gateway.dll --data-dir … --port …</c>.</summary>
public sealed class GatewayProcess : IDisposable
{
    readonly Process _process;

    GatewayProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public static string GatewayDll => Path.Combine(AppContext.BaseDirectory, "Edge.Gateway.dll");

    /// <summary>Every line the process wrote to stdout or stderr so far.</summary>
    public ConcurrentQueue<string> Output { get; } = new();

    public static Task<GatewayProcess> StartAsync(string dataDir, int mqttPort, int httpPort, params string[] extraArgs)
        => StartAsync(dataDir, mqttPort, httpPort, new Dictionary<string, string>(), extraArgs);

    /// <summary>Starts it with <paramref name="environment"/> added to the test's own.</summary>
    public static async Task<GatewayProcess> StartAsync(string dataDir, int mqttPort, int httpPort, IReadOnlyDictionary<string, string> environment, params string[] extraArgs)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { GatewayDll, "--data-dir", dataDir, "--port", mqttPort.ToString(), "--bind", "127.0.0.1", "--http-port", httpPort.ToString(),
                     "--Logging:LogLevel:Default=Warning" })
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var arg in extraArgs) info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        var process = new Process { StartInfo = info };
        var gateway = new GatewayProcess(process);
        process.OutputDataReceived += (_, line) => { if (line.Data is { } text) gateway.Output.Enqueue(text); };
        process.ErrorDataReceived += (_, line) => { if (line.Data is { } text) gateway.Output.Enqueue(text); };
        if (!process.Start()) throw new InvalidOperationException("could not start the gateway");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await TestGateway.WaitUntilAsync(() =>
        {
            if (process.HasExited) throw new InvalidOperationException($"gateway exited with {process.ExitCode}");
            try { return http.GetAsync($"http://127.0.0.1:{httpPort}/health").Result.IsSuccessStatusCode; }
            catch (AggregateException) { return false; }
        }, "gateway process ready", 60);
        return gateway;
    }

    /// <summary>SIGKILL (Process.Kill on Unix): no shutdown code runs.</summary>
    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) KillHard();
        _process.Dispose();
    }
}
