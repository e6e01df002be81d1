using System;
using System.Diagnostics;
using System.Text;
using System.Threading;
using Edge.Firmware.Provisioning;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Host.Provisioning;

/// <summary>
/// The host node's serial provisioning: the very session an ESP32 runs on its UART
/// (<see cref="SerialProvisioningSession"/>), served on a <see cref="PseudoTerminal"/> until a peer commits a
/// record and asks for a reboot. The idle timeout runs on a monotonic clock.
/// </summary>
public sealed class PtyProvisioning : IProvisioningReply
{
    private readonly PseudoTerminal _pty;

    public PtyProvisioning(PseudoTerminal pty) => _pty = pty;

    public void WriteLine(string line)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(line + "\n");
        _pty.Write(bytes, bytes.Length);
    }

    /// <summary>Serves sessions until one ends with REBOOT (true) or <paramref name="stop"/> fires (false).</summary>
    public bool ServeUntilReboot(IStorage storage, string board, string firmware, string type, CancellationToken stop)
    {
        var session = new SerialProvisioningSession(storage, this, board, firmware, type);
        var buffer = new byte[256];
        var clock = Stopwatch.StartNew();
        while (!session.RebootRequested)
        {
            if (stop.IsCancellationRequested) return false;
            int n = _pty.Read(buffer, 200);
            if (n > 0) session.Feed(buffer, 0, n, clock.ElapsedMilliseconds);
            else session.Poll(clock.ElapsedMilliseconds);
        }
        return true;
    }
}
