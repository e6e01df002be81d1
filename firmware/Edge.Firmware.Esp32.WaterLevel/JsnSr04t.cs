using System;
using Edge.Firmware.Hydro;
using nanoFramework.Hardware.Esp32.Rmt;

namespace Edge.Firmware.Esp32.WaterLevel;

/// <summary>
/// JSN-SR04T waterproof ultrasonic sensor in trigger/echo mode (module datasheet "JSN-SR04T-2.0/3.0", mode 1),
/// timed in hardware by the ESP32's RMT peripheral (nanoFramework.Hardware.Esp32.Rmt), as nanoFramework's own
/// Iot.Device.Hcsr04.Esp32 binding does: one RMT channel sends the 20 µs trigger pulse, another records the echo
/// pulse with 1 µs ticks. Polling the pin from managed code cannot do this: each pass of the interpreter takes
/// tens of µs (1 mm is 5.8 µs) and a thread switch during the echo adds metres.
/// <para>
/// Why not the binding itself (hardware/waterlevel): it returns UnitsNet <c>Length</c> and carries
/// System.Device.Model attributes, i.e. two more assemblies (and their static constructors) on a node with
/// ~90 KB of heap, it retries ten times and then throws, and it sends its trigger with a 38 kHz carrier. This
/// driver is the same RMT measurement without them.
/// </para>
/// <para>
/// The receiver returns a new array per reading (the RMT API has no other way): a few small
/// objects per burst, once per wake, not per loop tick.
/// </para>
/// </summary>
public sealed class JsnSr04t : IDistanceSensor
{
    private readonly TransmitterChannel _trigger;
    private readonly ReceiverChannel _echo;

    /// <param name="triggerGpio">pins.json usTrigger.</param>
    /// <param name="echoGpio">pins.json usEcho (through the 5 V → 3.3 V divider).</param>
    public JsnSr04t(int triggerGpio, int echoGpio)
    {
        var tx = new TransmitChannelSettings(triggerGpio);
        tx.ClockDivider = 80;           // 1 µs ticks
        tx.EnableCarrierWave = false;   // a plain pulse, not an IR carrier
        tx.EnableIdleLevelOutput = true;
        tx.IdleLevel = false;
        _trigger = new TransmitterChannel(tx);
        _trigger.AddCommand(new RmtCommand(20, true, 0, false)); // the module wants ≥ 10 µs high

        var rx = new ReceiverChannelSettings(echoGpio);
        rx.ClockDivider = 80;           // 1 µs ticks: 0.17 mm of distance each
        rx.EnableDemodulation = false;
        rx.EnableFilter = true;
        rx.FilterThreshold = 200;       // ignore glitches shorter than 2.5 µs (APB ticks)
        rx.IdleThreshold = 40000;       // 40 ms without an edge ends the reception (no echo: ~38 ms pulse)
        rx.ReceiveTimeout = TimeSpan.FromMilliseconds(100);
        _echo = new ReceiverChannel(rx);
    }

    public int ReadDistanceMm()
    {
        _echo.Start(true);
        _trigger.Send(false);
        RmtCommand[] items = _echo.GetAllItems();
        _echo.Stop();
        if (items == null || items.Length == 0) return 0; // nothing heard before the time-out
        return EchoTime.MillimetresFor(items[0].Level0, items[0].Duration0);
    }
}
