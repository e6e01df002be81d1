using System;
using Edge.Firmware.Runtime;
using nanoFramework.Hardware.Esp32;
using nanoFramework.Networking;
using nanoFramework.Runtime.Native;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// <see cref="IPlatform"/> on an ESP32 running nanoFramework: Wi-Fi through <see cref="WifiJoin"/> (which resets
/// WifiNetworkHelper before every retry), reboot through <c>Power.RebootDevice</c>, timer deep sleep through
/// <c>Sleep.EnableWakeupByTimer</c> + <c>Sleep.StartDeepSleep</c>.
/// </summary>
public sealed class Esp32Platform : IPlatform
{
    private const int JoinTimeoutMs = 20000;
    private readonly WifiJoin _wifi;
    private bool _joined;

    public Esp32Platform(WifiJoin wifi)
    {
        _wifi = wifi;
        // nanoFramework 1.17 exposes no reset-reason API; a timer wake-up is the one cause it reports. The
        // runtime's own record (RebootRecord) supplies software and watchdog reboots.
        ResetReason = Sleep.GetWakeupCause() == Sleep.WakeupCause.Timer ? "power-on" : "unknown";
    }

    public bool EnsureNetwork()
    {
        // ESP-IDF rejoins by itself after an access-point restart (automatic reconnection): once joined, only a
        // lost station (status no longer ready) needs another ConnectDhcp. This blocks up to 20 s; the lamp and
        // the sensor keep their last state meanwhile and the watchdog allows 120 s.
        if (_joined && WifiNetworkHelper.Status == NetworkHelperStatus.NetworkIsReady) return true;
        _joined = _wifi.TryConnect(JoinTimeoutMs);
        return _joined;
    }

    public void ResetNetwork()
    {
        _joined = false;
        WifiNetworkHelper.Reset();
    }

    public void Reboot()
    {
        Power.RebootDevice();
    }

    public void DeepSleep(long seconds)
    {
        Sleep.EnableWakeupByTimer(TimeSpan.FromTicks(seconds * TimeSpan.TicksPerSecond));
        Sleep.StartDeepSleep();
    }

    public string ResetReason { get; }

    /// <summary>Not exposed by the pinned System.Device.Wifi facade: reported as unknown (0).</summary>
    public int Rssi { get { return 0; } }

    /// <summary>Runs the collector (nanoFramework reports free memory only that way); called for state, about hourly.</summary>
    public long FreeHeap { get { return nanoFramework.Runtime.Native.GC.Run(false); } }
}
