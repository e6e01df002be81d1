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

    // ---- flash wear (hardware/waterlevel "Flash wear") ---------------------------------------------------

    private sealed record WearCount(int Wakes, int Writes, Dictionary<string, int> ByKey);

    /// <summary>
    /// Runs <paramref name="minutes"/> of a stream whose level (mm above the bed) is <paramref name="level"/>,
    /// one wake per sample as the gauge schedules them, and counts every storage write, flash and "RTC" alike:
    /// on nanoFramework both are files on the internal flash.
    /// </summary>
    private static (WearCount Count, Device Device) Replay(System.Func<double, double> level, double minutes)
    {
        var d = new Device();
        d.Wake();
        d.Link.Deliver(Device.Topic("config"), "{\"v\":1,\"version\":7,\"type\":\"waterlevel\",\"node\":{},\"water\":" + Hydro.GaugeConfigs.Stream + "}", retained: true);
        d.RunUntilAsleep();
        int flash0 = d.Flash.Writes, rtc0 = d.Rtc.Writes;
        var before = d.Flash.WritesByKey.Concat(d.Rtc.WritesByKey).ToDictionary(k => k.Key, k => k.Value);
        long start = d.Clock.UtcSeconds;
        int wakes = 0;
        while (d.Clock.UtcSeconds < start + (long)(minutes * 60))
        {
            double minute = (d.Clock.UtcSeconds - start) / 60.0;
            d.Sensor.Distance = 3000 - (int)System.Math.Round(level(minute)) + Hydro.StormSensor.Noise(d.Clock.UtcSeconds, 0);
            d.Wake();
            d.RunUntilAsleep();
            wakes++;
        }
        var byKey = d.Flash.WritesByKey.Concat(d.Rtc.WritesByKey)
            .ToDictionary(k => k.Key, k => k.Value - (before.TryGetValue(k.Key, out int b) ? b : 0));
        return (new WearCount(wakes, d.Flash.Writes - flash0 + d.Rtc.Writes - rtc0, byKey), d);
    }

    [Fact]
    public void A_calm_day_writes_three_small_records_per_wake_and_no_outbox()
    {
        var (count, d) = Replay(_ => 200, 24 * 60);

        Assert.InRange(count.Wakes, 95, 97); // every 15 minutes
        Assert.Equal(count.Wakes, count.ByKey[Gauge.StorageKey]);          // the gauge's state, once per sample
        Assert.Equal(2 * count.Wakes, count.ByKey[MessageIds.SleepKey]);   // consumed at wake, written before sleep
        Assert.Equal(0, count.ByKey.GetValueOrDefault(Outbox.DataKey));    // delivered before sleeping: nothing to keep
        Assert.Equal(0, count.ByKey.GetValueOrDefault(Outbox.IndexKey));
        Assert.Equal(3 * count.Wakes, count.Writes);
        Assert.Equal(count.Wakes, d.Link.On("telemetry").Count - 1);       // and nothing was lost on the way
    }

    [Fact]
    public void A_storm_writes_the_outbox_only_for_the_events_it_must_keep()
    {
        // The synthetic storm of the gauge tests (a 1 m flash rise, peak, recession), 12 hours.
        var (count, d) = Replay(m => Hydro.StormSensor.TrueLevel(m), 12 * 60);

        int floodEvents = d.Link.On("event").Count(e => Json(e).GetProperty("kind").GetString() is "flood.state" or "flood.rate");
        Assert.True(floodEvents >= 6, $"{floodEvents} flood events");
        int events = d.Link.On("event").Count; // all of them, node.boot of the first start included
        Assert.True(count.Wakes > 100, $"{count.Wakes} wakes");
        // An event is written to flash as soon as it is queued (data + index), and the emptied queue once more
        // before sleep: at most four outbox writes per event, none for routine telemetry that was delivered.
        Assert.InRange(count.ByKey.GetValueOrDefault(Outbox.DataKey), 1, 2 * events);
        Assert.Equal(count.ByKey.GetValueOrDefault(Outbox.DataKey), count.ByKey.GetValueOrDefault(Outbox.IndexKey));
        Assert.Equal(count.Wakes, count.ByKey[Gauge.StorageKey]);
        Assert.True(count.Writes <= 3 * count.Wakes + 4 * events, $"{count.Writes} writes in {count.Wakes} wakes");
    }
}

