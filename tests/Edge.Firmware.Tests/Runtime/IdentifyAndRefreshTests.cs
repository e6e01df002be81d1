using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Edge.Firmware.Hydro;
using Edge.Firmware.Runtime;
using Edge.Firmware.Transit;

namespace Edge.Firmware.Tests.Runtime;

/// <summary>
/// Documented node behaviour that had no test: <c>identify</c> (protocol.md §10: the lamp blinks 100/0 % at 1 Hz,
/// a water node blinks its status LED and stays awake, a water node without LED answers unsupported) and the bus
/// stop's refresh rules (protocol.md §9: no refresh in <c>quietHours</c>, a full refresh at least every
/// <c>fullRefreshS</c>, partial ones in between). All on the node's own fake clock, tick by tick.
/// </summary>
public class IdentifyAndRefreshTests
{
    private sealed class Led : IRelay
    {
        public readonly List<(long Ms, bool On)> Switches = new();
        public FakeClock? Clock;
        public void Set(bool on) => Switches.Add((Clock!.MonotonicMs, on));
    }

    private sealed class Sensor : IDistanceSensor
    {
        public int ReadDistanceMm() => 2800;
    }

    private sealed class Panel : IDisplayPanel
    {
        public readonly List<(long Utc, bool Full)> Frames = new();
        public FakeClock? Clock;
        public void BeginFrame(bool full) => Frames.Add((Clock!.UtcSeconds, full));
        public void WriteBand(int firstRow, int rowCount, byte[] band, int bytesPerRow) { }
        public bool EndFrame() => true;
    }

    /// <summary>Keeps the last frame the node streamed, band by band, as the panel would show it.</summary>
    private sealed class FramePanel(int width, int height) : IDisplayPanel
    {
        public readonly byte[] Frame = new byte[(width + 7) / 8 * height];
        public int Frames;
        public void BeginFrame(bool full) { }
        public void WriteBand(int firstRow, int rowCount, byte[] band, int bytesPerRow) => System.Array.Copy(band, 0, Frame, firstRow * bytesPerRow, rowCount * bytesPerRow);
        public bool EndFrame() { Frames++; return true; }
    }

    private static string Command(FakeClock clock, string id, string kind, string args)
        => $"{{\"v\":1,\"id\":\"{id}\",\"kind\":\"{kind}\",\"args\":{args},\"issued\":{clock.UtcSeconds},\"expires\":{clock.UtcSeconds + 60}}}";

    private static JsonElement Ack(FakeLink link, string id)
        => link.On("cmd/ack").Select(a => JsonDocument.Parse(a.Text).RootElement).Last(a => a.GetProperty("id").GetString() == id);

    [Fact]
    public void Identify_blinks_a_street_light_100_0_percent_at_1_Hz_for_its_duration_then_restores_the_level_without_a_fault()
    {
        var link = new FakeLink();
        var clock = new FakeClock { Utc = Nodes.Jan2026 + 20 * 3600 }; // evening: the lamp is on by default
        var pwm = new FakePwm();
        var node = new StreetLightNode(Nodes.Options(), link, new MemoryStorage(), clock, new FakePlatform(), null, pwm, new FakeMeter(pwm));
        for (int i = 0; i < 20; i++) { node.Tick(); clock.Advance(100); }
        float before = pwm.Duty;

        link.Deliver("edge/kalamaki/sl-0042/cmd", Command(clock, "i-1", "identify", "{\"durationS\":3}"));
        node.Tick();
        long start = clock.MonotonicMs;
        var blink = new List<(long Ms, float Duty)>();
        while (clock.MonotonicMs < start + 3000)
        {
            clock.Advance(100);
            node.Tick();
            if (clock.MonotonicMs < start + 3000) blink.Add((clock.MonotonicMs, pwm.Duty));
        }
        Assert.Equal("ok", Ack(link, "i-1").GetProperty("result").GetString());
        Assert.All(blink, b => Assert.True(b.Duty is 0f or 1f, $"duty {b.Duty} at {b.Ms} ms: identify is 100/0 %"));
        // 1 Hz: on for the first half of every second, off for the second half.
        Assert.All(blink, b => Assert.Equal((b.Ms / 500) % 2 == 0 ? 1f : 0f, b.Duty));
        Assert.Equal(6, blink.Select(b => b.Ms / 500).Distinct().Count()); // three seconds: three on and three off halves

        for (int i = 0; i < 20; i++) { clock.Advance(100); node.Tick(); }
        Assert.Equal(before, pwm.Duty);
        Assert.DoesNotContain(link.On("event"), e => e.Text.Contains("lamp.fault")); // blinking is not a fault
    }

