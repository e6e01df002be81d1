using System;
using System.Device.Gpio;
using System.Threading;
using Edge.Firmware.Provisioning;
using nanoFramework.Hardware.Esp32;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// Where a board serves serial provisioning (its pins.json: <c>bootButton</c>, <c>provRx</c>, <c>provTx</c>,
/// <c>provisioningUart</c>): the boot button, and a UART of its own on two free pins. Not UART0: on a plain ESP32
/// nanoFramework's wire protocol (the debugger and deployment channel) runs on UART0 behind the USB bridge, and
/// its SerialPort refuses COM1 while it does (nf-interpreter targets/ESP32 System.IO.Ports: "COM1 is being used for
/// VS debug"). The installer plugs a 3.3 V USB-serial adapter into the provisioning header instead.
/// </summary>
public sealed class ProvisioningWiring
{
    public readonly int ButtonGpio;
    public readonly bool ButtonActiveLow;
    public readonly string Port;
    public readonly int RxGpio;
    public readonly int TxGpio;

    public ProvisioningWiring(int buttonGpio, bool buttonActiveLow, string port, int rxGpio, int txGpio)
    {
        if (port != "COM2" && port != "COM3") throw new ArgumentException("provisioning port must be COM2 or COM3 (COM1 carries the wire protocol)");
        ButtonGpio = buttonGpio;
        ButtonActiveLow = buttonActiveLow;
        Port = port;
        RxGpio = rxGpio;
        TxGpio = txGpio;
    }

    /// <summary>Routes the provisioning UART's RX and TX to their pins (the GPIO matrix), before the port opens.</summary>
    public void BindUart()
    {
        bool com2 = Port == "COM2";
        Configuration.SetPinFunction(RxGpio, com2 ? DeviceFunction.COM2_RX : DeviceFunction.COM3_RX);
        Configuration.SetPinFunction(TxGpio, com2 ? DeviceFunction.COM2_TX : DeviceFunction.COM3_TX);
    }

    /// <summary>
    /// Whether the installer holds the boot button (<see cref="BootButtonWindow"/>). A node woken from deep sleep by
    /// its timer does not look: a battery gauge would pay the window at every sample.
    /// </summary>
    public bool ButtonHeld(GpioController gpio)
    {
        if (Sleep.GetWakeupCause() == Sleep.WakeupCause.Timer) return false;
        var pin = gpio.OpenPin(ButtonGpio, ButtonActiveLow ? PinMode.InputPullUp : PinMode.InputPullDown);
        var window = new BootButtonWindow();
        int state = BootButtonWindow.Watching;
        while (state == BootButtonWindow.Watching)
        {
            bool pressed = (pin.Read() == PinValue.Low) == ButtonActiveLow;
            state = window.Feed(pressed, DateTime.UtcNow.Ticks / TimeSpan.TicksPerMillisecond);
            if (state == BootButtonWindow.Watching) Thread.Sleep(20);
        }
        pin.Dispose();
        return state == BootButtonWindow.Held;
    }
}
