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
    /// <summary>Largest config the node takes: 8 inbound slots of this size sit in M2MqttLink on a ~100 KB heap.</summary>
    private const int MaxInbound = 4096;

    public static void Main()
    {
        var storage = new FlashStorage();
        Provisioning node;
        try
        {
            node = Provisioning.Load(storage);
        }
        catch (FormatException e)
        {
            NodeBoot.FailAndReboot(e.Message);
            return;
        }

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

        NodeOptions options = node.NodeOptions(Pins.Board, Firmware);
        options.InboundBytes = MaxInbound;
        var platform = new Esp32Platform(new WifiJoin(node.Ssid, node.WifiPassword));
        var link = new M2MqttLink(node.BrokerHost, node.BrokerPort, node.Tls, MaxInbound, 3);

        var light = new StreetLightNode(options, link, storage, new Esp32Clock(), platform, new NanoSntpClient(),
            dimmer, meter, lightSensor, new LampMonitorSettings());
        NodeLoop.Run(light.Runtime, light.Tick, statusLed, TickMs);
    }
}
