using System;
using System.Device.Gpio;
using System.Device.Spi;
using System.Threading;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>An <see cref="IEpdBus"/> on the ESP32's SPI controller and three GPIO pins (pins.json epd*).</summary>
public sealed class SpiEpdBus : IEpdBus
{
    private readonly SpiDevice _spi;
    private readonly GpioPin _dc;
    private readonly GpioPin _reset;
    private readonly GpioPin _busy;
    private readonly byte[] _one = new byte[1];

    /// <param name="spiBus">pins.json "spi.bus".</param>
    /// <param name="csGpio">pins.json epdCs (the SPI driver drives it).</param>
    /// <param name="clockHz">pins.json "spi.frequencyHz".</param>
    public SpiEpdBus(GpioController gpio, int spiBus, int csGpio, int clockHz, int dcGpio, int resetGpio, int busyGpio)
    {
        var settings = new SpiConnectionSettings(spiBus, csGpio);
        settings.ClockFrequency = clockHz;
        settings.Mode = SpiMode.Mode0;
        settings.DataFlow = DataFlow.MsbFirst;
        _spi = SpiDevice.Create(settings);
        _dc = gpio.OpenPin(dcGpio, PinMode.Output);
        _reset = gpio.OpenPin(resetGpio, PinMode.Output);
        _busy = gpio.OpenPin(busyGpio, PinMode.Input);
        _reset.Write(PinValue.High);
    }

    public void Command(byte command)
    {
        _dc.Write(PinValue.Low);
        _one[0] = command;
        _spi.Write(new SpanByte(_one));
    }

    public void Data(byte[] data, int offset, int count)
    {
        _dc.Write(PinValue.High);
        _spi.Write(new SpanByte(data, offset, count));
    }

    public bool BusyHigh { get { return _busy.Read() == PinValue.High; } }

    public void Reset(bool high) { _reset.Write(high ? PinValue.High : PinValue.Low); }

    public void Delay(int ms) { Thread.Sleep(ms); }
}
