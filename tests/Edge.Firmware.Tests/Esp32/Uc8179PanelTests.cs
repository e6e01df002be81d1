using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Edge.Firmware.Esp32.Drivers;

namespace Edge.Firmware.Tests.Esp32;

/// <summary>
/// A recording UC8179: keeps every command with its data bytes, pulls BUSY low (busy) for a few polls after
/// the commands that start work (PON, POF, DRF), and flags what the datasheet forbids: a command while BUSY is
/// low, any command after deep sleep (DSLP + A5) until a hardware reset. It also models what the panel shows:
/// the DTM2 bytes of the frame, taken on DRF.
/// </summary>
internal sealed class RecordingUc8179 : IEpdBus
{
    public sealed record Sent(byte Command, List<byte> Data);

    public readonly List<Sent> Log = new();
    public readonly List<string> Violations = new();
    public int ResetPulses;
    public long DelayedMs;
    public bool StuckAfterPowerOn;
    public bool StuckAfterRefresh;
    public byte[]? Shown;

    private int _busyPolls;
    private bool _stuck;
    private bool _asleep;
    private bool _resetLow;

    public void Command(byte command)
    {
        if (_busyPolls > 0 || _stuck) Violations.Add($"command 0x{command:X2} while BUSY");
        if (_asleep) Violations.Add($"command 0x{command:X2} in deep sleep");
        if (_resetLow) Violations.Add($"command 0x{command:X2} while RESET is low");
        if (command == 0x12 && Log.LastOrDefault(s => s.Command == 0x13) is { } frame) Shown = frame.Data.ToArray();
        Log.Add(new Sent(command, new List<byte>()));
        if (command is 0x04 or 0x02 or 0x12) _busyPolls = 3;
        if ((command == 0x04 && StuckAfterPowerOn) || (command == 0x12 && StuckAfterRefresh)) _stuck = true;
    }

    public void Data(byte[] data, int offset, int count)
    {
        if (Log.Count == 0) { Violations.Add("data before any command"); return; }
        Log[^1].Data.AddRange(data.Skip(offset).Take(count));
        if (Log[^1].Command == 0x07 && Log[^1].Data.Count == 1 && Log[^1].Data[0] == 0xA5) _asleep = true;
    }

    public bool BusyHigh
    {
        get
        {
            if (_stuck) return false;
            if (_busyPolls > 0) { _busyPolls--; return false; }
            return true;
        }
    }

    public void Reset(bool high)
    {
        if (!high) _resetLow = true;
        else if (_resetLow)
        {
            _resetLow = false;
            ResetPulses++;
            _asleep = false;
            _stuck = false;
            _busyPolls = 0;
        }
    }

    public void Delay(int ms) => DelayedMs += ms;

    /// <summary>The commands since the last hardware reset, as "CC:dd dd" strings; long data (frames) as "[n bytes]".</summary>
    public string[] Sequence() => Log.Select(s => s.Data.Count > 16
        ? $"{s.Command:X2}:[{s.Data.Count} bytes]"
        : $"{s.Command:X2}:{string.Join(" ", s.Data.Select(b => b.ToString("X2")))}".TrimEnd(':')).ToArray();

    public void Clear() { Log.Clear(); Shown = null; ResetPulses = 0; DelayedMs = 0; }
}

/// <summary>
/// The UC8179 driver (GDEY075T7 / Waveshare 7.5" V2), checked against the vendors' command sequences
/// (Waveshare EPD_7in5_V2.c Init / Init_Part / Display_Part / Sleep; Good Display's GDEY075T7 sample as
/// GxEPD2 carries it) and the UC8179 command table, not against its own output. See hardware/busstop/README.md.
/// </summary>
public class Uc8179PanelTests
{
    private const int Rows = 480, RowBytes = 100;

    /// <summary>A frame with a recognisable pattern: every row and byte position distinct.</summary>
    private static byte[] Frame(int seed)
    {
        var frame = new byte[Rows * RowBytes];
        for (int i = 0; i < frame.Length; i++) frame[i] = (byte)(i * 31 + i / RowBytes * 7 + seed);
        return frame;
    }

