using System;

namespace Edge.Firmware.Lighting;

/// <summary>
/// The faults <see cref="LampMonitor"/> detects from power readings. Flags, so the monitor can report
/// every fault that is active at once in one value (<see cref="LampMonitor.ActiveFaults"/>).
/// </summary>
[Flags]
public enum LampFault
{
    None = 0,
    /// <summary>Should be lit, but draws far less power than the commanded level needs.</summary>
    LampFailure = 1,
    /// <summary>Should be off, but is lit (draws power): a stuck relay or a driver that ignores the command.</summary>
    DayBurner = 2,
    /// <summary>Goes on and off by itself although the command did not change (end-of-life HPS lamps, loose contacts).</summary>
    Cycling = 4,
    /// <summary>Lit, but its power does not follow the commanded dimming level.</summary>
    DimmingFailure = 8,
    /// <summary>The supply voltage is missing or far too low.</summary>
    SupplyLoss = 16,
}
