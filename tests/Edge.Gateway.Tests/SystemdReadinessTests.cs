using System;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Gateway.Tests;

/// <summary>
/// deploy/edge-gateway.service runs the gateway with <c>Type=notify</c>: systemd counts it started only when it
/// sends <c>READY=1</c> to the datagram socket named by <c>NOTIFY_SOCKET</c>, and units ordered after it rely on
/// that. The test plays systemd: it binds that socket and starts the gateway process under a parent process named
/// <c>systemd</c> (how the host recognises a systemd service), then checks that READY=1 arrives and that nodes
/// can connect by then, and that a SIGTERM (systemctl stop) is announced with STOPPING=1.
/// </summary>
public sealed class SystemdReadinessTests
{
    [Fact]
    public async Task The_gateway_tells_systemd_it_is_ready_once_nodes_can_connect_and_that_it_is_stopping_on_SIGTERM()
    {
        var dir = TestGateway.NewTempDir();
        var socketPath = Path.Combine(dir, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));
        // A copy of the shell named "systemd" is the gateway's parent, as systemd is for a real service.
        var systemd = Path.Combine(dir, "systemd");
        File.Copy("/bin/sh", systemd); // keeps its execute permission
        var mqttPort = TestGateway.FreePort();
        var httpPort = TestGateway.FreePort();
        var info = new ProcessStartInfo(systemd) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("dotnet \"$0\" --data-dir \"$1\" --port \"$2\" --bind 127.0.0.1 --http-port \"$3\" --uplink none & echo $!; wait");
        foreach (var arg in new[] { GatewayProcess.GatewayDll, Path.Combine(dir, "data"), mqttPort.ToString(), httpPort.ToString() }) info.ArgumentList.Add(arg);
        info.Environment["NOTIFY_SOCKET"] = socketPath;
        using var parent = Process.Start(info)!;
        var gatewayPid = int.Parse((await parent.StandardOutput.ReadLineAsync())!);
        using var gateway = Process.GetProcessById(gatewayPid);
        try
        {
            var ready = await ReceiveAsync(notify, "READY=1");
            Assert.Contains("READY=1", ready);
            // Ready means ready: the broker accepts connections by the time systemd hears it.
            using (var client = new TcpClient())
            {
                await client.ConnectAsync("127.0.0.1", mqttPort);
                Assert.True(client.Connected);
            }

            using (var kill = Process.Start("kill", ["-TERM", gatewayPid.ToString()])) await kill.WaitForExitAsync();
            var stopping = await ReceiveAsync(notify, "STOPPING=1");
            Assert.Contains("STOPPING=1", stopping);
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await gateway.WaitForExitAsync(exited.Token);
        }
        finally
        {
            if (!gateway.HasExited) gateway.Kill();
            if (!parent.HasExited) parent.Kill();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Datagrams until one contains <paramref name="expected"/>; a hang guard of 60 s, not a timing assertion.</summary>
    static async Task<string> ReceiveAsync(Socket socket, string expected)
    {
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[4096];
        while (true)
        {
            var count = await socket.ReceiveAsync(buffer, SocketFlags.None, hang.Token);
            var message = Encoding.UTF8.GetString(buffer, 0, count);
            if (message.Contains(expected, StringComparison.Ordinal)) return message;
        }
    }
}
