using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Edge.Firmware.Esp32.WaterLevel;

namespace Edge.Firmware.Tests.Esp32;

/// <summary>
/// The JSN-SR04T's echo, timed by the RMT peripheral in 1 µs ticks, turned into millimetres. Reference: sound
/// at 20 °C travels 343 m/s, and the echo covers the distance twice, so 1 mm of distance is 5.831 µs of echo
/// (the module datasheet: distance = high time × speed of sound / 2).
/// </summary>
public class EchoTimeTests
{
    [Theory]
    [InlineData(5831, 1000)]   // 1 m
    [InlineData(1458, 250)]    // the blind zone's edge
    [InlineData(17493, 3000)]  // the standard 3 m mast down to the bed
    [InlineData(26239, 4500)]  // the module's longest range
    public void An_echo_pulse_gives_the_distance_at_the_speed_of_sound(int microseconds, int millimetres)
    {
        Assert.InRange(EchoTime.MillimetresFor(microseconds), millimetres - 1, millimetres);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(150)]     // a glitch, not an echo from beyond the blind zone
    [InlineData(32767)]   // the RMT item's longest duration: the pulse ran past it (no echo: the module holds ~38 ms)
    public void What_cannot_be_an_echo_is_no_reading(int microseconds)
    {
        Assert.Equal(0, EchoTime.MillimetresFor(microseconds));
    }

    [Fact]
    public void An_item_that_starts_low_is_no_reading()
    {
        Assert.Equal(0, EchoTime.MillimetresFor(false, 5831));
        Assert.Equal(EchoTime.MillimetresFor(5831), EchoTime.MillimetresFor(true, 5831));
    }

    [Fact]
    public void The_water_app_times_the_echo_with_the_rmt_receiver_not_by_polling_a_pin()
    {
        var dll = Path.Combine(Hardware.PinMapTests.RepoRoot(), "firmware", "Edge.Firmware.Esp32.WaterLevel", "bin", "check",
            new DirectoryInfo(System.AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name, "Edge.Firmware.Esp32.WaterLevel.dll");
        using var pe = new PEReader(File.OpenRead(dll));
        var md = pe.GetMetadataReader();
        string[] calls = md.MemberReferences.Select(md.GetMemberReference)
            .Where(m => m.Parent.Kind == HandleKind.TypeReference)
            .Select(m => md.GetString(md.GetTypeReference((TypeReferenceHandle)m.Parent).Name) + "::" + md.GetString(m.Name))
            .ToArray();
        Assert.Contains("ReceiverChannel::GetAllItems", calls);
        Assert.Contains("TransmitterChannel::Send", calls);
        Assert.DoesNotContain("GpioPin::Read", calls);
    }
}
