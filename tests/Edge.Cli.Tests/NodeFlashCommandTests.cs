using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Edge.Cli.Tests;

/// <summary>
/// `edge node flash` against a recording stand-in for nanoff (the one place a stand-in is right: no device here). The
/// stand-in logs every argument list, keeps the file-deployment JSON it was given, answers --devicedetails with what
/// the test chooses, and fails with the exit code the test chooses.
/// </summary>
public sealed class NodeFlashCommandTests : IDisposable
{
    private const string Secret = "c2wtMDA0Mi1leGFtcGxlLXNlY3JldA";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edge-flash-test-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _log;
    private readonly string _record;
    private readonly string _image;

    public NodeFlashCommandTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "bin"));
        _log = Path.Combine(_dir, "nanoff.log");
        _record = Path.Combine(_dir, "sl-0042.node");
        File.WriteAllText(_record, "ssid=Igoumenitsa-IoT\nbrokerHost=10.20.0.2\nsite=igoumenitsa\nnodeId=sl-0042\nsecret=" + Secret + "\n");
        _image = Path.Combine(_dir, "Edge.Firmware.Esp32.StreetLight.bin");
        File.WriteAllBytes(_image, new byte[4096]);
        string nanoff = Path.Combine(_dir, "bin", "nanoff");
        File.WriteAllText(nanoff, """
            #!/bin/sh
            line=""
            prev=""
            for a in "$@"; do
              line="$line$a|"
              if [ "$prev" = "--filedeployment" ]; then cp "$a" "$NANOFF_LOG.files.json"; fi
              prev="$a"
            done
            echo "$line" >> "$NANOFF_LOG"
            case "$line" in
              *--update*) exit "${NANOFF_UPDATE_EXIT:-0}" ;;
              *--deploy*) exit "${NANOFF_DEPLOY_EXIT:-0}" ;;
              *--filedeployment*) printf '%s\n' "${NANOFF_FILES_OUTPUT:-Deploying file OK}"; exit 0 ;;
              *--devicedetails*) printf '%s\n' "$NANOFF_DETAILS"; exit 0 ;;
            esac
            exit 0
            """.Replace("\r", ""));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(nanoff, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static readonly string Assemblies = string.Join("\n", "Managed assemblies:", "  mscorlib, 1.17.11.0", "  Edge.Firmware.Core, 1.0.0.0",
        "  Edge.Firmware.Esp32.Drivers, 1.0.0.0", "  Edge.Firmware.Esp32.StreetLight, 1.0.0.0");

    private CliResult Flash(Dictionary<string, string>? env, params string[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = Path.Combine(_dir, "bin") + ":/usr/bin:/bin",
            ["HOME"] = _dir,
            ["NANOFF_LOG"] = _log,
            ["NANOFF_DETAILS"] = Assemblies,
        };
        foreach (var pair in env ?? new()) environment[pair.Key] = pair.Value;
        var args = new[] { "node", "flash", "--serial", "/dev/ttyUSB7", "--type", "streetlight", "--record", _record, "--image", _image, "--verify-attempts", "1" }.Concat(extra).ToArray();
        return CliRunner.Run(new CliInvocation(args) { Environment = environment, WorkingDirectory = _dir });
    }

    private string[] Calls() => File.Exists(_log) ? File.ReadAllLines(_log) : Array.Empty<string>();

    private string[] Expected(string address = "0x1D0000", string? filesJson = null) => new[]
    {
        "--target|ESP32_REV3|--serialport|/dev/ttyUSB7|--update|",
        "--target|ESP32_REV3|--serialport|/dev/ttyUSB7|--deploy|--image|" + _image + "|--address|" + address + "|",
        "--target|ESP32_REV3|--serialport|/dev/ttyUSB7|--filedeployment|" + (filesJson ?? "") + "|",
        "--target|ESP32_REV3|--serialport|/dev/ttyUSB7|--devicedetails|",
    };

    [Fact]
    public void Flashes_firmware_app_at_the_deployment_partition_and_the_record_then_checks_the_assemblies()
    {
        var result = Flash(null);
        Assert.True(result.ExitCode == 0, result.ToString());
        var calls = Calls();
        Assert.Equal(4, calls.Length);
        string filesJson = calls[2].Split('|')[5];
        // 0x1D0000: the "deploy" partition (data, subtype 0x84) of the shipped 4 MB table.
        Assert.Equal(Expected(filesJson: filesJson), calls);
        // nanoff's file deployment JSON (nanoFirmwareFlasher FileDeploymentConfiguration): the record to I:\node.bin.
        var json = JsonDocument.Parse(File.ReadAllText(_log + ".files.json")).RootElement;
        Assert.Equal("/dev/ttyUSB7", json.GetProperty("SerialPort").GetString());
        var file = Assert.Single(json.GetProperty("Files").EnumerateArray());
        Assert.Equal(("I:\\node.bin", _record), (file.GetProperty("DestinationFilePath").GetString(), file.GetProperty("SourceFilePath").GetString()));
        Assert.False(File.Exists(filesJson), "the temporary JSON is removed");
        Assert.Contains("flashed sl-0042", result.StandardOutput);
        Assert.DoesNotContain(Secret, result.StandardOutput + result.StandardError);
    }

    [Fact]
    public void Dry_run_prints_the_exact_commands_and_the_file_deployment_json_and_runs_nothing()
    {
        var result = Flash(null, "--dry-run");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(Calls());
        string nanoff = Path.Combine(_dir, "bin", "nanoff");
        var lines = result.StandardOutput.Split('\n');
        Assert.StartsWith(nanoff + " --target ESP32_REV3 --serialport /dev/ttyUSB7 --update    # flash the nanoFramework firmware", lines[1]);
        Assert.StartsWith(nanoff + " --target ESP32_REV3 --serialport /dev/ttyUSB7 --deploy --image " + _image + " --address 0x1D0000    # deploy Edge.Firmware.Esp32.StreetLight at 0x1D0000", lines[2]);
        Assert.Matches("^" + System.Text.RegularExpressions.Regex.Escape(nanoff) + @" --target ESP32_REV3 --serialport /dev/ttyUSB7 --filedeployment /\S+/files\.json    # write the provisioning record of sl-0042", lines[3]);
        Assert.StartsWith(nanoff + " --target ESP32_REV3 --serialport /dev/ttyUSB7 --devicedetails    # must list Edge.Firmware.Esp32.StreetLight, Edge.Firmware.Esp32.Drivers, Edge.Firmware.Core", lines[4]);
        Assert.Contains("\"DestinationFilePath\": \"I:\\\\node.bin\"", result.StandardOutput);

        // Another firmware's table moves the address with it.
        string table = Path.Combine(_dir, "old.csv");
        File.WriteAllText(table, "nvs, data, nvs, 0x9000, 0x6000,\nfactory, app, factory, 0x10000, 0x180000,\ndeploy, data, 0x84, 0x190000, 0x1F0000,\n");
        var moved = Flash(null, "--dry-run", "--partition-table", table, "--skip-firmware");
        Assert.True(moved.ExitCode == 0, moved.ToString());
        Assert.Contains("--deploy --image " + _image + " --address 0x190000", moved.StandardOutput);
        Assert.DoesNotContain("--update", moved.StandardOutput);
    }

    [Fact]
    public void A_nanoff_failure_stops_at_that_step_with_what_to_try()
    {
        var busy = Flash(new() { ["NANOFF_UPDATE_EXIT"] = "4005" });
        Assert.True(busy.ExitCode == 1, busy.ToString());
        Assert.Single(Calls());
        // Unix keeps the low 8 bits of an exit status: nanoff's E4005 arrives as 165.
        Assert.Contains("could not flash the nanoFramework firmware (ESP32_REV3): nanoff exited 165 (E4005)", busy.StandardError);
        Assert.Contains("port busy", busy.StandardError);
        Assert.Contains("provisioned but not yet seen", busy.StandardError);

        File.Delete(_log);
        var chip = Flash(new() { ["NANOFF_DEPLOY_EXIT"] = "4000" });
        Assert.True(chip.ExitCode == 1, chip.ToString());
        Assert.Equal(2, Calls().Length);
        Assert.Contains("wrong chip for the target?", chip.StandardError);

        File.Delete(_log);
        var file = Flash(new() { ["NANOFF_FILES_OUTPUT"] = "Error deploying content file x to I:\\node.bin" });
        Assert.True(file.ExitCode == 1, file.ToString());
        Assert.Contains("nanoff exited 2003 — file deployment failed", file.StandardError);

        File.Delete(_log);
        var noDevice = Flash(new() { ["NANOFF_UPDATE_EXIT"] = "50" });
        Assert.True(noDevice.ExitCode == 1, noDevice.ToString());
        Assert.Contains("nanoff exited 50 (E9010) — no device found", noDevice.StandardError);
    }

    [Fact]
    public void A_device_that_does_not_list_the_app_fails_loudly()
    {
        var result = Flash(new() { ["NANOFF_DETAILS"] = "Managed assemblies:\n  mscorlib, 1.17.11.0" });
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("the device does not list Edge.Firmware.Esp32.StreetLight, Edge.Firmware.Esp32.Drivers, Edge.Firmware.Core after flashing", result.StandardError);
        Assert.Contains("outside the deployment partition", result.StandardError);
    }

    [Fact]
    public void Missing_nanoff_and_a_record_the_parser_rejects_are_refused_before_anything_runs()
    {
        File.Delete(Path.Combine(_dir, "bin", "nanoff"));
        var missing = Flash(null);
        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.Contains("nanoff was not found on PATH or in ~/.dotnet/tools: install it with `dotnet tool install -g nanoff`", missing.StandardError);

        File.WriteAllText(_record, "ssid=x\nbrokerHost=h\nsite=s\nnodeId=sl-0042\nsecret=" + Secret + "\nbrokerPort=99999\n");
        var bad = Flash(null, "--dry-run");
        Assert.True(bad.ExitCode == 1, bad.ToString());
        Assert.Contains("node: brokerPort: '99999' is not a port 1..65535", bad.StandardError);
        Assert.Empty(Calls());
    }
}
