using System;
using System.Device.Gpio;
using Edge.Firmware.Hydro;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// JSN-SR04T waterproof ultrasonic sensor in trigger/echo mode (module datasheet "JSN-SR04T-2.0/3.0", mode 1):
/// a ≥10 µs high pulse on TRIG starts a ping; ECHO then goes high for the round-trip time of flight.
/// Distance = time × speed of sound / 2 (343 m/s at 20 °C). Range 250–4500 mm; ~38 ms echo means nothing heard.
/// Timing is done from managed code by polling the echo pin against the system clock: nanoFramework has no
/// input-capture API, and each poll costs some tens of µs on an ESP32, so a reading is good to about ±1 cm.
/// The gauge takes the median of a burst of readings, which absorbs that jitter.
/// </summary>
public sealed class JsnSr04t : IDistanceSensor
{
    // Ticks are 100 ns. 343 m/s → 0.0343 mm per tick round trip, half of it one way: mm = ticks × 343 / 20000.
    private const long TimeoutTicks = 40 * TimeSpan.TicksPerMillisecond;

    private readonly GpioPin _trigger;
    private readonly GpioPin _echo;

    /// <param name="controller">The app's one GPIO controller.</param>
    /// <param name="triggerGpio">pins.json usTrigger.</param>
    /// <param name="echoGpio">pins.json usEcho (through the 5 V → 3.3 V divider).</param>
    public JsnSr04t(GpioController controller, int triggerGpio, int echoGpio)
    {
        _trigger = controller.OpenPin(triggerGpio, PinMode.Output);
        _trigger.Write(PinValue.Low);
        _echo = controller.OpenPin(echoGpio, PinMode.Input);
    }

    public int ReadDistanceMm()
    {
        // Two managed GPIO writes back to back already hold the pin high for more than the 10 µs required.
        _trigger.Write(PinValue.High);
        _trigger.Write(PinValue.Low);

        long start = DateTime.UtcNow.Ticks;
        long rise = start;
        while (_echo.Read() == PinValue.Low)
        {
            rise = DateTime.UtcNow.Ticks;
            if (rise - start > TimeoutTicks) return 0; // sensor not answering
        }
        long fall = rise;
        while (_echo.Read() == PinValue.High)
        {
            fall = DateTime.UtcNow.Ticks;
            if (fall - rise > TimeoutTicks) return 0; // no echo heard (or the clock was stepped by SNTP)
        }
        long width = fall - rise;
        if (width <= 0) return 0;
        return (int)(width * 343 / 20000);
    }
}
