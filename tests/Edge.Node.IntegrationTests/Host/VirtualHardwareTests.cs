using System;
using System.IO;
using Edge.Firmware.Host.Hardware;
using Edge.Firmware.Host.Imaging;

namespace Edge.Node.IntegrationTests.Host;

public sealed class VirtualHardwareTests
{
    [Fact]
    public void Lamp_power_follows_the_duty_cycle_and_the_fault_modes()
    {
        long now = 0;
        var lamp = new VirtualLamp(() => now, ratedWatts: 40, noise: 0);

        lamp.SetDutyCycle(0.5f);
        Assert.True(lamp.TryRead(out float watts, out float volts));
        Assert.InRange(watts, 20f, 21f);
        Assert.InRange(volts, 228f, 232f);

        lamp.Mode = LampMode.Fail;
        lamp.TryRead(out watts, out _);
        Assert.True(watts < 1f);

        lamp.Mode = LampMode.BurnByDay;
        lamp.SetDutyCycle(0);
        lamp.TryRead(out watts, out _);
        Assert.InRange(watts, 39f, 41f);

        lamp.Mode = LampMode.SupplyLoss;
        lamp.TryRead(out watts, out volts);
        Assert.Equal(0f, watts);
        Assert.Equal(0f, volts);

        lamp.Mode = LampMode.Cycle;
        lamp.CycleSeconds = 10;
        lamp.SetDutyCycle(1);
        now = 5;
        lamp.TryRead(out float on, out _);
        now = 15;
        lamp.TryRead(out float off, out _);
        Assert.True(on > 39f && off < 1f, $"on {on} W, off {off} W");
    }

    [Fact]
    public void Water_surface_interpolates_its_curve_and_reads_distance_from_the_mount()
    {
        long now = 1000;
        var surface = new WaterSurface(() => now, mountMm: 3000, new[] { new LevelPoint(0, 100), new LevelPoint(100, 1100) },
            noiseMm: 0, spikeRate: 0, noEchoRate: 0);

        Assert.Equal(100, surface.LevelMm);
        now = 1050;
        Assert.Equal(600, surface.LevelMm);
        Assert.Equal(2400, surface.ReadDistanceMm());
        now = 5000;
        Assert.Equal(1100, surface.LevelMm);

        surface.SensorDead = true;
        Assert.True(surface.ReadDistanceMm() <= 0);
    }

    [Fact]
    public void Noisy_readings_stay_near_the_surface_with_rare_spikes_and_missing_echoes()
    {
        var surface = new WaterSurface(() => 0, 3000, WaterSurface.Scenario("calm")!, noiseMm: 5, spikeRate: 0.05, noEchoRate: 0.05, seed: 7);
        int near = 0, spikes = 0, noEcho = 0;
        for (int i = 0; i < 2000; i++)
        {
            int d = surface.ReadDistanceMm();
            if (d <= 0) noEcho++;
            else if (Math.Abs(d - (3000 - 120)) <= 5) near++;
            else spikes++;
        }
        Assert.InRange(noEcho, 40, 200);
        Assert.InRange(spikes, 40, 200);
        Assert.Equal(2000, near + spikes + noEcho);
    }

    [Fact]
    public void File_storage_round_trips_records_and_reports_missing_and_oversized_ones()
    {
        string dir = Path.Combine(Path.GetTempPath(), "edge-storage-" + Guid.NewGuid().ToString("N"));
        try
        {
            var storage = new FileStorage(dir);
            var buffer = new byte[8];
            Assert.Equal(-1, storage.Read("config", buffer));

            storage.Write("config", new byte[] { 1, 2, 3, 9, 9 }, 3);
            Assert.Equal(3, storage.Read("config", buffer));
            Assert.Equal(new byte[] { 1, 2, 3 }, buffer[..3]);

            storage.Write("big", new byte[20], 20);
            Assert.Equal(20, new FileStorage(dir).Read("big", buffer)); // survives a "reboot"; too big to copy
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
            Assert.Throws<ArgumentException>(() => storage.Write("../escape", buffer, 1));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Display_panel_writes_the_frame_as_a_png()
    {
        string dir = Path.Combine(Path.GetTempPath(), "edge-panel-" + Guid.NewGuid().ToString("N"));
        try
        {
            var panel = new PngDisplayPanel(dir, 16, 2, keepFrames: 1);
            byte[] frame = { 0xF0, 0x01, 0x00, 0x80 };

            panel.Show(frame);
            panel.Show(frame);

            byte[] decoded = MonoPng.Decode(File.ReadAllBytes(panel.LatestPath), out int w, out int h);
            Assert.Equal((16, 2), (w, h));
            Assert.Equal(frame, decoded);
            Assert.Equal(new[] { "frame-000002.png" }, Array.ConvertAll(Directory.GetFiles(dir, "frame-*.png"), Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
