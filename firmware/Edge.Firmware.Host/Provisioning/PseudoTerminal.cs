using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace Edge.Firmware.Host.Provisioning;

/// <summary>
/// A pseudo-terminal pair made in code (posix_openpt, Linux): the host node holds the master, as a device holds
/// its end of the USB serial bridge, and a peer (`edge node provision --serial`) opens the slave path like a
/// /dev/ttyUSB0. The slave is set raw (no echo, no line editing, no CR/LF translation: bytes pass as a UART passes
/// them) and kept open here, so the master neither reports a hang-up between two peers nor loses the raw setting.
/// No socat needed.
/// </summary>
public sealed class PseudoTerminal : IDisposable
{
    private const int ORdwr = 2, ONoctty = 0x100, PollIn = 1, TcsaNow = 0;
    private readonly int _master;
    private readonly int _slave;
    private readonly string? _link;
    private bool _disposed;

    private PseudoTerminal(int master, int slave, string slavePath, string? link)
    {
        _master = master;
        _slave = slave;
        SlavePath = slavePath;
        _link = link;
    }

    /// <summary>The device path a peer opens (/dev/pts/N).</summary>
    public string SlavePath { get; }

    /// <summary>The path to give peers: the symbolic link when one was asked for, else <see cref="SlavePath"/>.</summary>
    public string PeerPath => _link ?? SlavePath;

    /// <summary>Opens a pair; <paramref name="link"/>, when given, becomes a symbolic link to the slave (replaced if it exists).</summary>
    public static PseudoTerminal Open(string? link = null)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("pseudo-terminals are made with posix_openpt on Linux");
        int master = posix_openpt(ORdwr | ONoctty);
        if (master < 0) throw Error("posix_openpt");
        if (grantpt(master) != 0 || unlockpt(master) != 0) { close(master); throw Error("grantpt/unlockpt"); }
        var name = new byte[256];
        if (ptsname_r(master, name, name.Length) != 0) { close(master); throw Error("ptsname_r"); }
        string path = Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0));
        int slave = open(path, ORdwr | ONoctty);
        if (slave < 0) { close(master); throw Error("open " + path); }
        var termios = new byte[256]; // larger than struct termios on every Linux ABI; cfmakeraw edits it in place
        if (tcgetattr(slave, termios) != 0) { close(slave); close(master); throw Error("tcgetattr"); }
        cfmakeraw(termios);
        if (tcsetattr(slave, TcsaNow, termios) != 0) { close(slave); close(master); throw Error("tcsetattr"); }
        if (link != null)
        {
            if (File.Exists(link) || Directory.Exists(link) || new FileInfo(link).LinkTarget != null) File.Delete(link);
            File.CreateSymbolicLink(link, path);
        }
        return new PseudoTerminal(master, slave, path, link);
    }

    /// <summary>Reads what the peer wrote; 0 when nothing arrived within <paramref name="timeoutMs"/>.</summary>
    public int Read(byte[] buffer, int timeoutMs)
    {
        var fds = new[] { new PollFd { Fd = _master, Events = PollIn } };
        int ready = poll(fds, 1, timeoutMs);
        if (ready < 0)
        {
            if (Marshal.GetLastPInvokeError() == 4) return 0; // EINTR
            throw Error("poll");
        }
        if (ready == 0 || (fds[0].Revents & PollIn) == 0) return 0;
        int n = (int)read(_master, buffer, buffer.Length);
        if (n < 0) throw Error("read");
        return n;
    }

    /// <summary>Sends bytes to the peer.</summary>
    public void Write(byte[] buffer, int count)
    {
        int done = 0;
        while (done < count)
        {
            var chunk = new byte[count - done];
            Array.Copy(buffer, done, chunk, 0, chunk.Length);
            long n = (long)write(_master, chunk, chunk.Length);
            if (n < 0) throw Error("write");
            done += (int)n;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        close(_slave);
        close(_master);
        if (_link != null)
        {
            try { File.Delete(_link); } catch (IOException) { }
        }
    }

    private static Win32Exception Error(string call) => new(Marshal.GetLastPInvokeError(), call + " failed");

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc", SetLastError = true)] private static extern int posix_openpt(int flags);
    [DllImport("libc", SetLastError = true)] private static extern int grantpt(int fd);
    [DllImport("libc", SetLastError = true)] private static extern int unlockpt(int fd);
    [DllImport("libc", SetLastError = true)] private static extern int ptsname_r(int fd, byte[] buffer, nint length);
    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi)] private static extern int open([MarshalAs(UnmanagedType.LPStr)] string path, int flags);
    [DllImport("libc", SetLastError = true)] private static extern int tcgetattr(int fd, byte[] termios);
    [DllImport("libc")] private static extern void cfmakeraw(byte[] termios);
    [DllImport("libc", SetLastError = true)] private static extern int tcsetattr(int fd, int action, byte[] termios);
    [DllImport("libc", SetLastError = true)] private static extern int poll([In, Out] PollFd[] fds, nuint count, int timeoutMs);
    [DllImport("libc", SetLastError = true)] private static extern nint read(int fd, byte[] buffer, nint count);
    [DllImport("libc", SetLastError = true)] private static extern nint write(int fd, byte[] buffer, nint count);
    [DllImport("libc")] private static extern int close(int fd);
}
