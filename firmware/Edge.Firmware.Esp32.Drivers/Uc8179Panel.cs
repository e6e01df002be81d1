using Edge.Firmware.Runtime;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// A 7.5" 800×480 black/white e-paper panel with an UltraChip UC8179 controller (Good Display GDEY075T7;
/// Waveshare's 7.5" V2 carries the command-compatible GD7965). Command table and sequences: UC8179 datasheet
/// and the vendors' sample code, see hardware/busstop/README.md ("7.5-inch panel driver").
/// <para>
/// The controller's native layout is the sign's: 800 sources across, 480 gates down, one bit per pixel MSB
/// first, rows top to bottom. So each band from the band renderer goes to the controller's "new" frame
/// memory (DTM2) as it is, with no frame buffer and no band buffer here: the driver itself holds
/// 9 bytes of arrays. The data polarity (CDI DDX = 00) makes a 1 bit black, as the renderer's 1 = ink.
/// </para>
/// <para>
/// Refreshes: full (OTP full waveform, clears ghosting) or partial (the OTP fast waveform selected by forcing
/// the temperature to 110, over a partial window covering the screen). A partial refresh drives only the
/// pixels that differ between the "old" and "new" memories; CDI's N2OCP bit makes the controller copy new to
/// old after every refresh, so "old" is always what the panel shows. After a deep sleep that is no longer
/// known, so the next frame is full whatever was asked. BUSY is low while the controller works; every wait
/// gives up after a time-out, and a panel that never answers is reset and put to deep sleep.
/// </para>
/// </summary>
public sealed class Uc8179Panel : IDisplayPanel
{
    // Commands (UC8179 command table).
    public const byte PanelSetting = 0x00;         // PSR
    public const byte PowerSetting = 0x01;         // PWR
    public const byte PowerOff = 0x02;             // POF
    public const byte PowerOn = 0x04;              // PON
    public const byte BoosterSoftStart = 0x06;     // BTST
    public const byte DeepSleep = 0x07;            // DSLP
    public const byte DataStartOld = 0x10;         // DTM1
    public const byte DisplayRefresh = 0x12;       // DRF
    public const byte DataStartNew = 0x13;         // DTM2
    public const byte DualSpi = 0x15;              // DUSPI
    public const byte VcomDataInterval = 0x50;     // CDI
    public const byte TconSetting = 0x60;          // TCON
    public const byte Resolution = 0x61;           // TRES
    public const byte PartialWindow = 0x90;        // PTL
    public const byte PartialIn = 0x91;            // PTIN
    public const byte PartialOut = 0x92;           // PTOUT
    public const byte CascadeSetting = 0xE0;       // CCSET
    public const byte ForceTemperature = 0xE5;     // TSSET

    public const byte DeepSleepCheckCode = 0xA5;

    public const int Width = 800;
    public const int Height = 480;
    public const int BytesPerRow = Width / 8;

    /// <summary>Power on/off take tens of milliseconds; a full refresh about 4 s at room temperature, longer in the cold.</summary>
    public const int PowerTimeoutMs = 1000;
    public const int RefreshTimeoutMs = 20000;
    public const int BusyPollMs = 10;

    private readonly IEpdBus _bus;
    private readonly bool _sleepAfterFrame;
    private readonly byte[] _args = new byte[9];
    private bool _oldIsShown;   // the controller's "old" memory holds the picture on the panel
    private bool _inFrame;
    private bool _frameOk;
    private bool _partial;
    private int _rowsWritten;

    /// <param name="sleepAfterFrame">
    /// True: deep sleep after every refresh (battery or solar stops; every frame is then a full refresh).
    /// False: power the booster off but keep the controller's memories, so partial refreshes work (mains stops).
    /// </param>
    public Uc8179Panel(IEpdBus bus, bool sleepAfterFrame)
    {
        _bus = bus;
        _sleepAfterFrame = sleepAfterFrame;
    }

    /// <summary>True when the last frame actually ran as a partial refresh (a partial request after a deep sleep runs full).</summary>
    public bool LastFrameWasPartial { get { return _partial; } }

    public void BeginFrame(bool full)
    {
        _inFrame = true;
        _rowsWritten = 0;
        _partial = !full && _oldIsShown;
        _frameOk = _partial ? InitialisePartial() : InitialiseFull();
        if (!_frameOk) return;
        if (_partial)
        {
            _bus.Command(PartialIn);
            SetWindow(0, 0, Width - 1, Height - 1);
        }
        _bus.Command(DataStartNew);
    }

    /// <summary>Rows <paramref name="firstRow"/>.. in order, 1 bit per pixel, MSB first, 1 = ink.</summary>
    public void WriteBand(int firstRow, int rowCount, byte[] band, int bytesPerRow)
    {
        if (!_frameOk || firstRow != _rowsWritten || bytesPerRow < BytesPerRow) return;
        if (firstRow + rowCount > Height) rowCount = Height - firstRow;
        if (rowCount <= 0) return;
        if (bytesPerRow == BytesPerRow)
        {
            _bus.Data(band, 0, rowCount * BytesPerRow);
        }
        else
        {
            for (int r = 0; r < rowCount; r++) _bus.Data(band, r * bytesPerRow, BytesPerRow);
        }
        _rowsWritten += rowCount;
    }

