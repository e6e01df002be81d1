namespace Edge.Firmware.Runtime;

/// <summary>The battery voltage of a battery node, read through a divider on an ADC (ESP32: an ADC1 channel).</summary>
public interface IBatteryMonitor
{
    /// <summary>Battery voltage under load in millivolts; false when it could not be read.</summary>
    bool TryReadMillivolts(out int millivolts);
}