    /// <summary>Streams <paramref name="frame"/> as the bus-stop node does: bands of <paramref name="bandRows"/> rows, each row <paramref name="stride"/> bytes.</summary>
    private static bool Show(Uc8179Panel panel, byte[] frame, bool full, int bandRows = 16, int stride = RowBytes)
    {
        panel.BeginFrame(full);
        var band = new byte[bandRows * stride];
        for (int row = 0; row < Rows; row += bandRows)
        {
            int n = Math.Min(bandRows, Rows - row);
            Array.Fill(band, (byte)0xEE);
            for (int r = 0; r < n; r++) Array.Copy(frame, (row + r) * RowBytes, band, r * stride, RowBytes);
            panel.WriteBand(row, n, band, stride);
        }
        return panel.EndFrame();
    }

    // The vendors' initialisation for a full refresh with the OTP waveform (Waveshare EPD_7IN5_V2_Init):
    // PWR 07 07 3F 3F, BTST 17 17 28 17, PON, PSR 1F, TRES 800×480, DUSPI off, CDI, TCON 22.
    // CDI here is 18 07 rather than the sample's 10 07: the same border (BDV 01) and polarity (DDX 00),
    // plus N2OCP (bit 3) so "old" follows the shown picture for later partial refreshes (GxEPD2 sets it too).
    private static readonly string[] FullInit =
    [
        "01:07 07 3F 3F", "06:17 17 28 17", "04", "00:1F", "61:03 20 01 E0", "15:00", "50:18 07", "60:22",
    ];

    [Fact]
    public void A_full_frame_follows_the_vendor_sequence_and_streams_the_bands_unchanged()
    {
        var bus = new RecordingUc8179();
        var panel = new Uc8179Panel(bus, sleepAfterFrame: false);
        var frame = Frame(1);

        Assert.True(Show(panel, frame, full: true));

        Assert.Equal(1, bus.ResetPulses);
        Assert.Equal(FullInit.Concat(["13:[48000 bytes]", "12", "02"]), bus.Sequence());
        Assert.Equal(frame, bus.Shown);      // 1 = ink goes out as is: DDX 00 makes a 1 black
        Assert.DoesNotContain(bus.Log, s => s.Command == 0x10); // DTM1 ("old") is the controller's business (N2OCP)
        Assert.Empty(bus.Violations);
        Assert.False(panel.LastFrameWasPartial);
    }

    [Fact]
    public void Bands_with_padded_rows_and_an_uneven_last_band_are_sent_row_by_row()
    {
        var bus = new RecordingUc8179();
        var panel = new Uc8179Panel(bus, sleepAfterFrame: false);
        var frame = Frame(2);
        Assert.True(Show(panel, frame, full: true, bandRows: 7, stride: 104));
        Assert.Equal(frame, bus.Shown);
    }

    [Fact]
    public void A_partial_refresh_uses_the_fast_otp_waveform_and_a_full_screen_window()
    {
        var bus = new RecordingUc8179();
        var panel = new Uc8179Panel(bus, sleepAfterFrame: false);
        Assert.True(Show(panel, Frame(1), full: true));
        bus.Clear();

        var next = Frame(3);
        Assert.True(Show(panel, next, full: false));

        Assert.True(panel.LastFrameWasPartial);
        Assert.Equal(1, bus.ResetPulses);
        // Waveshare EPD_7IN5_V2_Init_Part: PSR 1F, PON, CCSET 02 (TSFIX), TSSET 6E (110 → fast waveform);
        // Display_Part: PTIN, PTL x 0..799 (00 00 03 1F), y 0..479 (00 00 01 DF), PT_SCAN 01, DTM2, DRF.
        // The border floats during partial refreshes (BDZ, as the sample's A9), N2OCP stays on; PTOUT after.
        Assert.Equal(
            ["00:1F", "61:03 20 01 E0", "50:98 07", "E0:02", "E5:6E", "04",
             "91", "90:00 00 03 1F 00 00 01 DF 01", "13:[48000 bytes]", "12", "92", "02"],
            bus.Sequence());
        Assert.Equal(next, bus.Shown);
        Assert.Empty(bus.Violations);
    }

