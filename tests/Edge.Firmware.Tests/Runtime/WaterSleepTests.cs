using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Edge.Firmware.Hydro;
using Edge.Firmware.Runtime;
using Xunit;

namespace Edge.Firmware.Tests.Runtime;

/// <summary>Battery water nodes: one wake-up per sample, deep sleep in between (protocol §4.6, §5.4, §15 H4).</summary>
public class WaterSleepTests
{
    private sealed class Sensor : IDistanceSensor
    {
        public int Distance = 2800;
        public int ReadDistanceMm() => Distance;
    }

    private sealed class Battery : IBatteryMonitor
    {
        public int Millivolts = 3500;
        public bool TryReadMillivolts(out int millivolts) { millivolts = Millivolts; return true; }
    }

    private sealed class SleepingPlatform : IPlatform
    {
        public readonly List<long> Sleeps = new();
        public bool EnsureNetwork() => true;
        public void ResetNetwork() { }
        public void Reboot() { }
        public void DeepSleep(long seconds) => Sleeps.Add(seconds);
        public string ResetReason => "power-on";
        public int Rssi => -70;
        public long FreeHeap => 60000;
    }

    /// <summary>Flash and RTC memory of one device, the broker, and its clock: wakes are new node objects over them.</summary>
    private sealed class Device
    {
        public readonly MemoryStorage Flash = new();
        public readonly MemoryStorage Rtc = new();
        public readonly FakeLink Link = new();
        public readonly FakeClock Clock = new() { Utc = Nodes.Jan2026 };
        public readonly SleepingPlatform Platform = new();
        public readonly Sensor Sensor = new();
        public readonly Battery Battery = new();
        public WaterLevelNode Node = null!;

        public static string Topic(string leaf) => "edge/kalamaki/wl-0009/" + leaf;

        public void Wake()
        {
            Link.Disconnect();
            Node = new WaterLevelNode(Nodes.Options("wl-0009"), Link, Flash, Rtc, Clock, Platform, null, Sensor, null, null, Battery, new SleepSettings());
        }

        /// <summary>Ticks once a second until the node goes to sleep; then the clock jumps over the sleep. Returns seconds awake.</summary>
        public int RunUntilAsleep()
        {
            int sleeps = Platform.Sleeps.Count;
            for (int s = 0; s < 600; s++)
            {
                Node.Tick();
                if (Platform.Sleeps.Count > sleeps)
                {
                    Clock.Advance(Platform.Sleeps[^1] * 1000);
                    return s;
                }
                Clock.Advance(1000);
            }
            throw new Xunit.Sdk.XunitException("the node never went to sleep");
        }
    }

    private static JsonElement Json(FakeLink.Sent s) => JsonDocument.Parse(s.Text).RootElement;

