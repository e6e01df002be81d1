using System.Device.Pwm;
using Edge.Firmware.Lighting;
using nanoFramework.Hardware.Esp32;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// The lamp driver's dim input on an ESP32 LEDC channel. The GPIO matrix must route a PWM signal to the pin
/// before the channel opens (<c>Configuration.SetPinFunction</c>), otherwise nanoFramework refuses the pin.
/// </summary>
public sealed class PwmDimmer : IPwmOutput
{
    private readonly PwmChannel _channel;
    private readonly bool _inverted;
    private float _last = -1f;

    /// <param name="gpio">Pin from the board's pin map (pins.json "pwm.pin").</param>
    /// <param name="frequencyHz">pins.json "pwm.frequencyHz": what the driver's dim interface accepts.</param>
    /// <param name="inverted">True when an optocoupler stage inverts the signal (pins.json "pwm.inverted").</param>
    public PwmDimmer(int gpio, int frequencyHz, bool inverted)
    {
        _inverted = inverted;
        Configuration.SetPinFunction(gpio, DeviceFunction.PWM1);
        // Start dark: an inverted stage needs a 100 % duty cycle on the pin for 0 % light.
        _channel = PwmChannel.CreateFromPin(gpio, frequencyHz, inverted ? 1.0 : 0.0);
        _channel.Start();
    }

    public void SetDutyCycle(float duty)
    {
        if (duty < 0f) duty = 0f;
        if (duty > 1f) duty = 1f;
        // The controller calls this every tick; the LEDC register is only touched when the level changes.
        if (duty == _last) return;
        _last = duty;
        _channel.DutyCycle = _inverted ? 1.0 - duty : duty;
    }
}
