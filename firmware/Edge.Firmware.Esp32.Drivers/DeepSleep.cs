using System;
using nanoFramework.Hardware.Esp32;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// Timer deep sleep for battery water nodes: the ESP32 powers down everything but the RTC (≈10 µA on a bare
/// module) and reboots into Main when the timer fires. RAM is lost: whatever must survive is in flash
/// (the gauge stores its state through IStorage) before this is called.
/// </summary>
public static class DeepSleep
{
    /// <summary>Sleeps until <paramref name="wakeAt"/> (Unix seconds); returns only if sleeping was refused.</summary>
    public static void Until(long now, long wakeAt, int minimumSeconds)
    {
        long seconds = wakeAt - now;
        if (seconds < minimumSeconds) seconds = minimumSeconds;
        Sleep.EnableWakeupByTimer(TimeSpan.FromTicks(seconds * TimeSpan.TicksPerSecond));
        Sleep.StartDeepSleep();
    }

    /// <summary>True when this boot is a timer wake-up from deep sleep rather than a power-on or reset.</summary>
    public static bool WokeByTimer()
    {
        return Sleep.GetWakeupCause() == Sleep.WakeupCause.Timer;
    }
}
