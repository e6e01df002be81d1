using System;
using System.Device.Gpio;
using System.Resources;
using Edge.Firmware.Esp32.Drivers;
using Edge.Firmware.Runtime;
using Edge.Firmware.Transit;
using nanoFramework.Hardware.Esp32;

namespace Edge.Firmware.Esp32.BusStop;

/// <summary>
/// Bus-stop sign (hardware/busstop): a 2.9" SSD1680 or a 7.5" UC8179 e-paper over SPI, fed band by band by the core's BusStopNode
/// (retained <c>display</c> content, stored timetable fallback, MQTT session, config, commands, watchdog).
/// Thin wiring only.
/// </summary>
public static class Program
{
    private const string Firmware = "1.0.0";
    private const int TickMs = 500;
    private const int MaxInbound = 8192;
    /// <summary>Inbound messages that may wait for the control loop (M2MqttLink holds references to M2Mqtt's arrays, not copies).</summary>
    private const int InboundSlots = 2;

    /// <summary>
    /// Which panel this build drives: true for the shelter's 7.5" 800×480 UC8179, false for the 2.9" SSD1680
    /// (config busstop.panel must say the same). A build constant, not a run-time choice: only one driver's
    /// buffers are ever allocated.
    /// </summary>
    private static readonly bool LargePanel = true;

    public static void Main()
    {
        var storage = new FlashStorage();
        var gpio = new GpioController();
        var boot = NodeBoot.Start(storage, gpio, new ProvisioningWiring(Pins.BootButton, Pins.BootButtonActiveLow, Pins.ProvisioningUartPort, Pins.ProvRx, Pins.ProvTx), Pins.Board, Firmware, "busstop", MaxInbound, InboundSlots);

        var statusLed = new GpioRelay(gpio, Pins.StatusLed, false);

        Configuration.SetPinFunction(Pins.EpdMosi, DeviceFunction.SPI1_MOSI);
        Configuration.SetPinFunction(Pins.EpdSck, DeviceFunction.SPI1_CLOCK);
        var bus = new SpiEpdBus(gpio, Pins.SpiBus, Pins.EpdCs, Pins.SpiFrequencyHz, Pins.EpdDc, Pins.EpdRst, Pins.EpdBusy);
        IDisplayPanel panel;
        DisplaySettings settings;
        if (LargePanel)
        {
            // Mains-powered shelter: keep the controller's memories between frames so partial refreshes work.
            panel = new Uc8179Panel(bus, false);
            settings = new DisplaySettings(Uc8179Panel.Width, Uc8179Panel.Height);
        }
        else
        {
            // 2.9" SSD1680 panel: 128 sources × 296 gates, shown landscape (296 × 128).
            var small = new Ssd1680Panel(bus, 128, 296);
            panel = small;
            settings = new DisplaySettings(small.Width, small.Height);
        }

        // The glyph tables are this app's resources in flash, read a glyph at a time (hardware/heap.md): installed
        // before the first draw, so no face ever puts its whole table on the heap.
        ResourceManager resources = Resources.ResourceManager;
        DisplayFonts.Use(new ResourceGlyphStore(resources, Resources.BinaryResources.Small),
            new ResourceGlyphStore(resources, Resources.BinaryResources.Medium),
            new ResourceGlyphStore(resources, Resources.BinaryResources.Large));

        var stop = new BusStopNode(boot.Options, boot.Link, storage, new Esp32Clock(), boot.Platform, new NanoSntpClient(),
            panel, settings);
        NodeLoop.Run(stop.Runtime, stop.Tick, statusLed, TickMs);
    }
}
