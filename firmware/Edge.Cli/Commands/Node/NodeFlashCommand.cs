using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cli.Flash;
using Edge.Firmware.Provisioning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Edge.Cli.Commands.Node;

/// <summary>
/// `edge node flash`: the whole device preparation with nanoff — nanoFramework firmware, the app image at the
/// deployment partition's address, the provisioning record onto the internal drive (nanoff's file deployment), then
/// a check that the device lists the app's assemblies. nanoff has been seen to report success while writing the app
/// outside the deployment partition (nanoframework/Home#1835): the address comes from the partition table and the
/// check fails loudly when the assemblies are missing.
/// </summary>
public sealed class NodeFlashCommand : AsyncCommand<NodeFlashCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--serial <DEVICE>")]
        [Description("The board's serial port (/dev/ttyUSB0, COM3; required).")]
        public string? Serial { get; init; }

        [CommandOption("--type <TYPE>")]
        [Description("The app: streetlight, waterlevel or busstop (required).")]
        public string? Type { get; init; }

        [CommandOption("--record <FILE>")]
        [Description("The provisioning record `edge node provision --out` wrote (required).")]
        public string? Record { get; init; }

        [CommandOption("--image <FILE>")]
        [Description("The app's deployment image (default: firmware/Edge.Firmware.Esp32.<App>/bin/Release/<App>.bin under the current directory).")]
        public string? Image { get; init; }

        [CommandOption("--target <TARGET>")]
        [Description("nanoff target of the board (default ESP32_REV3, an ESP32-WROOM-32E).")]
        public string Target { get; init; } = "ESP32_REV3";

        [CommandOption("--partition-table <FILE>")]
        [Description("ESP-IDF partition table CSV of the firmware (default: hardware/esp32/partitions-4mb.csv, shipped with edge).")]
        public string? PartitionTable { get; init; }

        [CommandOption("--skip-firmware")]
        [Description("Do not flash the nanoFramework firmware (the board already runs it).")]
        public bool SkipFirmware { get; init; }

        [CommandOption("--nanoff <PATH>")]
        [Description("The nanoff executable (default: found on PATH or in ~/.dotnet/tools).")]
        public string? NanoffPath { get; init; }

        [CommandOption("--timeout <SECONDS>")]
        [Description("Longest wait for one nanoff step (default 300).")]
        public int TimeoutS { get; init; } = 300;

        [CommandOption("--verify-attempts <N>")]
        [Description("How many times to ask the device for its assemblies while it starts (default 5, 3 s apart).")]
        public int VerifyAttempts { get; init; } = 5;

        [CommandOption("--dry-run")]
        [Description("Print the exact nanoff commands and files, run nothing.")]
        public bool DryRun { get; init; }

        public override ValidationResult Validate()
        {
            if (Serial is null || Type is null || Record is null) return ValidationResult.Error("node flash: --serial, --type and --record are required (see `edge node flash --help`)");
            if (Type is not ("streetlight" or "waterlevel" or "busstop")) return ValidationResult.Error("node flash: --type must be streetlight, waterlevel or busstop");
            if (TimeoutS < 1 || VerifyAttempts < 1) return ValidationResult.Error("node flash: --timeout and --verify-attempts must be at least 1");
            return ValidationResult.Success();
        }
    }

    /// <summary>The app project (and assembly) of each node type.</summary>
    public static string AppOf(string type) => "Edge.Firmware.Esp32." + type switch { "streetlight" => "StreetLight", "waterlevel" => "WaterLevel", _ => "BusStop" };

    /// <summary>Assemblies a flashed node must list.</summary>
    public static string[] ExpectedAssemblies(string type) => new[] { AppOf(type), "Edge.Firmware.Esp32.Drivers", "Edge.Firmware.Core" };

    public override async Task<int> ExecuteAsync(CommandContext context, Settings s, CancellationToken ct)
    {
        CliArguments.RejectUnknown(context, "node flash");
        // The record first: a record the node would refuse is not worth a flash cycle.
        string record = Path.GetFullPath(s.Record!);
        if (!File.Exists(record)) throw new FileNotFoundException("--record: '" + s.Record + "' does not exist (write it with `edge node provision --out`)");
        byte[] bytes = File.ReadAllBytes(record);
        if (bytes.Length > ProvisioningRecord.MaxBytes) throw new FormatException("--record: " + bytes.Length + " bytes, more than the node reads (" + ProvisioningRecord.MaxBytes + ")");
        var parsed = ProvisioningRecord.Parse(Encoding.UTF8.GetString(bytes));

        string app = AppOf(s.Type!);
        string image = Path.GetFullPath(s.Image ?? Path.Combine("firmware", app, "bin", "Release", app + ".bin"));
        if (!File.Exists(image)) throw new FileNotFoundException("--image: '" + image + "' does not exist (build " + app + ".nfproj, see README \"ESP32 firmware\", or give --image)");
        string tablePath = s.PartitionTable ?? Path.Combine(AppContext.BaseDirectory, "hardware", "esp32", "partitions-4mb.csv");
        var deploy = PartitionTable.Load(tablePath).Deployment;
        if (new FileInfo(image).Length > deploy.Size)
            throw new FormatException("--image: " + new FileInfo(image).Length + " bytes do not fit the deployment partition (" + deploy.Size + " bytes at " + PartitionTable.Hex(deploy.Offset) + ")");

        string workDir = Path.Combine(Path.GetTempPath(), "edge-flash-" + Guid.NewGuid().ToString("N")[..8]);
        string filesJson = Path.Combine(workDir, "files.json");
        string json = JsonSerializer.Serialize(new
        {
            SerialPort = s.Serial,
            Files = new[] { new { DestinationFilePath = "I:\\" + ProvisioningRecord.StorageKey + ".bin", SourceFilePath = record } },
        }, new JsonSerializerOptions { WriteIndented = true });

        string[] Common() => new[] { "--target", s.Target, "--serialport", s.Serial! };
        var steps = new List<(string What, string[] Args)>();
        if (!s.SkipFirmware) steps.Add(("flash the nanoFramework firmware (" + s.Target + ")", Common().Append("--update").ToArray()));
        steps.Add(("deploy " + app + " at " + PartitionTable.Hex(deploy.Offset) + " (partition '" + deploy.Name + "' of " + tablePath + ")",
            Common().Concat(new[] { "--deploy", "--image", image, "--address", PartitionTable.Hex(deploy.Offset) }).ToArray()));
        steps.Add(("write the provisioning record of " + parsed.NodeId + " to I:\\" + ProvisioningRecord.StorageKey + ".bin", Common().Concat(new[] { "--filedeployment", filesJson }).ToArray()));
        var details = Common().Append("--devicedetails").ToArray();

        if (s.DryRun)
        {
            string program = TryLocate(s.NanoffPath) ?? "nanoff";
            Console.Out.WriteLine("dry run: nothing is run. The commands, in order:");
            foreach (var step in steps) Console.Out.WriteLine(Nanoff.Display(program, step.Args) + "    # " + step.What);
            Console.Out.WriteLine(Nanoff.Display(program, details) + "    # must list " + string.Join(", ", ExpectedAssemblies(s.Type!)));
            Console.Out.WriteLine(filesJson + " would hold:");
            Console.Out.WriteLine(json);
            return 0;
        }

        var nanoff = Nanoff.Locate(s.NanoffPath);
        Directory.CreateDirectory(workDir);
        try
        {
            File.WriteAllText(filesJson, json);
            int n = 0, total = steps.Count + 1;
            foreach (var step in steps)
            {
                Step(++n, total, step.What);
                var run = await nanoff.RunAsync(step.Args, TimeSpan.FromSeconds(s.TimeoutS));
                if (run.ExitCode != 0) throw Failure(step.What, step.Args, run);
                // nanoff's file deployment reports a file it could not write but still exits 0.
                if (step.Args.Contains("--filedeployment") && run.Output.Contains("Error deploying", StringComparison.Ordinal))
                    throw Failure(step.What, step.Args, run with { ExitCode = 2003 });
            }
            Step(++n, total, "wait for the device and check it lists " + string.Join(", ", ExpectedAssemblies(s.Type!)));
            string[] missing = ExpectedAssemblies(s.Type!);
            NanoffRun? last = null;
            for (int attempt = 1; attempt <= s.VerifyAttempts && missing.Length > 0; attempt++)
            {
                if (attempt > 1) await Task.Delay(TimeSpan.FromSeconds(3), ct);
                last = await nanoff.RunAsync(details, TimeSpan.FromSeconds(s.TimeoutS));
                if (last.ExitCode == 0) missing = missing.Where(a => !Lists(last.Output, a)).ToArray();
            }
            if (missing.Length > 0)
                throw new IOException("the device does not list " + string.Join(", ", missing) + " after flashing" + (last is { ExitCode: not 0 } ? " (" + Nanoff.Exited(last.ExitCode) + ": " + Nanoff.Explain(last.ExitCode) + ")" : "")
                    + ": the app image may have been written outside the deployment partition (check --partition-table against the firmware) — node "
                    + parsed.NodeId + " stays provisioned but not yet seen; flash again");
            Console.Out.WriteLine("flashed " + parsed.NodeId + ": firmware, " + app + " and its record are on the device; next: power it on the pole, then `edge node commission " + parsed.NodeId + "`");
            return 0;
        }
        finally
        {
            try { Directory.Delete(workDir, recursive: true); } catch (IOException) { }
        }
    }

    private static void Step(int n, int total, string what) => AnsiConsole.MarkupLineInterpolated($"[bold][[{n}/{total}]][/] {what} …");

    // "Edge.Firmware.Core, 1.0.0.0" in the device details' assembly list: the name as a whole word.
    private static bool Lists(string output, string assembly) =>
        output.Split('\n').Any(line => line.Trim().StartsWith(assembly + ",", StringComparison.Ordinal) || line.Trim() == assembly || line.Trim().StartsWith(assembly + " ", StringComparison.Ordinal));

    private static IOException Failure(string what, string[] args, NanoffRun run)
    {
        string tail = string.Join(" | ", run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));
        return new IOException("could not " + what + ": " + Nanoff.Exited(run.ExitCode) + " — " + Nanoff.Explain(run.ExitCode)
            + (tail.Length > 0 ? " (nanoff said: " + tail + ")" : "") + "; the node stays provisioned but not yet seen until a flash succeeds");
    }

    private static string? TryLocate(string? given)
    {
        try
        {
            return Nanoff.Locate(given).Path;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }
}
