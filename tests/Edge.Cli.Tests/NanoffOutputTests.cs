using System;
using Edge.Cli.Flash;

namespace Edge.Cli.Tests;

/// <summary>
/// <see cref="NanoffOutput"/> against lines in the exact shapes nanoff's source writes them (nanoFirmwareFlasher
/// EspTool.WriteProgressBar, Program.OutputError, FileDeploymentManager; nf-debugger NanoFrameworkDeviceInfo).
/// </summary>
public sealed class NanoffOutputTests
{
    [Fact]
    public void Progress_lines_give_the_address_and_nanoffs_percentage()
    {
        // $"\rWriting at 0x{address:X8} [" + bar + $"] {pct,5:F1}% {sent}/{total} bytes...", padded to the terminal width.
        Assert.Equal(new NanoffProgress(0x001D0800, 50.0), NanoffOutput.Progress("Writing at 0x001D0800 [==============>               ]  50.0% 2048/4096 bytes...          "));
        Assert.Equal(new NanoffProgress(0x00001000, 0.0), NanoffOutput.Progress("Writing at 0x00001000 [>                             ]   0.0% 0/16384 bytes..."));
        Assert.Equal(new NanoffProgress(0x00110000, 100.0), NanoffOutput.Progress("Writing at 0x00110000 [==============================] 100.0% 1048576/1048576 bytes..."));
        Assert.Null(NanoffOutput.Progress("Wrote 4096 bytes at 0x001D0000 in 0.4 seconds (81.9 kbit/s)."));
        Assert.Null(NanoffOutput.Progress("Flashing deployment partition..."));
    }

    [Fact]
    public void The_printed_error_code_is_the_whole_code()
    {
        Assert.Equal(4005, NanoffOutput.ReportedCode("Flashing firmware...\nError E4005: Failed to open specified COM port.\n"));
        Assert.Equal(2003, NanoffOutput.ReportedCode("Error E2003: Error executing file deployment on nano device. (Access denied)"));
        // Minimal verbosity: the code alone on its line.
        Assert.Equal(9010, NanoffOutput.ReportedCode("E9010\n"));
        Assert.Null(NanoffOutput.ReportedCode("Deploying file /tmp/sl.node to I:\\node.bin...OK\n"));
        Assert.Null(NanoffOutput.ReportedCode("  Edge.Firmware.Core, 1.0.0.0\n"));
    }

    [Fact]
    public void File_deployment_passes_only_with_OK_after_each_file()
    {
        var files = new[] { ("/tmp/a.node", "I:\\node.bin"), ("/tmp/b.bin", "I:\\b.bin") };
        Assert.Null(NanoffOutput.FileDeploymentFailure("Deploying file /tmp/a.node to I:\\node.bin...OK\nDeploying file /tmp/b.bin to I:\\b.bin...OK\n", files));
        Assert.Equal("the device refused I:\\b.bin (Error deploying content file /tmp/b.bin to I:\\b.bin)", NanoffOutput.FileDeploymentFailure(
            "Deploying file /tmp/a.node to I:\\node.bin...OK\nDeploying file /tmp/b.bin to I:\\b.bin...\nError deploying content file /tmp/b.bin to I:\\b.bin\n", files));
        Assert.Equal("nanoff did not confirm I:\\node.bin (Exception deploying content file /tmp/a.node to I:\\node.bin)", NanoffOutput.FileDeploymentFailure(
            "Deploying file /tmp/a.node to I:\\node.bin...\nException deploying content file /tmp/a.node to I:\\node.bin\nDeploying file /tmp/b.bin to I:\\b.bin...OK\n", files));
        Assert.Equal("nanoff did not start deploying /tmp/a.node to I:\\node.bin", NanoffOutput.FileDeploymentFailure("Error E2002: Error executing operation with nano device.\n", files));
    }

    [Fact]
    public void Managed_assemblies_are_the_assemblies_section_only()
    {
        string details = string.Join("\r\n", "AppDomains:", "  default, id=1", "", "Assemblies:", "  Edge.Firmware.Esp32.WaterLevel, 1.0.0.0",
            "  Edge.Firmware.Core, 1.0.0.0", "  mscorlib, 1.17.11.0", "", "Native Assemblies:", "  nanoFramework.Hardware.Esp32 v100.0.7.3, checksum 0xBE7FF253", "");
        Assert.Equal(new[] { "Edge.Firmware.Esp32.WaterLevel", "Edge.Firmware.Core", "mscorlib" }, NanoffOutput.ManagedAssemblies(details));
        // A device in nanoBooter (or one nanoff could not read) has no such section.
        Assert.Empty(NanoffOutput.ManagedAssemblies("DeviceInfo is not valid!"));
    }
}
