using System;
using System.IO;
using System.Text;
using Edge.Firmware.Lighting;
using Edge.Firmware.Protocol;
using Edge.Firmware.Time;

namespace Edge.Firmware.Tests.Lighting;

public class StreetLightControllerTests
{
    private const double Lat = 39.5035, Lon = 20.2655;

    /// <summary>A lamp whose power follows the duty it is driven at (a healthy LED luminaire).</summary>
    private sealed class Lamp : IPwmOutput, IPowerMeter
    {
        public float Duty;
        public int DutyWrites;
        public bool MeterAnswers = true;
        public void SetDutyCycle(float duty) { Duty = duty; DutyWrites++; }
        public bool TryRead(out float watts, out float volts)
        {
            watts = 60f * Duty;
            volts = 230f;
            return MeterAnswers;
        }
    }

    private sealed class Faults : ILampFaultSink
    {
        public int Changes;
        public void FaultChanged(LampFault fault, bool active, long atUtc) { Changes++; }
    }

    private static (StreetLightController Controller, Lamp Lamp, Faults Faults) Create()
    {
        var schedule = LightingScheduleParser.Parse(File.ReadAllBytes(Repo.File("docs/examples/igoumenitsa-residential.json")));
        var engine = new DimmingEngine(schedule, Lat, Lon, PosixTimeZone.Parse("EET-2EEST,M3.5.0/3,M10.5.0/4"));
        var lamp = new Lamp();
        var faults = new Faults();
        var monitor = new LampMonitor(new LampMonitorSettings(), faults);
        return (new StreetLightController(engine, new OverrideSet(), lamp, lamp, monitor, readingIntervalSeconds: 10), lamp, faults);
    }

    private static long Utc(int y, int m, int d, int h, int mi) => new DateTimeOffset(y, m, d, h, mi, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    [Fact]
    public void Drives_the_pwm_with_the_engines_output_and_writes_only_on_change()
    {
        var (controller, lamp, _) = Create();
        long night = Utc(2026, 1, 14, 22, 0); // 00:00 local, before virtual midnight: 100 %
        controller.Tick(night);
        Assert.Equal(100f, controller.Level);
        Assert.Equal(1f, lamp.Duty);
        for (int i = 1; i <= 60; i++) controller.Tick(night + i);
        Assert.Equal(1, lamp.DutyWrites);
        long morning = Utc(2026, 1, 15, 12, 0);
        controller.Tick(morning);
        Assert.Equal(0f, lamp.Duty);
        Assert.Equal(controller.Engine.OutputAt(morning, controller.Overrides), controller.Output);
    }

    [Fact]
    public void A_healthy_lamp_through_a_whole_night_raises_no_fault_and_counts_energy()
    {
        var (controller, _, faults) = Create();
        long start = Utc(2026, 1, 14, 12, 0);
        for (long t = start; t < start + 86400; t += 5) controller.Tick(t);
        Assert.Equal(0, faults.Changes);
        Assert.True(controller.Monitor.EnergyWh > 300, $"energy {controller.Monitor.EnergyWh} Wh");
        Assert.Equal(1, controller.Monitor.SwitchOnCount);
    }

    [Fact]
    public void Counts_meter_failures_without_stopping_the_schedule()
    {
        var (controller, lamp, _) = Create();
        lamp.MeterAnswers = false;
        long t = Utc(2026, 1, 14, 22, 0);
        for (int i = 0; i < 100; i++) controller.Tick(t + i);
        Assert.Equal(10, controller.MeterFailures);
        Assert.Equal(1f, lamp.Duty);
    }

    [Fact]
    public void A_rejected_schedule_leaves_the_pole_on_its_previous_one()
    {
        var (controller, _, _) = Create();
        var before = controller.Engine;
        var bad = Encoding.UTF8.GetBytes("""{ "schema": 1, "profiles": [ { "id": "p", "points": [ { "at": "sunset", "level": 140 } ] } ] }""");
        var e = Assert.Throws<ScheduleFormatException>(() => controller.ApplySchedule(bad));
        Assert.Contains("profiles[0].points[0].level", e.Message);
        Assert.Same(before, controller.Engine);
        Assert.Throws<JsonFormatException>(() => controller.ApplySchedule(Encoding.UTF8.GetBytes("{ not json")));
        Assert.Same(before, controller.Engine);

        controller.ApplySchedule(Encoding.UTF8.GetBytes("""{ "schema": 1, "profiles": [ { "id": "p", "points": [ { "at": "sunset", "level": 40 }, { "at": "sunrise", "level": 0 } ] } ] }"""));
        Assert.NotSame(before, controller.Engine);
        controller.Tick(Utc(2026, 1, 14, 22, 0));
        Assert.Equal(40f, controller.Level);
    }

    [Fact]
    public void Ticks_allocate_nothing_in_steady_state()
    {
        var (controller, _, _) = Create();
        long start = Utc(2026, 3, 27, 12, 0);
        for (long t = start; t < start + 120; t++) controller.Tick(t); // warm-up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (long t = start + 120; t < start + 3 * 86400; t += 2) controller.Tick(t);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
