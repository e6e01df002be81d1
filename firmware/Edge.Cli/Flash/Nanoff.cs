using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace Edge.Cli.Flash;

/// <summary>What one nanoff run printed and returned.</summary>
public sealed record NanoffRun(int ExitCode, string Output);

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

    public async Task<NanoffRun> RunAsync(IReadOnlyList<string> args, TimeSpan limit)
    {
        var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new IOException("could not start " + Path);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(exited, Task.Delay(limit)) != exited)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(Display("nanoff", args) + " did not finish within " + limit.TotalSeconds + " s: is the board stuck in download mode? Unplug it, plug it in again and retry");
        }
        return new NanoffRun(process.ExitCode, await stdout + await stderr);
    }

    private static readonly int[] Known = { 2000, 2002, 2003, 4000, 4001, 4002, 4003, 4004, 4005, 6000, 9005, 9007, 9008, 9009, 9010 };

    /// <summary>
    /// nanoff's code (E4005 …) from what the process returned: Unix keeps only the low 8 bits of an exit status, so
    /// 4005 arrives as 165 (the known codes stay distinct modulo 256).
    /// </summary>
    public static int Code(int exitCode) => exitCode is > 0 and < 256 && Known.FirstOrDefault(k => (k & 0xFF) == exitCode) is var k && k != 0 ? k : exitCode;

    /// <summary>"exited 165 (E4005)": the process's status and, where it differs, nanoff's own code.</summary>
    public static string Exited(int exitCode) => "nanoff exited " + exitCode + (Code(exitCode) != exitCode ? " (E" + Code(exitCode) + ")" : "");

    /// <summary>What a nanoff exit code means for an installer, and what to try.</summary>
    public static string Explain(int exitCode) => Code(exitCode) switch
    {
        2000 => "could not connect to the nanoFramework device (is the firmware flashed and the board out of download mode? press its reset button)",
        2002 => "the device did not finish starting (press reset and retry)",
        2003 => "file deployment failed",
        4000 => "esptool failed (wrong chip for the target? check --target against the board, e.g. ESP32_REV3 for an ESP32-WROOM-32E)",
        4001 => "unsupported flash size for this target (wrong --target for the board?)",
        4002 => "could not erase the flash (hold BOOT while pressing reset, then retry)",
        4003 => "could not write the firmware (cable or USB hub problem? try a short data cable)",
        4004 => "could not read from the board's flash",
        4005 or 6000 => "could not open the serial port (port busy — close serial monitors, Visual Studio or another nanoff — or wrong port, or no permission: join the 'dialout' group)",
        9005 => "nanoff does not know this --target",
        9007 => "could not download the firmware (no internet?)",
        9008 => "the app image file was not found",
        9009 => "no valid deployment address",
        9010 => "no device found (is the board plugged in, with a data cable?)",
        _ => "nanoff failed",
    };
}
