using System;
using System.Device.Gpio;
using Edge.Firmware.Esp32.Drivers;
using Edge.Firmware.Lighting;
using Edge.Firmware.Runtime;
using nanoFramework.Hardware.Esp32;

namespace Edge.Firmware.Esp32.StreetLight;

/// <summary>
/// Street-light node (hardware/streetlight): LEDC PWM to the LED driver's dim input, INA219 power metering,
/// the BH1750 as photocell fallback, all handed to the core's StreetLightNode (schedule, overrides, lamp
/// monitoring, MQTT session, outbox, config, commands, time, watchdog). Thin wiring only.
/// </summary>
public static class Program
{
    private const string Firmware = "1.0.0";
    private const int TickMs = 1000;
    /// <summary>Largest config the node takes: the runtime's inbound buffer holds this much of the heap (hardware/heap.md).</summary>
    private const int MaxInbound = 4096;
    /// <summary>Inbound messages that may wait for the control loop (M2MqttLink holds references to M2Mqtt's arrays, not copies).</summary>
    private const int InboundSlots = 3;

    public static void Main()
    {
        // The relay feeds the LED driver: on first, before storage, provisioning or the network can fail, so a
        // node that cannot start (or has no schedule yet) still lights its street; the PWM level then follows the
        // on-node schedule or the photocell, with or without a gateway.
        var gpio = new GpioController();
        var driverRelay = new GpioRelay(gpio, Pins.DriverRelay, false);
        driverRelay.Set(true);

        var storage = new FlashStorage();
        var boot = NodeBoot.Start(storage, gpio, new ProvisioningWiring(Pins.BootButton, Pins.BootButtonActiveLow, Pins.ProvisioningUartPort, Pins.ProvRx, Pins.ProvTx), Pins.Board, Firmware, "streetlight", MaxInbound, InboundSlots);

        var statusLed = new GpioRelay(gpio, Pins.StatusLed, false);

        Configuration.SetPinFunction(Pins.I2cSda, DeviceFunction.I2C1_DATA);
        Configuration.SetPinFunction(Pins.I2cScl, DeviceFunction.I2C1_CLOCK);
        var dimmer = new PwmDimmer(Pins.DimPwm, Pins.PwmFrequencyHz, Pins.PwmInverted);
        IPowerMeter meter = new Ina219(Pins.I2cBus, Pins.PowerMeterAddress, Pins.PowerMeterShuntMilliOhm, Pins.PowerMeterMaxAmps);
        var lightSensor = new Bh1750(Pins.I2cBus, Pins.LightSensorAddress);


        var light = new StreetLightNode(boot.Options, boot.Link, storage, new Esp32Clock(), boot.Platform, new NanoSntpClient(),
            dimmer, meter, lightSensor, new LampMonitorSettings());
        NodeLoop.Run(light.Runtime, light.Tick, statusLed, TickMs);
    }
}
