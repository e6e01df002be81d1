namespace Edge.Firmware.Lighting;

/// <summary>The lamp driver's dimming input: a PWM channel on an ESP32, a virtual lamp in the host build.</summary>
public interface IPwmOutput
{
    /// <summary>Sets the duty cycle, 0 (off) to 1 (full).</summary>
    void SetDutyCycle(float duty);
}
