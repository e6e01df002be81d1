using System;
using Edge.Firmware.Runtime;
using Microsoft.Extensions.Logging;

namespace Edge.Firmware.Host.Hardware;

/// <summary>
/// The board and network stack on a host: the network is always up; a reboot or deep sleep halts the
/// node and asks the host to start it again (a new node object on the same storage, as flash survives a
/// reboot); a Wi-Fi reset has nothing to reset and is only logged.
/// </summary>
public sealed class HostPlatform : IPlatform
{
    private readonly ILogger _logger;
    private readonly string _nodeId;
    private readonly Action<long> _restartAfterMs;

    /// <param name="restartAfterMs">Called when the node halts: start it again after this many (node clock) milliseconds.</param>
    public HostPlatform(ILogger logger, string nodeId, Action<long> restartAfterMs)
    {
        _logger = logger;
        _nodeId = nodeId;
        _restartAfterMs = restartAfterMs;
    }

    public int Reboots { get; private set; }
    public int NetworkResets { get; private set; }

    /// <summary>What the "chip" reports at start: power-on first, then software after an in-process reboot.</summary>
    public string ResetReason { get; private set; } = "power-on";

    public int Rssi => -55;

    public long FreeHeap => Math.Max(0, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes - GC.GetTotalMemory(false));

    public bool EnsureNetwork() => true;

    public void ResetNetwork()
    {
        NetworkResets++;
        _logger.LogInformation("{NodeId}: Wi-Fi reset requested (nothing to reset on a host)", _nodeId);
    }

    public void Reboot()
    {
        Reboots++;
        ResetReason = "software";
        _logger.LogWarning("{NodeId}: reboot; restarting the node in-process", _nodeId);
        _restartAfterMs(0);
    }

    public void DeepSleep(long seconds)
    {
        ResetReason = "deepsleep";
        _logger.LogInformation("{NodeId}: deep sleep for {Seconds} s", _nodeId, seconds);
        _restartAfterMs(seconds * 1000);
    }
}