    [Fact]
    public void Identify_blinks_a_water_nodes_status_LED_for_its_duration_and_is_unsupported_without_one()
    {
        var clock = new FakeClock { Utc = Nodes.Jan2026 };
        var led = new Led { Clock = clock };
        var link = new FakeLink();
        var node = new WaterLevelNode(Nodes.Options("wl-0003"), link, new MemoryStorage(), clock, new FakePlatform(), null, new Sensor(), null, led);
        node.Tick();
        link.Deliver("edge/kalamaki/wl-0003/cmd", Command(clock, "i-2", "identify", "{\"durationS\":2}"));
        long start = clock.MonotonicMs;
        for (int i = 0; i < 40; i++) { node.Tick(); clock.Advance(100); }
        Assert.Equal("ok", Ack(link, "i-2").GetProperty("result").GetString());
        var during = led.Switches.Where(s => s.Ms < start + 2000).ToList();
        Assert.Contains(during, s => s.On);
        Assert.Contains(during, s => !s.On);
        Assert.False(led.Switches.Last().On); // off once the duration is over
        Assert.True(led.Switches.Last(s => s.On).Ms < start + 2000);

        var noLedLink = new FakeLink();
        var noLed = new WaterLevelNode(Nodes.Options("wl-0004"), noLedLink, new MemoryStorage(), clock, new FakePlatform(), null, new Sensor(), null, null);
        noLed.Tick();
        noLedLink.Deliver("edge/kalamaki/wl-0004/cmd", Command(clock, "i-3", "identify", "{}"));
        for (int i = 0; i < 3; i++) { noLed.Tick(); clock.Advance(100); }
        Assert.Equal("unsupported", Ack(noLedLink, "i-3").GetProperty("result").GetString());
    }

