using System.Device.Adc;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// A voltage behind a resistor divider on an ESP32 ADC1 channel (battery, solar panel, supply). ADC1 only:
/// ADC2 is shared with the Wi-Fi radio and its reads fail while Wi-Fi is on (ESP32 technical reference,
/// ADC chapter; hardware/README.md). The pin map's adcChannel is the ADC1 channel number, which is what
/// nanoFramework's AdcController.OpenChannel takes on an ESP32. nanoFramework configures ESP32 channels with
/// 11 dB attenuation (about 0–3.1 V full scale); without per-chip eFuse calibration the reading is good to a
/// few percent, enough for battery state and charging detection.
/// </summary>
public sealed class AdcVoltage : IBatteryMonitor
{
    private readonly AdcChannel _channel;
    private readonly int _maxValue;
    private readonly int _fullScaleMillivolts;
    private readonly int _dividerTopOhm;
    private readonly int _dividerBottomOhm;

    public AdcVoltage(AdcController controller, int adc1Channel, int dividerTopOhm, int dividerBottomOhm, int fullScaleMillivolts = 3100)
    {
        if (adc1Channel < 0 || adc1Channel > 7)
            throw new System.ArgumentOutOfRangeException("adc1Channel", "ESP32 ADC1 has channels 0..7 (GPIO 36, 37, 38, 39, 32, 33, 34, 35)");
        _channel = controller.OpenChannel(adc1Channel);
        _maxValue = controller.MaxValue;
        _fullScaleMillivolts = fullScaleMillivolts;
        _dividerTopOhm = dividerTopOhm;
        _dividerBottomOhm = dividerBottomOhm;
    }

    /// <summary><see cref="IBatteryMonitor"/>: the average of 8 reads; false when the ADC throws (channel not available).</summary>
    public bool TryReadMillivolts(out int millivolts)
    {
        try
        {
            millivolts = ReadMillivolts(8);
            return true;
        }
        catch (System.Exception)
        {
            millivolts = 0;
            return false;
        }
    }

    /// <summary>Average of <paramref name="samples"/> reads, scaled back through the divider, in millivolts.</summary>
    public int ReadMillivolts(int samples = 8)
    {
        long sum = 0;
        for (int i = 0; i < samples; i++) sum += _channel.ReadValue();
        long pin = sum * _fullScaleMillivolts / ((long)_maxValue * samples);
        return (int)(pin * (_dividerTopOhm + _dividerBottomOhm) / _dividerBottomOhm);
    }
}
