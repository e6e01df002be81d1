using System;
using System.Device.Gpio;
using System.Threading;
using Edge.Firmware.Esp32.Drivers;
using Edge.Firmware.Lighting;
using Edge.Firmware.Runtime;
using Edge.Firmware.Time;
using nanoFramework.Hardware.Esp32;

namespace Edge.Firmware.Esp32.StreetLight;

/// <summary>
/// Street-light node (hardware/streetlight): LEDC PWM to the LED driver's dim input, INA219 (or BL0942) power
/// metering, optional BH1750, the lighting schedule running on the node's own clock. Thin wiring only: the
/// behaviour is Edge.Firmware.Core's StreetLightController.
/// </summary>
public static class Program
{
    private const string ScheduleKey = "lighting.schedule";
    private const int TickMs = 1000;

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
        // The relay feeds the LED driver; on at boot so a node without a schedule yet still lights its street.
        var relay = gpio.OpenPin(Pins.DriverRelay, PinMode.Output);
        relay.Write(PinValue.High);
        var statusLed = gpio.OpenPin(Pins.StatusLed, PinMode.Output);
        statusLed.Write(PinValue.High);

        Configuration.SetPinFunction(Pins.I2cSda, DeviceFunction.I2C1_DATA);
        Configuration.SetPinFunction(Pins.I2cScl, DeviceFunction.I2C1_CLOCK);
        var dimmer = new PwmDimmer(Pins.DimPwm, Pins.PwmFrequencyHz, Pins.PwmInverted);
        IPowerMeter meter = new Ina219(Pins.I2cBus, Pins.PowerMeterAddress, Pins.PowerMeterShuntMilliOhm, Pins.PowerMeterMaxAmps);
        var lightSensor = new Bh1750(Pins.I2cBus, Pins.LightSensorAddress);

        var wifi = new WifiJoin(node.Ssid, node.WifiPassword);
        NodeBoot.JoinNetwork(wifi, node, 3);

        var link = new M2MqttLink(node.BrokerHost, node.BrokerPort, node.Tls, 4096);
        LinkOptions options = node.LinkOptions();

        var controller = new StreetLightController(
            new DimmingEngine(LoadSchedule(storage), node.Latitude, node.Longitude, PosixTimeZone.Parse(node.TimeZone)),
            new OverrideSet(),
            dimmer,
            meter,
            new LampMonitor(new LampMonitorSettings(), new FaultLog()),
            10);

        // The control loop. NodeRuntime (connection backoff, outbox, config and commands, watchdog) takes over
        // this loop when it lands; until then the node runs its stored schedule and keeps the link up.
        while (true)
        {
            long now = SntpTime.UnixSeconds();
            if (SntpTime.IsSet()) controller.Tick(now);
            if (link.State == LinkState.Disconnected) link.BeginConnect(options);
            float lux;
            lightSensor.TryReadLux(out lux);
            statusLed.Write(link.State == LinkState.Connected ? PinValue.Low : PinValue.High);
            Thread.Sleep(TickMs);
        }
    }

    private static LightingSchedule LoadSchedule(FlashStorage storage)
    {
        var buffer = new byte[8192];
        int length = storage.Read(ScheduleKey, buffer);
        if (length > 0 && length <= buffer.Length)
        {
            var exact = new byte[length];
            Array.Copy(buffer, exact, length);
            try
            {
                return LightingScheduleParser.Parse(exact);
            }
            catch (ScheduleFormatException)
            {
                // A stored schedule that no longer parses falls back to the built-in one below.
            }
        }
        // Until the gateway sends a schedule: full light from sunset to sunrise, like a photocell.
        return LightingScheduleParser.Parse(
            "{\"schema\":1,\"version\":0,\"profiles\":[{\"id\":\"dusk-to-dawn\",\"curve\":\"linear\",\"minLevel\":0,\"fadeSeconds\":0," +
            "\"points\":[{\"at\":\"sunset\",\"level\":100},{\"at\":\"sunrise\",\"level\":0}]}],\"calendar\":{\"default\":\"dusk-to-dawn\",\"rules\":[]}}");
    }

    /// <summary>Lamp faults go to the debug console until NodeRuntime publishes them as events.</summary>
    private sealed class FaultLog : ILampFaultSink
    {
        public void FaultChanged(LampFault fault, bool active, long atUtc)
        {
            System.Diagnostics.Debug.WriteLine("lamp fault " + ((int)fault).ToString() + (active ? " raised" : " cleared"));
        }
    }
}
