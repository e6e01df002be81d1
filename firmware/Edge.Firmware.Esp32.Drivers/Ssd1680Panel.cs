using Edge.Firmware.Runtime;
using Edge.Firmware.Transit;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// A black/white e-paper panel with a Solomon Systech SSD1680 controller (datasheet SSD1680 rev 0.14: §7 command
/// table, §9 "Operation flow and code sequence"), e.g. the 2.9" 128×296 panels, over a write-only 4-wire SPI
/// (D/C pin: low = command, high = data; <see cref="IEpdBus"/>). BUSY is high while the controller works.
/// The frame is streamed from <see cref="StopDisplay.RenderBand"/> band by band straight into the controller's
/// RAM, so a whole frame never sits in the ESP32's heap: only one RAM-column buffer is allocated, at start-up.
/// The sign is landscape while the SSD1680's native RAM is portrait (sources = X = 128 px, gates = Y = 296 lines):
/// with the data-entry mode's "Y first" bit set, each RAM byte holds 8 consecutive landscape rows of one
/// column, so a band of 8 landscape rows becomes one 8-pixel RAM column, transposed in a 296-byte buffer.
/// </summary>
public sealed class Ssd1680Panel : IDisplayPanel
{
    // Commands (SSD1680 datasheet §7).
    private const byte DriverOutputControl = 0x01;
    private const byte DeepSleepMode = 0x10;
    private const byte DataEntryMode = 0x11;
    private const byte SoftwareReset = 0x12;
    private const byte TemperatureSensorControl = 0x18;
    private const byte MasterActivation = 0x20;
    private const byte DisplayUpdateControl1 = 0x21;
    private const byte DisplayUpdateControl2 = 0x22;
    private const byte WriteRamBlackWhite = 0x24;
    private const byte BorderWaveform = 0x3C;
    private const byte RamXStartEnd = 0x44;
    private const byte RamYStartEnd = 0x45;
    private const byte RamXCounter = 0x4E;
    private const byte RamYCounter = 0x4F;

    private const int BandRows = 8;
    private const int BusyTimeoutMs = 10000; // a full refresh takes 2–4 s; more means the panel is stuck

    private readonly IEpdBus _bus;
    private readonly int _sources; // native RAM width in pixels (landscape height), multiple of 8
    private readonly int _gates;   // native RAM height in lines (landscape width)
    private readonly byte[] _column;
    private readonly byte[] _args = new byte[4];

    /// <param name="bus">The panel's SPI and pins (<see cref="SpiEpdBus"/>; the SSD1680 takes up to 20 MHz for writes).</param>
    /// <param name="sources">Native width: 128 for a 2.9" panel.</param>
    /// <param name="gates">Native height: 296 for a 2.9" panel.</param>
    public Ssd1680Panel(IEpdBus bus, int sources, int gates)
    {
        if (sources % 8 != 0) throw new System.ArgumentException("sources must be a multiple of 8", "sources");
        _bus = bus;
        _sources = sources;
        _gates = gates;
        _column = new byte[gates];
    }

    /// <summary>The sign's size as <see cref="DisplaySettings"/> wants it: landscape.</summary>
    public int Width { get { return _gates; } }
    public int Height { get { return _sources; } }

    // ---- IDisplayPanel: the runtime's BusStopNode streams bands itself ---------------------------------

    private bool _frameOk;

    /// <summary>Wakes and initialises the controller. Every refresh is a full one: a partial refresh would need
    /// the previous image in the controller's second RAM, which this driver does not keep.</summary>
    public void BeginFrame(bool full)
    {
        _frameOk = Initialise();
    }

    /// <summary>Landscape rows <paramref name="firstRow"/>.. (a multiple of 8), 1 = ink, written as RAM byte columns.</summary>
    public void WriteBand(int firstRow, int rowCount, byte[] band, int bytesPerRow)
    {
        if (!_frameOk) return;
        for (int group = 0; group + BandRows <= rowCount; group += BandRows)
        {
            int x = (firstRow + group) / 8;
            if (x >= _sources / 8) return;
            for (int y = 0; y < _gates; y++)
            {
                int bit = 0x80 >> (y & 7);
                int b = 0;
                for (int r = 0; r < BandRows; r++)
                {
                    if ((band[(group + r) * bytesPerRow + (y >> 3)] & bit) != 0) b |= 0x80 >> r;
                }
                _column[y] = (byte)~b;
            }
            Command2(RamXStartEnd, (byte)x, (byte)x);
            Command4(RamYStartEnd, 0, 0, (byte)(_gates - 1), (byte)((_gates - 1) >> 8));
            Command1(RamXCounter, (byte)x);
            Command2(RamYCounter, 0, 0);
            Command(WriteRamBlackWhite);
            Data(_column, _gates);
        }
    }

    /// <summary>Runs the refresh and puts the controller back to deep sleep; false when BUSY never cleared (protocol §15 H1).</summary>
    public bool EndFrame()
    {
        if (!_frameOk) return false;
        Command1(DisplayUpdateControl2, 0xF7);
        Command(MasterActivation);
        bool ok = WaitWhileBusy();
        Command1(DeepSleepMode, 0x01);
        return ok;
    }

    private bool Initialise()
    {
        // Hardware reset (datasheet §9: RST low ≥ 10 ms), then software reset.
        _bus.Reset(false);
        _bus.Delay(10);
        _bus.Reset(true);
        _bus.Delay(10);
        if (!WaitWhileBusy()) return false;
        Command(SoftwareReset);
        if (!WaitWhileBusy()) return false;
        Command3(DriverOutputControl, (byte)(_gates - 1), (byte)((_gates - 1) >> 8), 0x00);
        Command1(DataEntryMode, 0x07); // X increment, Y increment, address counter moves in Y first
        Command1(BorderWaveform, 0x05);
        Command2(DisplayUpdateControl1, 0x00, 0x80);
        Command1(TemperatureSensorControl, 0x80); // internal temperature sensor
        return WaitWhileBusy();
    }

    private bool WaitWhileBusy()
    {
        int waited = 0;
        while (_bus.BusyHigh)
        {
            if (waited >= BusyTimeoutMs) return false;
            _bus.Delay(10);
            waited += 10;
        }
        return true;
    }

    private void Command(byte command) { _bus.Command(command); }

    private void Data(byte[] data, int count) { _bus.Data(data, 0, count); }

    private void Command1(byte command, byte a)
    {
        Command(command);
        _args[0] = a;
        Data(_args, 1);
    }

    private void Command2(byte command, byte a, byte b)
    {
        Command(command);
        _args[0] = a;
        _args[1] = b;
        Data(_args, 2);
    }

    private void Command3(byte command, byte a, byte b, byte c)
    {
        Command(command);
        _args[0] = a;
        _args[1] = b;
        _args[2] = c;
        Data(_args, 3);
    }

    private void Command4(byte command, byte a, byte b, byte c, byte d)
    {
        Command(command);
        _args[0] = a;
        _args[1] = b;
        _args[2] = c;
        _args[3] = d;
        Data(_args, 4);
    }
}