    [Fact]
    public void A_battery_node_samples_drains_listens_sleeps_until_the_next_sample_and_keeps_boot_and_seq()
    {
        var d = new Device();
        d.Wake();
        // First start: no config yet, so it stays up long enough to receive the retained one.
        d.Link.Deliver(Device.Topic("config"), "{\"v\":1,\"version\":7,\"type\":\"waterlevel\",\"node\":{},\"water\":" + Hydro.GaugeConfigs.Stream + "}", retained: true);
        int awake = d.RunUntilAsleep();
        Gauge gauge = d.Node.Gauge!;
        long sleptFor = d.Platform.Sleeps[^1];
        // It slept until the gauge's next sample (calm: 900 s after the sample), after listening ≥ 3 s.
        Assert.InRange(awake, new SleepSettings().ListenS, new SleepSettings().MaxAwakeS);
        Assert.Equal(gauge.NextSampleAt, d.Clock.UtcSeconds);
        Assert.InRange(sleptFor, 900 - awake - 1, 900);

        // Everything was delivered before sleeping, then the retained asleep state with wakeTs.
        var state = d.Link.On("state").Last();
        Assert.True(state.Retain);
        Assert.Equal("asleep", Json(state).GetProperty("status").GetString());
        Assert.Equal(gauge.NextSampleAt, Json(state).GetProperty("wakeTs").GetInt64());
        Assert.Equal(0, d.Node.Runtime.Outbox.Count);
        Assert.True(d.Node.Runtime.Halted);

        var firstBoot = d.Link.On("event").Select(Json).Where(e => e.GetProperty("kind").GetString() == "node.boot").ToList();
        Assert.Single(firstBoot);
        long boot = d.Node.Runtime.Ids.Boot;
        long lastSeq = d.Node.Runtime.Ids.Seq;

        // Three more wake-ups: same boot, seq goes on, no node.boot, one telemetry per wake.
        for (int wake = 0; wake < 3; wake++)
        {
            int before = d.Link.On("telemetry").Count;
            d.Sensor.Distance = 2800 - 3 * (wake + 1); // a real surface moves a little (a constant one reads as a stuck sensor)
            d.Wake();
            Assert.True(d.Node.Runtime.Ids.WokeFromSleep);
            d.RunUntilAsleep();
            var telemetry = d.Link.On("telemetry").Skip(before).Select(Json).ToList();
            Assert.Single(telemetry);
            Assert.Equal(boot, telemetry[0].GetProperty("boot").GetInt64());
            Assert.Equal(lastSeq + 1, telemetry[0].GetProperty("seq").GetInt64());
            lastSeq = d.Node.Runtime.Ids.Seq;
        }
        Assert.Single(d.Link.On("event").Select(Json), e => e.GetProperty("kind").GetString() == "node.boot");
        // Uptime counts the sleeps (protocol §8.1).
        Assert.True(Json(d.Link.On("state").Last()).GetProperty("uptimeS").GetInt64() >= 3 * 900);

        // Power loss clears RTC memory: the next start is a new boot.
        d.Rtc.Write(MessageIds.SleepKey, new byte[1], 1);
        d.Wake();
        Assert.Equal(boot + 1, d.Node.Runtime.Ids.Boot);
    }

    [Fact]
    public void Without_a_connection_the_node_sleeps_after_the_longest_wake_and_its_telemetry_waits_in_flash()
    {
        var d = new Device();
        d.Wake();
        d.Link.Deliver(Device.Topic("config"), "{\"v\":1,\"version\":7,\"type\":\"waterlevel\",\"node\":{},\"water\":" + Hydro.GaugeConfigs.Stream + "}", retained: true);
        d.RunUntilAsleep();
        d.Link.AcceptConnect = false;
        int sent = d.Link.On("telemetry").Count;
        for (int wake = 0; wake < 2; wake++)
        {
            d.Wake();
            int awake = d.RunUntilAsleep();
            Assert.Equal(new SleepSettings().MaxAwakeS, awake);
        }
        Assert.Equal(sent, d.Link.On("telemetry").Count);
        d.Link.AcceptConnect = true;
        d.Wake();
        d.RunUntilAsleep();
        // Both offline samples and this wake's one arrive, in order.
        var seqs = d.Link.On("telemetry").Skip(sent).Select(s => Json(s).GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(3, seqs.Count);
        Assert.Equal(seqs.OrderBy(x => x), seqs);
    }

    [Fact]
    public void A_low_battery_raises_one_hardware_fault_across_wakes_and_clears_with_hysteresis()
    {
        var d = new Device();
        d.Wake();
        d.Link.Deliver(Device.Topic("config"), "{\"v\":1,\"version\":7,\"type\":\"waterlevel\",\"node\":{},\"water\":" + Hydro.GaugeConfigs.Stream + "}", retained: true);
        d.RunUntilAsleep();
        // The config's range is 3000–3600 mV: low below 20 % (3120), cleared above 25 % (3150).
        foreach (int mv in new[] { 3110, 3100, 3140, 3160, 3170 })
        {
            d.Battery.Millivolts = mv;
            d.Wake();
            d.RunUntilAsleep();
        }
        var faults = d.Link.On("event").Select(Json).Where(e => e.GetProperty("kind").GetString() == "hw.fault"
            && e.GetProperty("part").GetString() == "battery").Select(e => e.GetProperty("active").GetBoolean()).ToList();
        Assert.Equal(new[] { true, false }, faults);
        var last = d.Link.On("telemetry").Select(Json).Last();
        Assert.Equal(3170, last.GetProperty("batteryMv").GetInt32());
    }
}
