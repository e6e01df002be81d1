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
        // Prints what nanoff prints (NanoffOutput names the nanoFirmwareFlasher source of each line): the progress bar
        // rewritten with carriage returns, "Error Ennnn: …" before a failing exit (whose status keeps the low 8 bits).
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
            echo ".NET nanoFramework Firmware Flasher v2.5.132"
            echo "Copyright (C) 2019 .NET Foundation and nanoFramework project contributors"
            echo ""
            partition() {
              printf '\rWriting at 0x%08X [>                             ]   0.0%% 0/%d bytes...' "$1" "$2"
              printf '\rWriting at 0x%08X [==============>               ]  50.0%% %d/%d bytes...' "$(($1 + $2 / 2))" "$(($2 / 2))" "$2"
              printf '\rWriting at 0x%08X [==============================] 100.0%% %d/%d bytes...' "$(($1 + $2))" "$2" "$2"
              printf '\r%79s\r' ""
              printf 'Wrote %d bytes at 0x%08X in 0.4 seconds (81.9 kbit/s).\n' "$2" "$1"
            }
            fail() {
              if [ -n "$2" ]; then echo "$2"; fi
              exit "$1"
            }
            case "$line" in
              *--update*)
                if [ "${NANOFF_UPDATE_EXIT:-0}" != 0 ]; then fail "$NANOFF_UPDATE_EXIT" "$NANOFF_UPDATE_ERROR"; fi
                echo "Flashing firmware..."
                partition 4096 16384
                partition 65536 1048576
                echo "Flashing firmware...OK"
                exit 0 ;;
              *--deploy*)
                if [ "${NANOFF_DEPLOY_EXIT:-0}" != 0 ]; then fail "$NANOFF_DEPLOY_EXIT" "$NANOFF_DEPLOY_ERROR"; fi
                printf 'Flashing deployment partition...'
                partition 1900544 4096
                echo "OK"
                exit 0 ;;
              *--filedeployment*) printf '%s\n' "$NANOFF_FILES_OUTPUT"; exit 0 ;;
              *--devicedetails*) printf '%s\n' "$NANOFF_DETAILS"; exit 0 ;;
            esac
            exit 0
            """.Replace("\r\n", "\n"));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(nanoff, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>nanoff --nanodevice --devicedetails of a flashed street light (nf-debugger NanoFrameworkDeviceInfo.ToString).</summary>
    private static string Details(params string[] managed) => string.Join("\n", new[]
    {
        "Getting details from nano device...OK", "",
        "HAL build info: nanoCLR running @ ESP32 built with ESP-IDF v5.2.3", "  Target:   ESP32_REV3", "  Platform: ESP32", "",
        "Firmware build Info:", "  Date:        Jul 28 2026", "  Type:        MinSizeRel build, chip rev. >= 3, support for PSRAM",
        "  CLR Version: 1.12.1.40", "  Compiler:    GNU ARM GCC v13.2.0", "",
        "OEM Product codes (vendor, model, SKU): 0, 0, 0", "",
        "Serial Numbers (module, system):", "  00000000000000000000000000000000", "  0000000000000000", "",
        "Target capabilities:", "  Has nanoBooter: NO", "  IFU capable: NO", "  Has proprietary bootloader: YES", "",
        "AppDomains:", "  default, id=1", "",
        "Assemblies:",
    }.Concat(managed.Select(a => "  " + a)).Concat(new[]
    {
        "",
        "Native Assemblies:", "  mscorlib v100.5.0.24, checksum 0x445C7AF9", "  nanoFramework.Runtime.Native v100.0.10.0, checksum 0x109F6F22",
        "  Edge.Firmware.Esp32.Drivers v1.0.0.0, checksum 0x00000000",
    }));

    private static readonly string Assemblies = Details("Edge.Firmware.Esp32.StreetLight, 1.0.0.0", "Edge.Firmware.Esp32.Drivers, 1.0.0.0",
        "Edge.Firmware.Core, 1.0.0.0", "mscorlib, 1.17.11.0");

    private CliResult Flash(Dictionary<string, string>? env, params string[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = Path.Combine(_dir, "bin") + ":/usr/bin:/bin",
            ["HOME"] = _dir,
            ["NANOFF_LOG"] = _log,
            ["NANOFF_DETAILS"] = Assemblies,
            ["NANOFF_FILES_OUTPUT"] = "Deploying file " + _record + " to I:\\node.bin...OK",
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
        // The wire-protocol steps name no --target: nanoff would take them for an ESP32 flash (and reset into the bootloader).
        "--serialport|/dev/ttyUSB7|--filedeployment|" + (filesJson ?? "") + "|",
        "--nanodevice|--serialport|/dev/ttyUSB7|--devicedetails|",
    };

    [Fact]
    public void Flashes_firmware_app_at_the_deployment_partition_and_the_record_then_checks_the_assemblies()
    {
        var result = Flash(null);
        Assert.True(result.ExitCode == 0, result.ToString());
        var calls = Calls();
        Assert.Equal(4, calls.Length);
        string filesJson = calls[2].Split('|')[3];
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

        // Redirected output: one line per step, then each quarter of a partition as nanoff's progress bar reports it.
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new[]
        {
            "[1/4] flash the nanoFramework firmware (ESP32_REV3) …",
            "  nanoff: writing from 0x1000, 50 %", "  nanoff: writing from 0x1000, 100 %",
            "  nanoff: writing from 0x10000, 50 %", "  nanoff: writing from 0x10000, 100 %",
            "[2/4] deploy Edge.Firmware.Esp32.StreetLight at 0x1D0000 (partition 'deploy' of " + Path.Combine(Path.GetDirectoryName(CliRunner.EdgeDll)!, "hardware", "esp32", "partitions-4mb.csv") + ") …",
            "  nanoff: writing from 0x1D0000, 50 %", "  nanoff: writing from 0x1D0000, 100 %",
            "[3/4] write the provisioning record of sl-0042 to I:\\node.bin …",
            "[4/4] wait for the device and check it lists Edge.Firmware.Esp32.StreetLight, Edge.Firmware.Esp32.Drivers, Edge.Firmware.Core …",
        }, lines[..^1]);
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
        Assert.Matches("^" + System.Text.RegularExpressions.Regex.Escape(nanoff) + @" --serialport /dev/ttyUSB7 --filedeployment /\S+/files\.json    # write the provisioning record of sl-0042", lines[3]);
        Assert.StartsWith(nanoff + " --nanodevice --serialport /dev/ttyUSB7 --devicedetails    # must list Edge.Firmware.Esp32.StreetLight, Edge.Firmware.Esp32.Drivers, Edge.Firmware.Core", lines[4]);
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
        var busy = Flash(new() { ["NANOFF_UPDATE_EXIT"] = "4005", ["NANOFF_UPDATE_ERROR"] = "Error E4005: Failed to open specified COM port." });
        Assert.True(busy.ExitCode == 1, busy.ToString());
        Assert.Single(Calls());
        // Unix keeps the low 8 bits of an exit status: nanoff's E4005 arrives as 165.
        Assert.Contains("could not flash the nanoFramework firmware (ESP32_REV3): nanoff exited 165 (E4005)", busy.StandardError);
        Assert.Contains("port busy", busy.StandardError);
        Assert.Contains("(nanoff said: .NET nanoFramework Firmware Flasher v2.5.132 | Copyright (C) 2019 .NET Foundation and nanoFramework project contributors | Error E4005: Failed to open specified COM port.)", busy.StandardError);
        Assert.Contains("provisioned but not yet seen", busy.StandardError);

        File.Delete(_log);
        var chip = Flash(new() { ["NANOFF_DEPLOY_EXIT"] = "4000", ["NANOFF_DEPLOY_ERROR"] = "Error E4000: Error executing ESP32 serial command. (Unsupported chip)" });
        Assert.True(chip.ExitCode == 1, chip.ToString());
        Assert.Equal(2, Calls().Length);
        Assert.Contains("nanoff exited 160 (E4000) — the ESP32 serial command failed (wrong chip for the target?", chip.StandardError);

        // E9000 (9000 & 0xFF = 40), a code the old list did not know.
        File.Delete(_log);
        var arguments = Flash(new() { ["NANOFF_UPDATE_EXIT"] = "9000", ["NANOFF_UPDATE_ERROR"] = "Error E9000: Invalid or missing arguments. (Incompatible options combined with --nanodevice.)" });
        Assert.True(arguments.ExitCode == 1, arguments.ToString());
        Assert.Contains("nanoff exited 40 (E9000) — nanoff refused its arguments", arguments.StandardError);

        // At minimal verbosity nanoff prints no message, only the status.
        File.Delete(_log);
        var noDevice = Flash(new() { ["NANOFF_UPDATE_EXIT"] = "50" });
        Assert.True(noDevice.ExitCode == 1, noDevice.ToString());
        Assert.Contains("nanoff exited 50 (E9010) — no device found", noDevice.StandardError);
    }

    [Fact]
    public void A_file_the_device_refuses_fails_the_flash_although_nanoff_exits_0()
    {
        // FileDeploymentManager: the device answered AddStorageFile with an error.
        string started = "Deploying file " + _record + " to I:\\node.bin...";
        var refused = Flash(new() { ["NANOFF_FILES_OUTPUT"] = started + "\nError deploying content file " + _record + " to I:\\node.bin" });
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Equal(3, Calls().Length);
        Assert.Contains("could not write the provisioning record of sl-0042 to I:\\node.bin: the device refused I:\\node.bin (Error deploying content file " + _record + " to I:\\node.bin)", refused.StandardError);
        Assert.Contains("provisioned but not yet seen", refused.StandardError);

        // An exception at quiet verbosity: the line starts and nothing follows.
        File.Delete(_log);
        var silent = Flash(new() { ["NANOFF_FILES_OUTPUT"] = started });
        Assert.True(silent.ExitCode == 1, silent.ToString());
        Assert.Contains("nanoff did not confirm I:\\node.bin", silent.StandardError);
    }

    [Fact]
    public void A_device_that_does_not_list_the_app_fails_loudly()
    {
        // The app's image missed the deployment partition: nanoCLR runs with mscorlib alone. A native assembly of
        // the same name does not count, only the managed "Assemblies:" section.
        var result = Flash(new() { ["NANOFF_DETAILS"] = Details("mscorlib, 1.17.11.0") });
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
