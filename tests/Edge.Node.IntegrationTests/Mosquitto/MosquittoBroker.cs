using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;

namespace Edge.Node.IntegrationTests.Mosquitto;

/// <summary>
/// A real Mosquitto broker for one test: its own config, password file (made with mosquitto_passwd) and
/// ACL file in a temporary directory, on a free loopback port. It can be stopped and started again on the
/// same port with the same persistence file, so retained messages survive a restart as on a gateway.
/// The Debian service is never used.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    public const string GatewayUser = "gateway";
    public const string GatewayPassword = "gateway-secret-for-tests";

    private readonly string _directory;
    private readonly string _configPath;
    private readonly string _logPath;
    private Process? _process;

    private MosquittoBroker(string directory, int port)
    {
        _directory = directory;
        Port = port;
        _configPath = Path.Combine(directory, "mosquitto.conf");
        _logPath = Path.Combine(directory, "mosquitto.log");
    }

    public string Host => "127.0.0.1";
    public int Port { get; }
    public string Directory => _directory;
    public bool Running => _process is { HasExited: false };

    /// <summary>The broker's log so far (for failure messages).</summary>
    public string Log => File.Exists(_logPath) ? ReadShared(_logPath) : "";

    /// <summary>Starts a broker with the gateway user plus <paramref name="nodes"/> (each limited to its own subtree, protocol §2.4).</summary>
    public static async Task<MosquittoBroker> StartAsync(params NodeAccount[] nodes)
    {
        string dir = Path.Combine(Path.GetTempPath(), "edge-mosquitto-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        var broker = new MosquittoBroker(dir, FreePort());
        await broker.WriteFilesAsync(nodes);
        await broker.StartAsync();
        return broker;
    }

    public async Task StartAsync()
    {
        if (Running) throw new InvalidOperationException("mosquitto is already running");
        var start = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(_configPath);
        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start mosquitto");
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        await Wait.Until(() => _process.HasExited || CanConnect(), "mosquitto listening on port " + Port);
        if (_process.HasExited) throw new InvalidOperationException("mosquitto exited with code " + _process.ExitCode + ":\n" + Log);
    }

    /// <summary>Stops the broker as systemd would (SIGTERM): it saves retained messages to its persistence file.</summary>
    public async Task StopAsync()
    {
        if (_process == null) return;
        if (!_process.HasExited)
        {
            // Process.Kill sends SIGKILL, which would skip saving the database: ask politely first.
            using (var kill = Process.Start("kill", new[] { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })) await kill!.WaitForExitAsync();
            await Wait.Until(() => _process.HasExited, "mosquitto to exit after SIGTERM");
        }
        _process.Dispose();
        _process = null;
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process != null && !_process.HasExited) _process.Kill();
        if (_process != null) await _process.WaitForExitAsync();
        _process?.Dispose();
        try { System.IO.Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private async Task WriteFilesAsync(NodeAccount[] nodes)
    {
        string passwd = Path.Combine(_directory, "passwd");
        string acl = Path.Combine(_directory, "acl");
        await RunAsync("mosquitto_passwd", "-b", "-c", passwd, GatewayUser, GatewayPassword);
        var aclText = new StringBuilder();
        aclText.Append("# The gateway relays for every node.\nuser ").Append(GatewayUser).Append("\ntopic readwrite edge/#\n");
        foreach (NodeAccount node in nodes)
        {
            await RunAsync("mosquitto_passwd", "-b", passwd, node.NodeId, node.Secret);
            // docs/protocol.md §2.4: publish telemetry/event/state/cmd/ack, subscribe config/cmd/display/time.
            string root = "edge/" + node.Site + "/" + node.NodeId + "/";
            aclText.Append("\nuser ").Append(node.NodeId).Append('\n');
            foreach (string leaf in new[] { "telemetry", "event", "state", "cmd/ack" }) aclText.Append("topic write ").Append(root).Append(leaf).Append('\n');
            foreach (string leaf in new[] { "config", "cmd", "display", "time" }) aclText.Append("topic read ").Append(root).Append(leaf).Append('\n');
        }
        await File.WriteAllTextAsync(acl, aclText.ToString());

        string config = string.Join('\n', new[]
        {
            "per_listener_settings false",
            "allow_anonymous false",
            "password_file " + passwd,
            "acl_file " + acl,
            "listener " + Port + " 127.0.0.1",
            "persistence true",
            "persistence_location " + _directory + "/",
            "log_dest file " + _logPath,
            "log_type all",
            // Run as whoever runs the tests (as root, mosquitto would otherwise switch to the `mosquitto`
            // user, which cannot write this directory).
            "user " + Environment.UserName,
            "",
        });
        await File.WriteAllTextAsync(_configPath, config);
    }

    /// <summary>The broker binary: Debian installs it in /usr/sbin, which is not on every PATH.</summary>
    private static string Executable => File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";

    internal static async Task<string> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in args) start.ArgumentList.Add(a);
        using Process p = Process.Start(start) ?? throw new InvalidOperationException("could not start " + program);
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException(program + " " + string.Join(' ', args) + " exited with " + p.ExitCode + ": " + await stderr + await stdout);
        return await stdout;
    }

    private bool CanConnect()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>A node's broker account: user name = node id, password = its secret (protocol §2.2).</summary>
public sealed record NodeAccount(string Site, string NodeId, string Secret)
{
    public string Topic(string leaf) => "edge/" + Site + "/" + NodeId + "/" + leaf;
}
