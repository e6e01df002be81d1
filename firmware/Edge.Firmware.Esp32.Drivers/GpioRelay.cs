using System.Device.Gpio;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary><see cref="IRelay"/> on a GPIO output (siren relay driver, status LED); off at start.</summary>
public sealed class GpioRelay : IRelay
{
    private readonly GpioPin _pin;
    private readonly bool _activeLow;

    public GpioRelay(GpioController controller, int gpio, bool activeLow)
    {
        _activeLow = activeLow;
        _pin = controller.OpenPin(gpio, PinMode.Output);
        Set(false);
    }

    public void Set(bool on)
    {
        _pin.Write(on != _activeLow ? PinValue.High : PinValue.Low);
    }
}
