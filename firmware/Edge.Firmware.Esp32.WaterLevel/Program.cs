using System;
using System.Device.Adc;
using System.Device.Gpio;
using System.Threading;
using Edge.Firmware.Esp32.Drivers;
using Edge.Firmware.Hydro;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Esp32.WaterLevel;

/// <summary>
/// Battery water-level node (hardware/waterlevel): every wake is a fresh start from timer deep sleep. It powers
/// the ultrasonic sensor and the battery divider through the high-side switch and hands everything to the core's
/// WaterLevelNode, which samples when the Gauge says, reports, drains its outbox (kept in flash across sleeps),
/// listens for commands, and calls Esp32Platform.DeepSleep until the Gauge's NextSampleAt.
/// Retained memory: nanoFramework 1.17 gives managed code no RTC-memory API, so boot/seq/uptime across sleeps
/// live in a flash record too (one small write per wake; LittleFS spreads the wear).
/// </summary>
public static class Program
{
    private const string Firmware = "1.0.0";
    private const int TickMs = 250;
    private const int MaxInbound = 4096;
    /// <summary>Inbound messages that may wait for the control loop (M2MqttLink holds references to M2Mqtt's arrays, not copies).</summary>
    private const int InboundSlots = 3;

    public static void Main()
    {
        var storage = new FlashStorage();
        var gpio = new GpioController();
        var boot = NodeBoot.Start(storage, gpio, new ProvisioningWiring(Pins.BootButton, Pins.BootButtonActiveLow, Pins.ProvisioningUartPort, Pins.ProvRx, Pins.ProvTx), Pins.Board, Firmware, "waterlevel", MaxInbound, InboundSlots);

        // Sensor and divider are powered only while awake: P-MOSFET high-side switch, active low. Deep sleep
        // releases the pin and the board's pull-up switches them off.
        var sensorPower = new GpioRelay(gpio, Pins.SensorPower, Pins.SensorPowerActiveLow);
        sensorPower.Set(true);
        Thread.Sleep(300); // both sensors need ~100–300 ms after power-up before the first valid reading
        IDistanceSensor sensor = ChooseSensor();
        var siren = new GpioRelay(gpio, Pins.SirenRelay, false);
        var statusLed = new GpioRelay(gpio, Pins.StatusLed, false);

        // ADC1 channel from the pin map (GPIO 34 = ADC1_CH6). Never an ADC2 pin: ADC2 reads fail while Wi-Fi is on.
        var battery = new AdcVoltage(new AdcController(), Pins.BatteryAdcAdcChannel, 100000, 100000);

        var retained = new FlashStorage("I:\\rtc-");

        var water = new WaterLevelNode(boot.Options, boot.Link, storage, retained, new Esp32Clock(), boot.Platform, new NanoSntpClient(),
            sensor, siren, statusLed, battery, new SleepSettings());
        NodeLoop.Run(water.Runtime, water.Tick, null, TickMs);
    }

    /// <summary>The A02YYUW (UART) when it answers with a valid frame, otherwise the JSN-SR04T (trigger/echo).</summary>
    private static IDistanceSensor ChooseSensor()
    {
        var uart = new A02yyuw(Pins.UartPort, Pins.UsUartRx, Pins.UsUartTx);
        if (uart.ReadDistanceMm() > 0) return uart;
        return new JsnSr04t(Pins.UsTrigger, Pins.UsEcho);
    }
}