    [Fact]
    public void A_partial_request_runs_full_when_the_controller_cannot_know_the_shown_picture()
    {
        var bus = new RecordingUc8179();
        var panel = new Uc8179Panel(bus, sleepAfterFrame: false);
        Assert.True(Show(panel, Frame(1), full: false)); // first frame since power-up
        Assert.False(panel.LastFrameWasPartial);
        Assert.Equal(FullInit, bus.Sequence().Take(FullInit.Length));

        panel.Sleep();
        bus.Clear();
        Assert.True(Show(panel, Frame(2), full: false)); // after a deep sleep
        Assert.False(panel.LastFrameWasPartial);
        Assert.Equal(FullInit, bus.Sequence().Take(FullInit.Length));
        Assert.Empty(bus.Violations);
    }

    [Fact]
    public void Deep_sleep_powers_off_then_sends_the_check_code_and_a_reset_wakes_it()
    {
        var bus = new RecordingUc8179();
        var panel = new Uc8179Panel(bus, sleepAfterFrame: true);
        Assert.True(Show(panel, Frame(1), full: true));
        // Waveshare EPD_7IN5_V2_Sleep: CDI F7 (border floating), POF, wait, DSLP with check code A5.
        Assert.Equal(["12", "50:F7", "02", "07:A5"], bus.Sequence().TakeLast(4));

        bus.Clear();
        Assert.True(Show(panel, Frame(2), full: false)); // woken by the reset; the picture is unknown: full
        Assert.Equal(1, bus.ResetPulses);
        Assert.False(panel.LastFrameWasPartial);
        Assert.Empty(bus.Violations); // in particular: nothing was sent in deep sleep
    }

    [Fact]
    public void A_controller_stuck_busy_at_power_on_times_out_and_is_put_to_sleep()
    {
        var bus = new RecordingUc8179 { StuckAfterPowerOn = true };
        var panel = new Uc8179Panel(bus, sleepAfterFrame: false);

        Assert.False(Show(panel, Frame(1), full: true));

        Assert.InRange(bus.DelayedMs, Uc8179Panel.PowerTimeoutMs, Uc8179Panel.PowerTimeoutMs + 200);
        Assert.DoesNotContain(bus.Log, s => s.Command == 0x13 || s.Command == 0x12); // no frame sent into a dead controller
        Assert.Equal("07:A5", bus.Sequence()[^1]);
        Assert.Equal(2, bus.ResetPulses); // the frame's reset, then the recovery reset before DSLP
    }

    [Fact]
    public void A_refresh_that_never_finishes_times_out_and_the_next_frame_is_full()
    {
        var bus = new RecordingUc8179 { StuckAfterRefresh = true };
        var panel = new Uc8179Panel(bus, sleepAfterFrame: false);

        Assert.False(Show(panel, Frame(1), full: true));
        Assert.InRange(bus.DelayedMs, Uc8179Panel.RefreshTimeoutMs, Uc8179Panel.RefreshTimeoutMs + Uc8179Panel.PowerTimeoutMs);
        Assert.Equal("07:A5", bus.Sequence()[^1]);

        bus.StuckAfterRefresh = false;
        bus.Clear();
        Assert.True(Show(panel, Frame(2), full: false));
        Assert.False(panel.LastFrameWasPartial);
    }

    [Fact]
    public void An_incomplete_frame_is_not_refreshed()
    {
        var bus = new RecordingUc8179();
        var panel = new Uc8179Panel(bus, sleepAfterFrame: false);
        panel.BeginFrame(true);
        panel.WriteBand(0, 16, new byte[16 * RowBytes], RowBytes);
        Assert.False(panel.EndFrame());
        Assert.DoesNotContain(bus.Log, s => s.Command == 0x12);
        Assert.Equal("02", bus.Sequence()[^1]);
        Assert.Empty(bus.Violations);
    }

    [Fact]
    public void The_driver_holds_no_frame_or_band_buffer()
    {
        var panel = new Uc8179Panel(new RecordingUc8179(), false);
        int arrayBytes = typeof(Uc8179Panel).GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            .Select(f => f.GetValue(panel)).OfType<Array>().Sum(a => a.Length);
        Assert.InRange(arrayBytes, 1, 16);
    }
}
