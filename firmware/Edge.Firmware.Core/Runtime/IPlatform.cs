namespace Edge.Firmware.Runtime;

/// <summary>What the runtime needs from the board and its network stack besides MQTT.</summary>
public interface IPlatform
{
    /// <summary>Brings up Wi-Fi (or checks the wired link) and DHCP; false when that failed (protocol §4.1 step 1).</summary>
    bool EnsureNetwork();

    /// <summary>Resets the Wi-Fi stack after repeated failures (protocol §4.5; nanoFramework: WifiNetworkHelper.Reset()).</summary>
    void ResetNetwork();

    /// <summary>Restarts the firmware. On a device it does not return.</summary>
    void Reboot();

    /// <summary>Deep-sleeps for <paramref name="seconds"/> (battery nodes). On a device it does not return.</summary>
    void DeepSleep(long seconds);

    /// <summary>Why the chip last started as the hardware reports it: power-on, brownout, panic, watchdog, software, unknown.</summary>
    string ResetReason { get; }

    /// <summary>Wi-Fi RSSI in dBm, 0 when unknown.</summary>
    int Rssi { get; }

    /// <summary>Free managed heap in bytes.</summary>
    long FreeHeap { get; }
}
