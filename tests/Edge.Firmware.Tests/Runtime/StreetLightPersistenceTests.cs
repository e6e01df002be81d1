using Edge.Firmware.Lighting;
using Edge.Firmware.Runtime;
using Xunit;

namespace Edge.Firmware.Tests.Runtime;

/// <summary>Street light: lamp counters across reboots, and the photocell default (protocol §9.6).</summary>
public class StreetLightPersistenceTests
{
    private sealed class LightSensor : ILightSensor
    {
        public float Lux = 5;
        public bool Answers = true;
        public int Reads;
        public bool TryReadLux(out float lux) { Reads++; lux = Lux; return Answers; }
    }

    private static NodeOptions Unplaced()
    {
        var o = Nodes.Options();
        o.Latitude = double.NaN;
        o.Longitude = double.NaN;
        return o;
    }

    private static void Run(StreetLightNode node, FakeClock clock, int seconds)
    {
        for (int i = 0; i < seconds; i++) { node.Tick(); clock.Advance(1000); }
    }

    [Fact]
    public void Lamp_counters_survive_a_reboot_and_are_written_at_a_bounded_rate()
    {
        var storage = new MemoryStorage();
        // 1 January, 14:00 UTC (16:00 in Athens): the lamp switches on at sunset (~15:20 UTC) and burns on.
        var clock = new FakeClock { Utc = Nodes.Jan2026 + 14 * 3600 };
        var pwm = new FakePwm();
        var node = new StreetLightNode(Nodes.Options(), new FakeLink(), storage, clock, new FakePlatform(), null, pwm, new FakeMeter(pwm));
        Run(node, clock, 3 * 3600);
        LampMonitor before = node.Controller.Monitor;
        Assert.True(before.BurningSeconds > 3600);
        Assert.True(before.SwitchOnCount >= 1);
        Assert.True(before.EnergyMilliwattSeconds > 0);

        // Once every 15 minutes at most: four writes in an hour of burning, not one per tick.
        // At start-up, then at most every 15 minutes (only when something changed): not per tick.
        Assert.InRange(storage.WritesOf(StreetLightNode.CountersKey), 3, 1 + 3 * 3600 / 900);

        node.SaveCounters();
        long burning = before.BurningSeconds, switches = before.SwitchOnCount, energy = before.EnergyMilliwattSeconds;
        var rebooted = new StreetLightNode(Nodes.Options(), new FakeLink(), storage, clock, new FakePlatform(), null, pwm, new FakeMeter(pwm));
        Assert.Equal(burning, rebooted.Controller.Monitor.BurningSeconds);
        Assert.Equal(switches, rebooted.Controller.Monitor.SwitchOnCount);
        Assert.Equal(energy, rebooted.Controller.Monitor.EnergyMilliwattSeconds);
        Run(rebooted, clock, 60);
        Assert.True(rebooted.Controller.Monitor.BurningSeconds >= burning + 50); // counting goes on from there
    }

    [Fact]
    public void A_reboot_command_writes_the_counters_first()
    {
        var storage = new MemoryStorage();
        var clock = new FakeClock { Utc = Nodes.Jan2026 };
        var pwm = new FakePwm();
        var link = new FakeLink();
        var platform = new FakePlatform();
        var node = new StreetLightNode(Nodes.Options(), link, storage, clock, platform, null, pwm, new FakeMeter(pwm));
        Run(node, clock, 120);
        link.Deliver("edge/kalamaki/sl-0042/cmd", "{\"v\":1,\"id\":\"r1\",\"kind\":\"reboot\",\"args\":{},\"issued\":" + clock.UtcSeconds + ",\"expires\":" + (clock.UtcSeconds + 60) + "}");
        Run(node, clock, 10);
        Assert.Equal(1, platform.Reboots);
        long burning = node.Controller.Monitor.BurningSeconds;
        var rebooted = new StreetLightNode(Nodes.Options(), new FakeLink(), storage, clock, new FakePlatform(), null, pwm, new FakeMeter(pwm));
        Assert.Equal(burning, rebooted.Controller.Monitor.BurningSeconds);
    }

    [Fact]
    public void Without_config_or_position_the_light_sensor_switches_the_lamp_with_hysteresis()
    {
        var clock = new FakeClock { Utc = Nodes.Jan2026 + 12 * 3600 }; // noon: a schedule would not decide anything here
        var pwm = new FakePwm();
        var sensor = new LightSensor { Lux = 100 };
        var node = new StreetLightNode(Unplaced(), new FakeLink(), new MemoryStorage(), clock, new FakePlatform(), null, pwm, new FakeMeter(pwm), sensor, new LampMonitorSettings());
        Assert.True(node.UsingPhotocell);
        Run(node, clock, 10);
        Assert.Equal(0, node.Controller.Level);

        foreach (var (lux, on) in new (float, bool)[] { (30, false), (19, true), (30, true), (39, true), (41, false), (21, false), (10, true) })
        {
            sensor.Lux = lux;
            Run(node, clock, 10);
            Assert.Equal(on ? 100f : 0f, node.Controller.Level);
        }

        // A silent sensor keeps the last decision.
        sensor.Answers = false;
        Run(node, clock, 30);
        Assert.Equal(100f, node.Controller.Level);
        // Sensor reads are rate-limited (every 5 s), not per tick.
        Assert.InRange(sensor.Reads, 1, (10 + 7 * 10 + 30) / 5 + 2);
    }

    [Fact]
    public void The_photocell_also_works_while_the_clock_is_not_set_and_a_config_replaces_it()
    {
        var clock = new FakeClock { Utc = 0, IsSet = false };
        var pwm = new FakePwm();
        var sensor = new LightSensor { Lux = 500 };
        var link = new FakeLink();
        var node = new StreetLightNode(Unplaced(), link, new MemoryStorage(), clock, new FakePlatform(), null, pwm, new FakeMeter(pwm), sensor, new LampMonitorSettings());
        Run(node, clock, 10);
        Assert.Equal(0, node.Controller.Level); // daylight: off, even without a clock
        var telemetry = System.Text.Json.JsonDocument.Parse(link.On("telemetry")[^1].Text).RootElement;
        Assert.Equal("lux", telemetry.GetProperty("source").GetString());
        Assert.Equal(500, telemetry.GetProperty("lux").GetDouble());

        // With a sensor but a provisioned position, the position wins (dusk to dawn), as protocol §9.6 orders them.
        var placed = new StreetLightNode(Nodes.Options(), new FakeLink(), new MemoryStorage(), clock, new FakePlatform(), null, pwm, new FakeMeter(pwm), sensor, new LampMonitorSettings());
        Assert.False(placed.UsingPhotocell);
    }
}
