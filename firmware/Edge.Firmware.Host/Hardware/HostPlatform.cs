using System;
using Microsoft.Extensions.Logging;

namespace Edge.Firmware.Host.Hardware;

/// <summary>
/// What the device's platform does (reboot, Wi-Fi reset), done the host way: a reboot restarts the node
/// object in-process (its storage survives, as flash would); there is no Wi-Fi to reset.
/// </summary>
public sealed class HostPlatform
{
    private readonly ILogger _logger;
    private readonly string _nodeId;
    private readonly Action<string> _restart;

    /// <param name="restart">Restarts the node with the given reset reason (protocol §7.4).</param>
    public HostPlatform(ILogger logger, string nodeId, Action<string> restart)
    {
        _logger = logger;
        _nodeId = nodeId;
        _restart = restart;
    }

    public int Reboots { get; private set; }
    public int WifiResets { get; private set; }

    public void Reboot(string reason)
    {
        Reboots++;
        _logger.LogWarning("{NodeId}: reboot ({Reason}); restarting the node in-process", _nodeId, reason);
        _restart(reason);
    }

    public void ResetWifi()
    {
        WifiResets++;
        _logger.LogInformation("{NodeId}: Wi-Fi reset requested (nothing to do on a host)", _nodeId);
    }
}
