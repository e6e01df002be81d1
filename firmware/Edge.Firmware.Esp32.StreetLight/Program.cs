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
    /// <summary>Largest config the node takes: each inbound slot of M2MqttLink holds this much of a ~100 KB heap.</summary>
    private const int MaxInbound = 4096;

    public static void Main()
    {
        var storage = new FlashStorage();
        var boot = NodeBoot.Start(storage, Pins.Board, Firmware, MaxInbound, 3);

        var gpio = new GpioController();
        // The relay feeds the LED driver: on at boot, so a node without a schedule yet still lights its street.
        var driverRelay = new GpioRelay(gpio, Pins.DriverRelay, false);
        driverRelay.Set(true);
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
