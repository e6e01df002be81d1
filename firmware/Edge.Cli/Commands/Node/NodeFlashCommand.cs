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

        // The firmware and the app go through nanoff's ESP32 path (--target); the file deployment and the device details
        // speak the wire protocol to the running nanoCLR, so they name only the port: nanoff classes any command with a
        // --target starting "ESP" as an ESP32 flash operation and resets the board into its bootloader first
        // (nanoFirmwareFlasher Program.cs), and refuses --nanodevice with a --target (E9000).
        string[] Esp32() => new[] { "--target", s.Target, "--serialport", s.Serial! };
        var files = new[] { (Source: record, Destination: "I:\\" + ProvisioningRecord.StorageKey + ".bin") };
        var steps = new List<(string What, string Title, string[] Args, Func<NanoffRun, string?> Check)>();
        if (!s.SkipFirmware) steps.Add(("flash the nanoFramework firmware (" + s.Target + ")", "firmware " + s.Target, Esp32().Append("--update").ToArray(), _ => null));
        steps.Add(("deploy " + app + " at " + PartitionTable.Hex(deploy.Offset) + " (partition '" + deploy.Name + "' of " + tablePath + ")", "app image",
            Esp32().Concat(new[] { "--deploy", "--image", image, "--address", PartitionTable.Hex(deploy.Offset) }).ToArray(), _ => null));
        // nanoff's file deployment exits 0 even when a file fails: its output says so.
        steps.Add(("write the provisioning record of " + parsed.NodeId + " to " + files[0].Destination, "provisioning record",
            new[] { "--serialport", s.Serial!, "--filedeployment", filesJson }, run => NanoffOutput.FileDeploymentFailure(run.Output, files)));
        var details = new[] { "--nanodevice", "--serialport", s.Serial!, "--devicedetails" };
        string json = JsonSerializer.Serialize(new
        {
            SerialPort = s.Serial,
            Files = files.Select(f => new { DestinationFilePath = f.Destination, SourceFilePath = f.Source }).ToArray(),
        }, new JsonSerializerOptions { WriteIndented = true });

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
            var shown = new List<FlashStep>();
            foreach (var step in steps)
                shown.Add(new FlashStep(step.What, step.Title, async progress =>
                {
                    var run = await nanoff.RunAsync(step.Args, TimeSpan.FromSeconds(s.TimeoutS), segment =>
                    {
                        if (NanoffOutput.Progress(segment) is { } p) progress(p);
                    });
                    if (run.Failed) throw Failure(step.What, run, null);
                    if (step.Check(run) is { } problem) throw Failure(step.What, run, problem);
                }));
            shown.Add(new FlashStep("wait for the device and check it lists " + string.Join(", ", ExpectedAssemblies(s.Type!)), "device lists the app",
                _ => VerifyAsync(nanoff, details, s, parsed.NodeId, ct)));
            await FlashDisplay.RunAsync(shown);
            Console.Out.WriteLine("flashed " + parsed.NodeId + ": firmware, " + app + " and its record are on the device; next: power it on the pole, then `edge node commission " + parsed.NodeId + "`");
            return 0;
        }
        finally
        {
            try { Directory.Delete(workDir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Asks the running device for its assemblies (a few times while it starts) until it lists the app's.</summary>
    private static async Task VerifyAsync(Nanoff nanoff, string[] details, Settings s, string nodeId, CancellationToken ct)
    {
        string[] missing = ExpectedAssemblies(s.Type!);
        NanoffRun? last = null;
        for (int attempt = 1; attempt <= s.VerifyAttempts && missing.Length > 0; attempt++)
        {
            if (attempt > 1) await Task.Delay(TimeSpan.FromSeconds(3), ct);
            last = await nanoff.RunAsync(details, TimeSpan.FromSeconds(s.TimeoutS));
            var listed = NanoffOutput.ManagedAssemblies(last.Output);
            if (!last.Failed) missing = missing.Where(a => !listed.Contains(a)).ToArray();
        }
        if (missing.Length > 0)
            throw new IOException("the device does not list " + string.Join(", ", missing) + " after flashing" + (last is { Failed: true } ? " (" + last.Exited + ": " + Nanoff.Explain(last.Code) + ")" : "")
                + ": the app image may have been written outside the deployment partition (check --partition-table against the firmware) — node "
                + nodeId + " stays provisioned but not yet seen; flash again");
    }

    private static IOException Failure(string what, NanoffRun run, string? problem)
    {
        string tail = string.Join(" | ", run.Output.Split('\n', '\r').Select(l => l.Trim()).Where(l => l.Length > 0 && NanoffOutput.Progress(l) is null).TakeLast(3));
        string why = problem ?? run.Exited + " — " + Nanoff.Explain(run.Code);
        return new IOException("could not " + what + ": " + why + (tail.Length > 0 ? " (nanoff said: " + tail + ")" : "")
            + "; the node stays provisioned but not yet seen until a flash succeeds");
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
