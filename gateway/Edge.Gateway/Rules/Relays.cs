using System;
using System.Device.Gpio;

namespace Edge.Gateway.Rules;

/// <summary>A switched output (the siren/beacon relay). <see cref="Set"/> throws when the line cannot be driven.</summary>
public interface IRelay
{
    void Set(bool on);
}

/// <summary>
/// Opens relays on the configured driver (<c>Gateway:Rules:SirenDriver</c>). <see cref="Available"/> and
/// <see cref="Detail"/> report honestly whether the driver works on this machine: a gateway without GPIO says so in
/// /health, metrics and logs, and a rule's siren action then fails visibly — it is never faked.
/// </summary>
public interface IRelayFactory
{
    string Driver { get; }

    bool Available { get; }

    string? Detail { get; }

    IRelay Open(SirenAction siren);
}

/// <summary>System.Device.Gpio: a real GPIO line on a Raspberry Pi (libgpiod or sysfs, chosen by the library).</summary>
public sealed class GpioRelayFactory : IRelayFactory, IDisposable
{
    readonly GpioController? _controller;

    public GpioRelayFactory()
    {
        try
        {
            // GpioController picks the board's driver (libgpiod, else sysfs); on a machine without a GPIO chip it throws
            // (System.Device.Gpio 4.2: GpiodException "Exception while calling libgpiod"). Whatever it throws, the driver
            // is unavailable and says so.
            _controller = new GpioController();
            Available = true;
        }
        catch (Exception exception)
        {
            Detail = $"GPIO driver unavailable on this machine: {exception.GetType().Name}: {exception.Message}";
        }
    }

    public string Driver => "gpio";

    public bool Available { get; private set; }

    public string? Detail { get; private set; }

    public IRelay Open(SirenAction siren)
    {
        if (_controller is null) throw new InvalidOperationException($"GPIO driver unavailable: {Detail}");
        try
        {
            if (!_controller.IsPinOpen(siren.Gpio)) _controller.OpenPin(siren.Gpio, PinMode.Output, siren.ActiveHigh ? PinValue.Low : PinValue.High);
            return new GpioRelay(_controller, siren);
        }
        catch (Exception exception) when (exception is not InvalidOperationException)
        {
            Available = false;
            Detail = $"GPIO {siren.Gpio}: {exception.GetType().Name}: {exception.Message}";
            throw new InvalidOperationException(Detail, exception);
        }
    }

    public void Dispose() => _controller?.Dispose();

    sealed class GpioRelay(GpioController controller, SirenAction siren) : IRelay
    {
        public void Set(bool on) => controller.Write(siren.Gpio, on == siren.ActiveHigh ? PinValue.High : PinValue.Low);
    }
}

/// <summary><c>SirenDriver = none</c>: this gateway has no siren; a rule's siren action is reported as not possible.</summary>
public sealed class NoRelayFactory : IRelayFactory
{
    public string Driver => "none";

    public bool Available => false;

    public string? Detail => "no siren driver configured (Gateway:Rules:SirenDriver = none)";

    public IRelay Open(SirenAction siren) => throw new InvalidOperationException(Detail);
}