    [Theory]
    // panel, the id's font and scale, the band it sits in, and where the centred id starts
    [InlineData(800, 480, "Large", 2, 88, 288, 12)]
    [InlineData(296, 128, "Medium", 1, 28, 106, 2)]
    public void Identify_shows_the_bus_stops_node_id_over_the_header_for_durationS_then_the_normal_content_again(
        int width, int height, string fontName, int scale, int bandRows, int idX, int idY)
    {
        var clock = new FakeClock { Utc = Nodes.Jan2026 + 10 * 3600 }; // 10:00:00 UTC, far from a minute change
        var panel = new FramePanel(width, height);
        var link = new FakeLink();
        var node = new BusStopNode(Nodes.Options("bs-0007"), link, new MemoryStorage(), clock, new FakePlatform(), null, panel, new DisplaySettings(width, height));
        for (int i = 0; i < 5; i++) { node.Tick(); clock.Advance(100); }
        int stride = (width + 7) / 8;
        int split = bandRows * stride;

        // What the sign shows without identify, drawn by a display of its own at the same moment.
        byte[] Plain()
        {
            var plain = new StopDisplay(new DisplaySettings(width, height));
            plain.Update(clock.UtcSeconds);
            var frame = new byte[stride * height];
            plain.RenderFrame(frame);
            return frame;
        }
        Assert.Equal(Plain(), panel.Frame);

        // The id in the same font, white on a black band, centred: drawn here independently of the painter.
        var font = fontName == "Large" ? DisplayFonts.Large : DisplayFonts.Medium;
        var idBand = new byte[split];
        var canvas = new BandCanvas();
        canvas.Begin(width, 0, bandRows, idBand);
        canvas.Fill(0, 0, width, bandRows, true);
        canvas.Text(font, "bs-0007", idX, idY, width - idX, scale, false);
        Assert.NotEqual(idBand, panel.Frame[..split]);

        int framesBefore = panel.Frames;
        link.Deliver("edge/kalamaki/bs-0007/cmd", Command(clock, "i-4", "identify", "{\"durationS\":5}"));
        node.Tick();
        long start = clock.MonotonicMs;
        Assert.Equal("ok", Ack(link, "i-4").GetProperty("result").GetString());
        Assert.True(panel.Frames > framesBefore);
        Assert.Equal(idBand, panel.Frame[..split]);
        Assert.Equal(Plain()[split..], panel.Frame[split..]); // the normal content stays below the id

        while (clock.MonotonicMs < start + 4900) { clock.Advance(100); node.Tick(); }
        Assert.Equal(idBand, panel.Frame[..split]); // still shown just before durationS is over

        int framesDuring = panel.Frames;
        for (int i = 0; i < 3; i++) { clock.Advance(100); node.Tick(); }
        Assert.True(panel.Frames > framesDuring, "a redraw when identify ends, not at the next minute");
        Assert.Equal(Plain(), panel.Frame);
    }

    [Fact]
    public void A_bus_stop_does_not_refresh_in_quiet_hours_and_refreshes_in_full_at_least_every_fullRefreshS()
    {
        var clock = new FakeClock { Utc = Nodes.Jan2026 - 3600 }; // 23:00 UTC
        var panel = new Panel { Clock = clock };
        var link = new FakeLink();
        var node = new BusStopNode(Nodes.Options("bs-0007"), link, new MemoryStorage(), clock, new FakePlatform(), null, panel, new DisplaySettings(800, 480));
        node.Tick();
        link.Deliver("edge/kalamaki/bs-0007/config", "{\"v\":1,\"version\":12,\"type\":\"busstop\",\"node\":{\"tz\":\"UTC0\"},\"busstop\":{\"panel\":\"epd-7in5\",\"rotation\":0,\"staleAfterS\":300,\"fullRefreshS\":600,\"quietHours\":{\"from\":\"01:00\",\"to\":\"05:00\"}}}", retained: true);
        for (int minute = 0; minute < 8 * 60; minute++) // 23:00 to 07:00, a tick every 10 s
        {
            for (int i = 0; i < 6; i++) { node.Tick(); clock.Advance(10_000); }
        }
        static int MinuteOfDay(long utc) => (int)(utc % 86400 / 60);
        Assert.DoesNotContain(panel.Frames, f => MinuteOfDay(f.Utc) is >= 60 and < 300);
        Assert.Contains(panel.Frames, f => MinuteOfDay(f.Utc) < 60);
        Assert.Contains(panel.Frames, f => MinuteOfDay(f.Utc) >= 300);
        // Outside the quiet hours: a full refresh at least every 600 s (checked at the once-a-minute redraw), partial ones between.
        foreach (var part in new[] { panel.Frames.Where(f => f.Utc < Nodes.Jan2026 + 3600).ToList(), panel.Frames.Where(f => f.Utc >= Nodes.Jan2026 + 5 * 3600).ToList() })
        {
            var full = part.Where(f => f.Full).Select(f => f.Utc).ToList();
            Assert.True(full.Count >= 2, "full refreshes: " + full.Count);
            Assert.All(full.Zip(full.Skip(1)), pair => Assert.InRange(pair.Second - pair.First, 600, 660));
            Assert.Contains(part, f => !f.Full);
        }
    }
}
