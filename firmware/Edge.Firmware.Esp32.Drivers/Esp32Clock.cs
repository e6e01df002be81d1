using System;
using Edge.Firmware.Runtime;
using nanoFramework.Runtime.Native;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// <see cref="IClock"/> on an ESP32: the monotonic counter is <c>Environment.TickCount64</c> (milliseconds since the
/// chip started; nanoFramework ships it in nanoFramework.Runtime.Native), the wall clock is the RTC behind
/// <c>DateTime.UtcNow</c>, set with <c>Rtc.SetSystemTime</c>. The RTC keeps running through software resets and
/// deep sleep, so "set" is judged by a plausible date rather than by a flag lost at every start.
/// </summary>
public sealed class Esp32Clock : IClock
{
    private static readonly long UnixEpochTicks = new DateTime(1970, 1, 1).Ticks;

    public long MonotonicMs { get { return Environment.TickCount64; } }

    public long UtcSeconds { get { return SntpTime.UnixSeconds(); } }

    public bool IsSet { get { return SntpTime.IsSet(); } }

    public void SetUtc(long utcSeconds, int milliseconds)
    {
        // The RTC takes whole seconds (Rtc.SetSystemTime has no sub-second part).
        Rtc.SetSystemTime(new DateTime(UnixEpochTicks + utcSeconds * TimeSpan.TicksPerSecond));
    }
}
