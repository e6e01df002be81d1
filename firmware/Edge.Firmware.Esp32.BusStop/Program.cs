using System;
using System.Device.Gpio;
using System.Threading;
using Edge.Firmware.Esp32.Drivers;
using Edge.Firmware.Protocol;
using Edge.Firmware.Runtime;
using Edge.Firmware.Transit;
using nanoFramework.Hardware.Esp32;

namespace Edge.Firmware.Esp32.BusStop;

/// <summary>
/// Bus-stop sign (hardware/busstop): an SSD1680 e-paper over SPI fed band by band from the core's StopDisplay,
/// content from the retained <c>display</c> topic (docs/display-content.md), timetable fallback from flash.
/// </summary>
public static class Program
{
    private const string TimetableKey = "transit.timetable";
    private const int RefreshSeconds = 60;
    private const int MaxDisplayPayload = 8192;

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
        var statusLed = gpio.OpenPin(Pins.StatusLed, PinMode.Output);
        statusLed.Write(PinValue.High);

        Configuration.SetPinFunction(Pins.EpdMosi, DeviceFunction.SPI1_MOSI);
        Configuration.SetPinFunction(Pins.EpdSck, DeviceFunction.SPI1_CLOCK);
        // 2.9" SSD1680 panel: 128 sources × 296 gates, shown landscape (296 × 128).
        var panel = new Ssd1680Panel(gpio, Pins.SpiBus, Pins.EpdCs, Pins.SpiFrequencyHz, Pins.EpdDc, Pins.EpdRst, Pins.EpdBusy, 128, 296);
        var display = new StopDisplay(new DisplaySettings(panel.Width, panel.Height));
        LoadTimetable(storage, display);

        var wifi = new WifiJoin(node.Ssid, node.WifiPassword);
        NodeBoot.JoinNetwork(wifi, node, 3);
        var link = new M2MqttLink(node.BrokerHost, node.BrokerPort, node.Tls, MaxDisplayPayload);
        LinkOptions options = node.LinkOptions();
        string displayTopic = "edge/" + node.Site + "/" + node.NodeId + "/display";
        var inbound = new InboundMessage(MaxDisplayPayload);
        var parser = new DisplayContentParser();
        bool subscribed = false;
        long nextRefresh = 0;

        // NodeRuntime (birth, acks, config, watchdog) replaces this loop when it lands.
        while (true)
        {
            LinkState state = link.State;
            if (state == LinkState.Disconnected)
            {
                subscribed = false;
                link.BeginConnect(options);
            }
            else if (state == LinkState.Connected && !subscribed)
            {
                link.Subscribe(displayTopic);
                subscribed = true;
            }

            while (link.TryReceive(inbound))
            {
                if (inbound.Topic != displayTopic || inbound.Length == 0) continue;
                try
                {
                    display.SetContent(parser.Parse(inbound.Payload, 0, inbound.Length));
                    nextRefresh = 0; // new content: redraw now
                }
                catch (JsonFormatException e)
                {
                    System.Diagnostics.Debug.WriteLine("display content rejected: " + e.Message);
                }
            }

            long now = SntpTime.UnixSeconds();
            if (SntpTime.IsSet() && now >= nextRefresh)
            {
                display.Update(now);
                panel.Show(display);
                nextRefresh = now + RefreshSeconds;
            }
            statusLed.Write(state == LinkState.Connected ? PinValue.Low : PinValue.High);
            Thread.Sleep(500);
        }
    }

    private static void LoadTimetable(FlashStorage storage, StopDisplay display)
    {
        var buffer = new byte[16384];
        int length = storage.Read(TimetableKey, buffer);
        if (length <= 0 || length > buffer.Length) return;
        try
        {
            display.SetTimetable(new TimetableParser().Parse(buffer, 0, length));
        }
        catch (JsonFormatException e)
        {
            System.Diagnostics.Debug.WriteLine("stored timetable rejected: " + e.Message);
        }
    }
}
