using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Tasks;

namespace Edge.Gateway.Tests;

/// <summary>Runs the Mosquitto command-line clients (Debian package mosquitto-clients) as subprocesses.</summary>
public static class Mosquitto
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static async Task<Result> RunAsync(string tool, params string[] args)
    {
        using var process = Start(tool, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException($"{tool} did not exit");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public static Process Start(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {tool}");
    }

    /// <summary>A running mosquitto_sub whose output lines are collected as they arrive.</summary>
    public sealed class Subscriber : IDisposable
    {
        readonly Process _process;

        public Subscriber(params string[] args)
        {
            _process = Start("mosquitto_sub", args);
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) Lines.Enqueue(e.Data); };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Errors.Enqueue(e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public ConcurrentQueue<string> Lines { get; } = new();
        public ConcurrentQueue<string> Errors { get; } = new();
        public bool HasExited => _process.HasExited;
        public int ExitCode => _process.ExitCode;

        /// <summary>SIGKILL: the TCP connection ends without DISCONNECT, so the broker publishes the will.</summary>
        public void Kill() => _process.Kill();

        public void WaitForExit() => _process.WaitForExit(TimeSpan.FromSeconds(30));

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill();
            _process.Dispose();
        }
    }
}