    /// <summary>Refreshes, then powers off (or deep-sleeps); false when the frame was incomplete or BUSY never cleared (protocol §15 H1).</summary>
    public bool EndFrame()
    {
        if (!_inFrame) return false;
        _inFrame = false;
        if (!_frameOk) return false;
        if (_rowsWritten != Height)
        {
            // A short frame would show stale rows: drop it, leave the picture as it is.
            if (_partial) _bus.Command(PartialOut);
            PowerDown();
            return false;
        }
        _bus.Command(DisplayRefresh);
        _bus.Delay(1); // the datasheet asks for ≥ 200 µs before BUSY is valid
        if (!WaitWhileBusy(RefreshTimeoutMs)) return Fail();
        if (_partial) _bus.Command(PartialOut);
        _oldIsShown = true; // N2OCP copied new to old
        return PowerDown();
    }

    /// <summary>Deep sleep (a few µA; the picture stays). Only a hardware reset wakes the controller, and the next frame is full.</summary>
    public void Sleep()
    {
        Command1(VcomDataInterval, 0xF7); // border floating while the power goes off
        _bus.Command(PowerOff);
        WaitWhileBusy(PowerTimeoutMs);
        Command1(DeepSleep, DeepSleepCheckCode);
        _oldIsShown = false;
    }

    private bool PowerDown()
    {
        if (_sleepAfterFrame)
        {
            Sleep();
            return true;
        }
        _bus.Command(PowerOff);
        return WaitWhileBusy(PowerTimeoutMs) || Fail();
    }

    private bool InitialiseFull()
    {
        HardwareReset();
        Command4(PowerSetting, 0x07, 0x07, 0x3F, 0x3F); // internal power; VGH/VGL ±20 V; VDH/VDL ±15 V
        Command4(BoosterSoftStart, 0x17, 0x17, 0x28, 0x17);
        _bus.Command(PowerOn);
        if (!WaitWhileBusy(PowerTimeoutMs)) return Fail();
        Command1(PanelSetting, 0x1F);                   // KW mode, LUT from OTP, scan up/right, booster on
        Command4(Resolution, Width >> 8, Width & 0xFF, Height >> 8, Height & 0xFF);
        Command1(DualSpi, 0x00);                        // single SPI
        Command2(VcomDataInterval, 0x18, 0x07);         // border white (BDV 01), N2OCP, DDX 00 (1 = black); 10 hsync
        Command1(TconSetting, 0x22);
        return true;
    }

    private bool InitialisePartial()
    {
        HardwareReset();
        Command1(PanelSetting, 0x1F);
        Command4(Resolution, Width >> 8, Width & 0xFF, Height >> 8, Height & 0xFF);
        Command2(VcomDataInterval, 0x98, 0x07);         // border floating (BDZ) so it does not flash, N2OCP, DDX 00
        Command1(CascadeSetting, 0x02);                 // TSFIX: use the temperature forced below
        Command1(ForceTemperature, 0x6E);               // 110: selects the OTP's fast (partial) waveform
        _bus.Command(PowerOn);
        return WaitWhileBusy(PowerTimeoutMs) || Fail();
    }

    /// <summary>PTL: a byte-aligned window (x end inclusive, its low 3 bits 111), gates scanned inside and outside it.</summary>
    private void SetWindow(int x0, int y0, int x1, int y1)
    {
        _bus.Command(PartialWindow);
        _args[0] = (byte)(x0 >> 8);
        _args[1] = (byte)(x0 & 0xF8);
        _args[2] = (byte)(x1 >> 8);
        _args[3] = (byte)(x1 | 0x07);
        _args[4] = (byte)(y0 >> 8);
        _args[5] = (byte)y0;
        _args[6] = (byte)(y1 >> 8);
        _args[7] = (byte)y1;
        _args[8] = 0x01;
        _bus.Data(_args, 0, 9);
    }

    private void HardwareReset()
    {
        // Vendor sequence: high 20 ms, low 2 ms, high 20 ms (RST low wakes the controller from deep sleep too).
        _bus.Reset(true);
        _bus.Delay(20);
        _bus.Reset(false);
        _bus.Delay(2);
        _bus.Reset(true);
        _bus.Delay(20);
    }

    /// <summary>BUSY is low while the controller works; false after <paramref name="timeoutMs"/>.</summary>
    private bool WaitWhileBusy(int timeoutMs)
    {
        int waited = 0;
        while (!_bus.BusyHigh)
        {
            if (waited >= timeoutMs) return false;
            _bus.Delay(BusyPollMs);
            waited += BusyPollMs;
        }
        return true;
    }

    /// <summary>The controller stopped answering: reset it and put it to deep sleep so it draws nothing; the next frame is full.</summary>
    private bool Fail()
    {
        _frameOk = false;
        HardwareReset();
        Command1(DeepSleep, DeepSleepCheckCode);
        _oldIsShown = false;
        return false;
    }

    private void Command1(byte command, int a)
    {
        _bus.Command(command);
        _args[0] = (byte)a;
        _bus.Data(_args, 0, 1);
    }

    private void Command2(byte command, int a, int b)
    {
        _bus.Command(command);
        _args[0] = (byte)a;
        _args[1] = (byte)b;
        _bus.Data(_args, 0, 2);
    }

    private void Command4(byte command, int a, int b, int c, int d)
    {
        _bus.Command(command);
        _args[0] = (byte)a;
        _args[1] = (byte)b;
        _args[2] = (byte)c;
        _args[3] = (byte)d;
        _bus.Data(_args, 0, 4);
    }
}
