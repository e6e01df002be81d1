using System.Collections.Generic;

namespace Edge.Cli.Tests;

/// <summary>Every installer command explains itself with --help, and refuses wrong usage with exit 2 without signing in.</summary>
public sealed class NodeCommandHelpTests
{
    public static IEnumerable<object[]> Commands() => new[]
    {
        new object[] { new[] { "login" }, "--token-stdin" },
        new object[] { new[] { "logout" }, "logout" },
        new object[] { new[] { "node", "provision" }, "--wifi-password-stdin" },
        new object[] { new[] { "node", "flash" }, "--partition-table" },
        new object[] { new[] { "node", "commission" }, "--measured-mm" },
        new object[] { new[] { "node", "label" }, "--base-url" },
        new object[] { new[] { "node", "status" }, "--pole" },
        new object[] { new[] { "node" }, "provision" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Help_describes_the_command_and_its_options(string[] command, string option)
    {
        var result = CliRunner.Run(new CliInvocation(new List<string>(command) { "--help" }));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(option, result.StandardOutput);
        Assert.Contains("edge " + string.Join(" ", command), result.StandardOutput);
    }

    [Fact]
    public void Wrong_usage_is_exit_2_before_any_sign_in_is_needed()
    {
        var home = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "edge-no-config-" + System.Guid.NewGuid().ToString("N")[..8]);
        var env = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = home };
        var both = CliRunner.Run(new CliInvocation(new[] { "node", "provision", "sl-1", "--ssid", "x", "--broker-host", "h", "--out", "a", "--serial", "/dev/ttyUSB0" }) { Environment = env });
        Assert.True(both.ExitCode == 2, both.ToString());
        Assert.Contains("exactly one of --out <file> and --serial <device>", both.StandardError);
        var noLogin = CliRunner.Run(new CliInvocation(new[] { "node", "status", "sl-1" }) { Environment = env });
        Assert.True(noLogin.ExitCode == 1, noLogin.ToString());
        Assert.Contains("not signed in: run `edge login --url <cloud> --user <name>` first", noLogin.StandardError);
    }
}
