using Edge.Firmware.Provisioning;

namespace Edge.Firmware.Tests.Provisioning;

/// <summary>
/// When a node serves serial provisioning instead of its app (<see cref="ProvisioningEntry"/>), and how the boot
/// button is read at start-up (<see cref="BootButtonWindow"/>): the decision the ESP32 apps and the host node share.
/// The GPIO reading and the UART on a device are not tested here (no hardware).
/// </summary>
public sealed class ProvisioningEntryTests
{
    [Fact]
    public void A_node_serves_provisioning_without_a_usable_record_or_with_the_button_held()
    {
        Assert.Null(ProvisioningEntry.Reason(null, false));
        Assert.Equal("boot button held", ProvisioningEntry.Reason(null, true));
        Assert.Equal("node: no record", ProvisioningEntry.Reason("node: no record", false));
        Assert.Equal("node: secret: missing", ProvisioningEntry.Reason("node: secret: missing", true));
    }

    /// <summary>Feeds readings every 20 ms (as the device polls) until the window decides.</summary>
    private static (int State, long At) Run(System.Func<long, bool> pressedAt, long start = 5_000)
    {
        var window = new BootButtonWindow();
        for (long t = start; ; t += 20)
        {
            int state = window.Feed(pressedAt(t - start), t);
            if (state != BootButtonWindow.Watching) return (state, t - start);
        }
    }

    [Fact]
    public void A_press_held_for_a_second_within_the_window_enters_provisioning()
    {
        // Pressed 500 ms after the app starts (the installer let go of reset first), held on.
        Assert.Equal((BootButtonWindow.Held, 1500), Run(t => t >= 500));
        // Held from the first reading.
        Assert.Equal((BootButtonWindow.Held, 1000), Run(_ => true));
        // Pressed late in the window: the hold may finish after it.
        Assert.Equal((BootButtonWindow.Held, 3900), Run(t => t >= 2900));
    }

    [Fact]
    public void No_press_a_short_press_or_a_press_after_the_window_starts_the_app()
    {
        Assert.Equal((BootButtonWindow.NotHeld, 3000), Run(_ => false));
        // A tap (or contact bounce) shorter than the hold.
        Assert.Equal((BootButtonWindow.NotHeld, 3000), Run(t => t >= 200 && t < 900));
        // Released just before the hold completes, pressed again too late to finish.
        Assert.Equal((BootButtonWindow.NotHeld, 3000), Run(t => (t >= 100 && t < 1080) || (t >= 3020)));
        Assert.Equal((BootButtonWindow.NotHeld, 3000), Run(t => t >= 3020));
    }
}
