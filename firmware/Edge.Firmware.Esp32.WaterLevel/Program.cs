using System;
using System.Device.Adc;
using System.Device.Gpio;
using System.Threading;
using Edge.Firmware.Esp32.Drivers;
using Edge.Firmware.Hydro;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Esp32.WaterLevel;

/// <summary>
/// Battery water-level node (hardware/waterlevel): every wake is a fresh boot from timer deep sleep. It powers
/// the ultrasonic sensor and battery divider through the high-side switch, takes one burst, lets the core's
/// Gauge (state kept in flash) decide, reports, and sleeps until the Gauge's NextSampleAt.
/// </summary>
public static class Program
{
    private const string ConfigKey = "hydro.config";
    private const int UnconfiguredSleepSeconds = 900;

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
        // Sensor and divider are off except while sampling: P-MOSFET high-side switch, active low.
        var sensorPower = gpio.OpenPin(Pins.SensorPower, PinMode.Output);
        sensorPower.Write(Pins.SensorPowerActiveLow ? PinValue.High : PinValue.Low);

        GaugeConfig? config = LoadConfig(storage);
        if (config == null)
        {
            // No configuration yet (mounting height and thresholds come from the gateway): stay reachable a
            // while, then sleep. NodeRuntime will fetch the retained config here once it lands.
            StayOnline(node, 120);
            DeepSleep.Until(0, UnconfiguredSleepSeconds, UnconfiguredSleepSeconds);
            return;
        }

        var gauge = new Gauge(config, storage, new EventLog());

        sensorPower.Write(Pins.SensorPowerActiveLow ? PinValue.Low : PinValue.High);
        Thread.Sleep(300); // both sensors need ~100–300 ms after power-up before the first valid reading
        IDistanceSensor sensor = ChooseSensor(gpio);

        // ADC1 channel from the pin map (GPIO 34 = ADC1_CH6). Never an ADC2 pin: ADC2 reads fail while Wi-Fi is on.
        var adc = new AdcController();
        var battery = new AdcVoltage(adc, Pins.BatteryAdcAdcChannel, 100000, 100000);

        long now = SntpTime.UnixSeconds();
        gauge.Sample(now, sensor);
        gauge.UpdateBattery(battery.ReadMillivolts());
        sensorPower.Write(Pins.SensorPowerActiveLow ? PinValue.High : PinValue.Low);

        // Reporting: NodeRuntime decides when a wake needs the radio (state change, telemetry due) and drains the
        // outbox; until it lands the node connects on every wake so the link can be tested on a bench.
        StayOnline(node, 10);

        DeepSleep.Until(SntpTime.UnixSeconds(), gauge.NextSampleAt, 10);
    }

    /// <summary>The A02YYUW (UART) when it answers with a valid frame, otherwise the JSN-SR04T (trigger/echo).</summary>
    private static IDistanceSensor ChooseSensor(GpioController gpio)
    {
        var uart = new A02yyuw(Pins.UartPort, Pins.UsUartRx, Pins.UsUartTx);
        if (uart.ReadDistanceMm() > 0) return uart;
        return new JsnSr04t(gpio, Pins.UsTrigger, Pins.UsEcho);
    }

    private static GaugeConfig? LoadConfig(FlashStorage storage)
    {
        var buffer = new byte[2048];
        int length = storage.Read(ConfigKey, buffer);
        if (length <= 0 || length > buffer.Length) return null;
        try
        {
            return GaugeConfigReader.Parse(buffer, 0, length);
        }
        catch (GaugeConfigException e)
        {
            System.Diagnostics.Debug.WriteLine("hydro.config rejected: " + e.Message);
            return null;
        }
    }

    private static void StayOnline(Provisioning node, int seconds)
    {
        var wifi = new WifiJoin(node.Ssid, node.WifiPassword);
        if (!NodeBoot.JoinNetwork(wifi, node, 1)) return;
        var link = new M2MqttLink(node.BrokerHost, node.BrokerPort, node.Tls, 2048);
        link.BeginConnect(node.LinkOptions());
        for (int i = 0; i < seconds; i++) Thread.Sleep(1000);
        link.Disconnect();
    }

    /// <summary>Gauge events go to the debug console until NodeRuntime publishes them.</summary>
    private sealed class EventLog : IGaugeEvents
    {
        public void StateChanged(long time, FloodState from, FloodState to, int levelMm, StateChangeReason reason)
        {
            System.Diagnostics.Debug.WriteLine("flood state " + ((int)from).ToString() + " -> " + ((int)to).ToString());
        }

        public void RateOfRiseChanged(long time, bool active, int riseMm, int levelMm)
        {
            System.Diagnostics.Debug.WriteLine("rate of rise " + (active ? "on" : "off"));
        }

        public void SensorHealthChanged(long time, SensorHealth from, SensorHealth to)
        {
            System.Diagnostics.Debug.WriteLine("sensor health " + ((int)to).ToString());
        }
    }
}
