using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace Edge.Gateway.Tests.ExternalBroker;

/// <summary>
/// The site's own Mosquitto for one test, configured as docs/gateway.md tells an operator to (allow_anonymous false,
/// password_file and acl_file as exported by the gateway, persistence true), on a free loopback port in a temporary
/// directory. Restartable and reloadable (SIGHUP). The Debian service is never used.
/// Same approach as tests/Edge.Node.IntegrationTests/Mosquitto/MosquittoBroker.cs, but the credentials and ACL come
/// from the gateway's export instead of mosquitto_passwd.
/// </summary>
public sealed class SiteMosquitto : IAsyncDisposable
{
    readonly string _configPath;
    readonly string _logPath;
    Process? _process;

    SiteMosquitto(string directory, int port)
    {
        Directory = directory;
        Port = port;
        _configPath = Path.Combine(directory, "mosquitto.conf");
        _logPath = Path.Combine(directory, "mosquitto.log");
    }

    /// <summary>
    /// docs/gateway.md's value: the gateway's own largest publish, a 16384-byte config or display (protocol.md §13)
    /// on a topic of up to 128 bytes, plus 2 + 2 bytes of topic length and packet id and a 5-byte fixed header.
    /// </summary>
    public const int MaxPacketSize = 16521;

    public string Directory { get; }
    public int Port { get; }

    /// <summary>Where the gateway's export writes edge.passwd and edge.acl.</summary>
    public string ExportDirectory => Path.Combine(Directory, "edge");

    public string Log => File.Exists(_logPath) ? ReadShared(_logPath) : "";

    /// <summary>Writes the config; the broker starts with <see cref="StartAsync"/> once the exported files exist.</summary>
    public static SiteMosquitto Create()
    {
        var directory = Path.Combine(Path.GetTempPath(), "edge-site-mosquitto-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var broker = new SiteMosquitto(directory, TestGateway.FreePort());
        File.WriteAllText(broker._configPath, string.Join('\n',
            "per_listener_settings false",
            "allow_anonymous false",
            "password_file " + Path.Combine(broker.ExportDirectory, "edge.passwd"),
            "acl_file " + Path.Combine(broker.ExportDirectory, "edge.acl"),
            "listener " + broker.Port.ToString(CultureInfo.InvariantCulture) + " 127.0.0.1",
            "persistence true",
            // The gateway's session queues node messages while it is away: far more than the default 1000 (docs/gateway.md).
            "max_queued_messages 100000",
            // Bounds what any client, authenticated or not, makes Mosquitto buffer (docs/gateway.md).
            "max_packet_size " + MaxPacketSize.ToString(CultureInfo.InvariantCulture),
            "persistence_location " + directory + "/",
            "log_dest file " + broker._logPath,
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            // As root, mosquitto would switch to the `mosquitto` user, which cannot read this directory.
            "user " + Environment.UserName,
            ""));
        return broker;
    }

    public async Task StartAsync()
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException("mosquitto is already running");
        var start = new ProcessStartInfo(File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(_configPath);
        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start mosquitto");
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        await TestGateway.WaitUntilAsync(() => _process.HasExited || CanConnect(), "mosquitto listening on port " + Port);
        if (_process.HasExited) throw new InvalidOperationException("mosquitto exited with code " + _process.ExitCode + ":\n" + Log);
    }

    /// <summary>SIGHUP: Mosquitto re-reads the password and ACL files.</summary>
    public async Task ReloadAsync()
    {
        var reloadsBefore = Count(Log, "Reloading config");
        await Signal("-HUP");
        await TestGateway.WaitUntilAsync(() => Count(Log, "Reloading config") > reloadsBefore, "mosquitto to log its reload");
    }

    /// <summary>SIGTERM, as systemd stops it: Mosquitto writes its persistence file on the way out.</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            await Signal("-TERM");
            await TestGateway.WaitUntilAsync(() => _process.HasExited, "mosquitto to exit after SIGTERM");
        }
        _process.Dispose();
        _process = null;
    }

    async Task Signal(string signal)
    {
        using var kill = Process.Start("kill", new[] { signal, _process!.Id.ToString(CultureInfo.InvariantCulture) })!;
        await kill.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false }) _process.Kill();
        if (_process is not null) await _process.WaitForExitAsync();
        _process?.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    bool CanConnect()
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

    static int Count(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
