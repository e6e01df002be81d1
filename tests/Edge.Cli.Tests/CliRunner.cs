using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;

namespace Edge.Cli.Tests;

/// <summary>What one run of `edge` produced.</summary>
public sealed record CliResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() =>
        $"exit {ExitCode}{Environment.NewLine}--- stdout ---{Environment.NewLine}{StandardOutput}--- stderr ---{Environment.NewLine}{StandardError}";
}

/// <summary>How to run `edge`: its arguments and, optionally, a working directory, standard input and extra environment.</summary>
public sealed record CliInvocation(IReadOnlyList<string> Arguments)
{
    public string? WorkingDirectory { get; init; }
    public string? StandardInput { get; init; }
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
    /// <summary>Another edge.dll than the one next to the tests (a test project whose output mixes in other frameworks).</summary>
    public string? Dll { get; init; }
}

/// <summary>
/// Runs the real `edge` CLI as a subprocess (`dotnet &lt;test output&gt;/edge.dll args…`), exactly as a
/// technician would, and captures standard output, standard error and the exit code. The test project
/// references firmware/Edge.Cli, so edge.dll sits next to the test assembly.
/// </summary>
public static class CliRunner
{
    // A hung CLI must fail the test run rather than block it forever; it is not a timing assertion.
    private static readonly TimeSpan HangLimit = TimeSpan.FromMinutes(2);

    public static string EdgeDll => Path.Combine(AppContext.BaseDirectory, "edge.dll");

    public static CliResult Run(params string[] arguments) => Run(new CliInvocation(arguments));

    public static CliResult Run(CliInvocation invocation)
    {
        string dll = invocation.Dll ?? EdgeDll;
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("edge.dll is not in the test output; is firmware/Edge.Cli referenced?", dll);
        }
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = invocation.WorkingDirectory ?? AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in invocation.Arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // Plain, stable output: no colours, no terminal-width guessing, no first-run banners.
        start.Environment["NO_COLOR"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (invocation.Environment != null)
        {
            foreach (var pair in invocation.Environment)
            {
                start.Environment[pair.Key] = pair.Value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        // Read both streams concurrently so a full pipe cannot deadlock the child.
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (invocation.StandardInput != null)
        {
            process.StandardInput.Write(invocation.StandardInput);
        }
        process.StandardInput.Close();
        if (!process.WaitForExit(HangLimit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("edge " + string.Join(" ", invocation.Arguments) + " did not finish");
        }
        process.WaitForExit();
        return new CliResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
