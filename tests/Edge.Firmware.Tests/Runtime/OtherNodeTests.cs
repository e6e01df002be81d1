using System.Linq;
using System.Text;
using System.Text.Json;
using Edge.Firmware.Hydro;
using Edge.Firmware.Runtime;
using Edge.Firmware.Transit;

namespace Edge.Firmware.Tests.Runtime;

public class OtherNodeTests
{
    private sealed class Sensor : IDistanceSensor
    {
        public int Distance = 2800;
        public int ReadDistanceMm() => Distance;
    }

    private sealed class Relay : IRelay
    {
        public bool On;
        public void Set(bool on) => On = on;
    }

    private sealed class Panel : IDisplayPanel
    {
        public int Frames, FullFrames, Rows;
        public void BeginFrame(bool full) { Frames++; if (full) FullFrames++; Rows = 0; }
        public void WriteBand(int firstRow, int rowCount, byte[] band, int bytesPerRow) { Assert.Equal(Rows, firstRow); Rows += rowCount; }
        public bool EndFrame() => true;
    }

    [Fact]
    public void A_water_node_samples_on_the_gauges_schedule_reports_flood_states_and_drives_the_siren()
    {
        var link = new FakeLink();
        var clock = new FakeClock { Utc = Nodes.Jan2026 };
        var sensor = new Sensor();
        var siren = new Relay();
        var node = new WaterLevelNode(Nodes.Options("wl-0003"), link, new MemoryStorage(), clock, new FakePlatform(), null, sensor, siren, null);
        string Topic(string leaf) => "edge/kalamaki/wl-0003/" + leaf;
        void Run(int ticks) { for (int i = 0; i < ticks; i++) { node.Tick(); clock.Advance(1000); } }

        Run(5);
        Assert.Empty(link.On("telemetry")); // no config: no level to compute
        link.Deliver(Topic("config"), "{\"v\":1,\"version\":7,\"type\":\"waterlevel\",\"node\":{},\"water\":" + Hydro.GaugeConfigs.Stream + "}");
        Run(5);
        var first = JsonDocument.Parse(link.On("telemetry").Last().Text).RootElement;
        Assert.Equal(200, first.GetProperty("levelMm").GetInt32()); // 3000 − 2800
        Assert.Equal("normal", first.GetProperty("state").GetString());

        sensor.Distance = 2400; // 600 mm: watch (a 400 mm jump is held for confirmation first)
        link.Deliver(Topic("cmd"), "{\"v\":1,\"id\":\"s1\",\"kind\":\"sample-now\",\"args\":{},\"issued\":" + clock.UtcSeconds + ",\"expires\":" + (clock.UtcSeconds + 60) + "}");
        Run(200);
        var flood = link.On("event").Select(e => JsonDocument.Parse(e.Text).RootElement).First(e => e.GetProperty("kind").GetString() == "flood.state");
        Assert.Equal("watch", flood.GetProperty("to").GetString());
        Assert.Equal("level", flood.GetProperty("cause").GetString());

        link.Deliver(Topic("cmd"), "{\"v\":1,\"id\":\"s2\",\"kind\":\"siren\",\"args\":{\"on\":true,\"durationS\":30},\"issued\":" + clock.UtcSeconds + ",\"expires\":" + (clock.UtcSeconds + 60) + "}");
        Run(2);
        Assert.True(siren.On);
        Run(30);
        Assert.False(siren.On);
    }

    [Fact]
    public void A_bus_stop_shows_newer_display_content_persists_it_and_rejects_stale_versions()
    {
        var link = new FakeLink();
        var clock = new FakeClock { Utc = 1764160200 }; // 2025-11-26T12:30:00Z, inside the sample's validity
        var storage = new MemoryStorage();
        var panel = new Panel();
        var node = new BusStopNode(Nodes.Options("bs-0007"), link, storage, clock, new FakePlatform(), null, panel, new DisplaySettings(800, 480));
        string Topic(string leaf) => "edge/kalamaki/bs-0007/" + leaf;
        string content = Encoding.UTF8.GetString(Transit.TransitSamples.Bytes("live.json"));
        long version = JsonDocument.Parse(content).RootElement.GetProperty("version").GetInt64();

        node.Tick();
        Assert.Contains(Topic("display"), link.Subscriptions);
        link.Deliver(Topic("display"), "{\"v\":1,\"version\":" + version + ",\"generated\":1764160200,\"content\":" + content + "}", retained: true);
        node.Tick();
        clock.Advance(100);
        node.Tick();
        Assert.Equal(version, node.ContentVersion);
        Assert.Equal(480, panel.Rows);
        Assert.True(panel.FullFrames >= 1);
        Assert.Equal(version, JsonDocument.Parse(link.On("state").Last().Text).RootElement.GetProperty("displayVersion").GetInt64());

        string older = content.Replace("\"version\": " + version, "\"version\": " + (version - 1));
        link.Deliver(Topic("display"), "{\"v\":1,\"version\":" + (version - 1) + ",\"generated\":1764160200,\"content\":" + older + "}");
        node.Tick();
        var rejected = JsonDocument.Parse(link.On("event").Last().Text).RootElement;
        Assert.Equal("config.rejected", rejected.GetProperty("kind").GetString());
        Assert.Equal("display", rejected.GetProperty("topic").GetString());
        Assert.Equal("stale", rejected.GetProperty("code").GetString());

        var rebooted = new BusStopNode(Nodes.Options("bs-0007"), new FakeLink(), storage, clock, new FakePlatform(), null, new Panel(), new DisplaySettings(800, 480));
        Assert.Equal(version, rebooted.ContentVersion);
    }
}
