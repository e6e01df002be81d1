using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;

namespace Edge.Cli.Flash;

/// <summary>What one nanoff run printed and returned.</summary>
public sealed record NanoffRun(int ExitCode, string Output)
{
    /// <summary>nanoff's own code (4005 for E4005): the one it printed, else the exit status read back (<see cref="Nanoff.Code"/>).</summary>
    public int Code => NanoffOutput.ReportedCode(Output) ?? Nanoff.Code(ExitCode);

    /// <summary>A non-zero exit, or an error nanoff printed (a status whose low 8 bits are 0 would read as success).</summary>
    public bool Failed => ExitCode != 0 || NanoffOutput.ReportedCode(Output) is not null;

    /// <summary>"nanoff exited 165 (E4005)": the process's status and, where it differs, nanoff's own code.</summary>
    public string Exited => "nanoff exited " + ExitCode + (Code != ExitCode ? " (E" + Code + ")" : "");
}

/// <summary>
/// nanoff, the nanoFramework firmware flasher: found as given (--nanoff), on PATH, or where `dotnet tool install -g`
/// puts it; run with an argument list (never a shell line) and its output captured. Its exit codes
/// (nanoFirmwareFlasher ExitCodes) become sentences that say what to try.
/// </summary>
public sealed class Nanoff
{
    public const string InstallHint = "install it with `dotnet tool install -g nanoff` (and have ~/.dotnet/tools on PATH), or give its path with --nanoff <path>";

    public Nanoff(string path) => Path = path;

    public string Path { get; }

    public static Nanoff Locate(string? given)
    {
        if (given != null)
        {
            if (!File.Exists(given)) throw new FileNotFoundException("nanoff: '" + given + "' does not exist; " + InstallHint);
            return new Nanoff(System.IO.Path.GetFullPath(given));
        }
        string name = OperatingSystem.IsWindows() ? "nanoff.exe" : "nanoff";
        var places = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).ToList();
        places.Add(System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools"));
        foreach (string dir in places)
        {
            string candidate = System.IO.Path.Combine(dir, name);
            if (File.Exists(candidate)) return new Nanoff(candidate);
        }
        throw new FileNotFoundException("nanoff was not found on PATH or in ~/.dotnet/tools: " + InstallHint);
    }

    /// <summary>The command as a user would type it (for --dry-run and error messages).</summary>
    public static string Display(string program, IReadOnlyList<string> args) =>
        string.Join(" ", new[] { program }.Concat(args).Select(a => a.Length == 0 || a.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '$') ? "'" + a.Replace("'", "'\\''") + "'" : a));

    /// <summary>
    /// Runs nanoff with <paramref name="args"/>; <paramref name="onSegment"/> gets each piece of its standard output as
    /// it comes, split at line feeds and at the carriage returns its progress bar rewrites itself with.
    /// </summary>
    public async Task<NanoffRun> RunAsync(IReadOnlyList<string> args, TimeSpan limit, Action<string>? onSegment = null)
    {
        var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new IOException("could not start " + Path);
        var stdout = PumpAsync(process.StandardOutput, onSegment);
        var stderr = process.StandardError.ReadToEndAsync();
        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(exited, Task.Delay(limit)) != exited)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(Display("nanoff", args) + " did not finish within " + limit.TotalSeconds + " s: is the board stuck in download mode? Unplug it, plug it in again and retry");
        }
        return new NanoffRun(process.ExitCode, await stdout + await stderr);
    }

    private static async Task<string> PumpAsync(StreamReader reader, Action<string>? onSegment)
    {
        var all = new StringBuilder();
        var segment = new StringBuilder();
        var buffer = new char[4096];
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            all.Append(buffer, 0, n);
            if (onSegment is null) continue;
            for (int i = 0; i < n; i++)
            {
                if (buffer[i] is '\r' or '\n')
                {
                    if (segment.Length > 0) onSegment(segment.ToString());
                    segment.Clear();
                }
                else segment.Append(buffer[i]);
            }
        }
        if (segment.Length > 0) onSegment?.Invoke(segment.ToString());
        return all.ToString();
    }

    // Every code of nanoFirmwareFlasher's ExitCodes enum (read at baccab8): all distinct in their low 8 bits.
    private static readonly int[] Known =
    {
        1000, 1002, 1003, 1004, 1005, 1006, 2000, 2001, 2002, 2003, 3000, 3001, 3002, 3003, 3004, 3005, 3006,
        4000, 4001, 4002, 4003, 4004, 4005, 5000, 5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008, 5009, 5010, 5022,
        5030, 5031, 5040, 5041, 6000, 6001, 6002, 7000, 8000, 8001, 8002, 8003,
        9000, 9002, 9003, 9004, 9005, 9006, 9007, 9008, 9009, 9010, 9011, 9012, 9013, 9014, 9015,
    };

    /// <summary>
    /// nanoff's code (E4005 …) from what the process returned: Unix keeps only the low 8 bits of an exit status, so
    /// 4005 arrives as 165; a status that is no code's low byte stays as it is.
    /// </summary>
    public static int Code(int exitCode) => exitCode is > 0 and < 256 && Known.FirstOrDefault(k => (k & 0xFF) == exitCode) is var k && k != 0 ? k : exitCode;

    /// <summary>What a nanoff exit code means for an installer, and what to try.</summary>
    public static string Explain(int exitCode) => Code(exitCode) switch
    {
        2000 => "could not connect to the nanoFramework device (is the firmware flashed and the board out of download mode? press its reset button)",
        2001 => "could not list the nanoFramework devices (press the board's reset button and retry)",
        2002 => "the device did not finish starting (press reset and retry)",
        2003 => "file deployment failed",
        4000 => "the ESP32 serial command failed (wrong chip for the target? check --target against the board, e.g. ESP32_REV3 for an ESP32-WROOM-32E)",
        4001 => "unsupported flash size for this target (wrong --target for the board?)",
        4002 => "could not erase the flash (hold BOOT while pressing reset, then retry)",
        4003 => "could not write the firmware (cable or USB hub problem? try a short data cable)",
        4004 => "could not read from the board's flash",
        4005 or 6000 or 6002 => "could not open the serial port (port busy — close serial monitors, Visual Studio or another nanoff — or wrong port, or no permission: join the 'dialout' group)",
        9000 => "nanoff refused its arguments (an older or newer nanoff? check `nanoff --help` against README \"ESP32 firmware\")",
        9005 => "nanoff does not know this --target",
        9007 => "could not download the firmware (no internet?)",
        9008 => "the app image file was not found",
        9009 => "no valid deployment address",
        9010 => "no device found (is the board plugged in, with a data cable?)",
        _ => "nanoff failed",
    };
}
