using System;
using Edge.Firmware.Lighting;
using Edge.Firmware.Protocol;
using Edge.Firmware.Time;

namespace Edge.Firmware.Runtime;

/// <summary>
/// A street-light node: <see cref="StreetLightController"/> (dimming schedule, overrides, lamp
/// monitoring) on the wire. Telemetry every <c>node.telemetryS</c>; <c>lamp.fault</c> events as the
/// monitor confirms them; commands <c>override</c>, <c>override.clear</c>, <c>identify</c>,
/// <c>sample-now</c> (and <c>reboot</c>, handled by the runtime). While the clock is not set
/// (protocol §12.5) or no config has arrived (§9.6) the lamp follows safe defaults: dusk to dawn when
/// the position was provisioned, otherwise the light sensor as a photocell (on below 20 lx, off above
/// 40 lx), otherwise on. The lamp counters (burning hours, switch count, energy, active faults) are
/// restored at start-up and written to storage at most every <see cref="CountersWriteMs"/> (flash wear).
/// </summary>
public sealed class StreetLightNode : INodeApp, ILampFaultSink, IPwmOutput, IPowerMeter
{
    private const string DuskToDawn = "{\"schema\":1,\"profiles\":[{\"id\":\"default\",\"points\":[{\"at\":\"sunset\",\"level\":100},{\"at\":\"sunrise\",\"level\":0}]}]}";
    private const string AlwaysOn = "{\"schema\":1,\"profiles\":[{\"id\":\"on\",\"points\":[{\"at\":\"time\",\"time\":\"12:00\",\"level\":100}]}]}";
    private const string AlwaysOff = "{\"schema\":1,\"profiles\":[{\"id\":\"off\",\"points\":[{\"at\":\"time\",\"time\":\"12:00\",\"level\":0}]}]}";

    public const string CountersKey = "lighting.lamp";
    public const long CountersWriteMs = 15 * 60 * 1000;
    public const float PhotocellOnLux = 20f;
    public const float PhotocellOffLux = 40f;
    public const long PhotocellReadMs = 5000;
    private const byte CountersMagic = (byte)'L';
    private const int CountersBytes = 1 + 8 * 3 + 4;

    private readonly IPwmOutput _pwm;
    private readonly IPowerMeter _meter;
    private readonly ILightSensor? _lightSensor;
    private readonly IStorage _storage;
    private readonly OverrideStore _overrideStore;
    private readonly byte[] _counters = new byte[CountersBytes];
    private readonly DimmingEngine _alwaysOn;
    private readonly DimmingEngine _alwaysOff;
    private bool _photocell;
    private bool _photocellOn = true;
    private float _lux = -1; // last reading for telemetry; -1 = none (omitted)
    private long _nextLuxReadMs;
    private long _nextCountersWriteMs;
    private long _writtenBurning = -1, _writtenSwitches = -1, _writtenEnergy = -1;
    private LampFault _writtenFaults;
    private DimmingEngine _scheduled;
    private bool _usingScheduled = true;
    private bool _configured;
    private long _lastUtc = long.MinValue;
    private long _nextTelemetryMs;

    /// <summary>Source and level of the last telemetry: a change of source (an override begins or ends, the
    /// photocell takes over) or a level step of <see cref="ReportStep"/> points is reported at once, so the
    /// cloud shows it within seconds, not after the next telemetry interval.</summary>
    private string _reportedSource = "";
    private int _reportedLevel = -1;
    private const int ReportStep = 10;
    private float _requestedDuty;
    private float _watts;
    private float _volts;
    private long _identifyUntilMs;
    private bool _identifyActive;

    public StreetLightNode(NodeOptions options, IMessageLink link, IStorage storage, IClock clock, IPlatform platform,
        ISntpClient? sntp, IPwmOutput pwm, IPowerMeter meter)
        : this(options, link, storage, clock, platform, sntp, pwm, meter, new LampMonitorSettings())
    {
    }

    public StreetLightNode(NodeOptions options, IMessageLink link, IStorage storage, IClock clock, IPlatform platform,
        ISntpClient? sntp, IPwmOutput pwm, IPowerMeter meter, LampMonitorSettings monitorSettings)
        : this(options, link, storage, clock, platform, sntp, pwm, meter, null, monitorSettings)
    {
    }

    /// <param name="lightSensor">Ambient light sensor for the photocell fallback, or null when none is fitted.</param>
    public StreetLightNode(NodeOptions options, IMessageLink link, IStorage storage, IClock clock, IPlatform platform,
        ISntpClient? sntp, IPwmOutput pwm, IPowerMeter meter, ILightSensor? lightSensor, LampMonitorSettings monitorSettings)
    {
        _pwm = pwm;
        _meter = meter;
        _lightSensor = lightSensor;
        _storage = storage;
        _overrideStore = new OverrideStore(storage);
        PosixTimeZone zone = PosixTimeZone.Parse(NodeConfig.DefaultTz);
        _alwaysOn = new DimmingEngine(LightingScheduleParser.Parse(AlwaysOn), 0, 0, zone);
        _alwaysOff = new DimmingEngine(LightingScheduleParser.Parse(AlwaysOff), 0, 0, zone);
        _scheduled = _alwaysOn;
        var monitor = new LampMonitor(monitorSettings, this);
        RestoreCounters(monitor);
        Controller = new StreetLightController(_alwaysOn, new OverrideSet(), this, this, monitor, 10);
        Runtime = new NodeRuntime(options, this, link, storage, clock, platform, sntp);
        _nextCountersWriteMs = clock.MonotonicMs + CountersWriteMs;
        SaveCounters(); // creates the record at start-up (nothing if it was just restored), so later writes reuse it
        Runtime.Start();
    }

    /// <summary>Whether the lamp follows the light sensor (no config, no provisioned position).</summary>
    public bool UsingPhotocell { get { return _photocell; } }

    public NodeRuntime Runtime { get; }

    public StreetLightController Controller { get; }

    /// <summary>Runs the node once; call every 100 ms–1 s.</summary>
    public void Tick() { Runtime.Tick(); }

    // ---- INodeApp ----------------------------------------------------------------------------------

    public string NodeType { get { return Wire.TypeStreetLight; } }

    public bool WantsDisplay { get { return false; } }

    public void ApplyDefaults()
    {
        double lat = Runtime.Options.Latitude, lon = Runtime.Options.Longitude;
        bool placed = lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180; // NaN fails every comparison
        _scheduled = placed
            ? new DimmingEngine(LightingScheduleParser.Parse(DuskToDawn), lat, lon, PosixTimeZone.Parse(NodeConfig.DefaultTz))
            : _alwaysOn;
        _photocell = !placed && _lightSensor != null;
        _configured = false;
        _lastUtc = long.MinValue;
    }

    public bool TryApplyConfig(NodeConfig config, out string error)
    {
        try
        {
            // Build first; only a complete engine replaces the running one.
            var engine = new DimmingEngine(config.Lighting!, config.Latitude, config.Longitude, config.Zone!);
            _scheduled = engine;
            _configured = true;
            _photocell = false;
            _lastUtc = long.MinValue;
            error = "";
            return true;
        }
        catch (Exception e)
        {
            error = "lighting: " + e.Message;
            return false;
        }
    }

    public void OnDisplay(byte[] payload, int offset, int count)
    {
    }

    public void FillStatus(NodeStatus status)
    {
    }

    public void OnShutdown() { SaveCounters(); }

    public bool Supports(string kind)
    {
        return kind == CommandDecoder.KindOverride || kind == CommandDecoder.KindOverrideClear
            || kind == CommandDecoder.KindIdentify || kind == CommandDecoder.KindSampleNow;
    }

    public CommandResult Execute(CommandMessage command, out string failure)
    {
        failure = "";
        long now = Runtime.Clock.UtcSeconds;
        if (command.Kind == CommandDecoder.KindOverride)
        {
            if (command.Until <= now)
            {
                failure = "args.until is already past";
                return CommandResult.Failed;
            }
            _overrideStore.Restore(Controller.Overrides, now); // commands run with a set clock (§10.4): the stored ones first
            Controller.Overrides.Add(command.Id, command.Level, now, command.Until, command.Issued, command.Reason, command.FromRule);
            _overrideStore.Save(Controller.Overrides);
        }
        else if (command.Kind == CommandDecoder.KindOverrideClear)
        {
            _overrideStore.Restore(Controller.Overrides, now);
            bool had = Controller.Overrides.Count > 0;
            // Every slot ends at or before the end of time: this frees them all.
            Controller.Overrides.RemoveExpired(long.MaxValue);
            if (had) _overrideStore.Save(Controller.Overrides);
        }
        else if (command.Kind == CommandDecoder.KindIdentify)
        {
            _identifyUntilMs = Runtime.Clock.MonotonicMs + command.DurationS * 1000;
            _identifyActive = true;
        }
        else if (command.Kind == CommandDecoder.KindSampleNow)
        {
            _nextTelemetryMs = 0;
        }
        _lastUtc = long.MinValue;
        return CommandResult.Ok;
    }

    public void Tick(long nowMs)
    {
        long utc = Runtime.Clock.UtcSeconds;
        if (_photocell && nowMs >= _nextLuxReadMs) ReadPhotocell(nowMs);
        // The photocell needs no clock; a schedule does (protocol §12.5).
        bool clockSet = Runtime.Time.ClockSet;
        // Stored overrides come back once expiry can be judged (docs/protocol.md §10.5).
        if (clockSet && _overrideStore.Pending)
        {
            _overrideStore.Restore(Controller.Overrides, utc);
            _lastUtc = long.MinValue;
        }
        bool useScheduled = clockSet || _photocell;
        DimmingEngine wanted = !useScheduled ? _alwaysOn : (_photocell ? (_photocellOn ? _alwaysOn : _alwaysOff) : _scheduled);
        if (useScheduled != _usingScheduled || Controller.Engine != wanted)
        {
            Controller.UseEngine(wanted);
            _usingScheduled = useScheduled;
            _lastUtc = long.MinValue;
        }
        if (_identifyActive) Identify(nowMs);
        if (utc != _lastUtc)
        {
            _lastUtc = utc;
            Controller.Tick(utc);
            int level = Round(Controller.Level);
            if (Source(utc) != _reportedSource || level >= _reportedLevel + ReportStep || level <= _reportedLevel - ReportStep) _nextTelemetryMs = nowMs;
        }
        if (nowMs >= _nextTelemetryMs)
        {
            int interval = Runtime.Config.Current != null ? Runtime.Config.Current.TelemetryS : 300;
            _nextTelemetryMs = nowMs + interval * 1000L;
            PublishTelemetry(utc);
        }
        if (nowMs >= _nextCountersWriteMs)
        {
            _nextCountersWriteMs = nowMs + CountersWriteMs;
            SaveCounters();
        }
    }

    private void ReadPhotocell(long nowMs)
    {
        _nextLuxReadMs = nowMs + PhotocellReadMs;
        // A silent sensor keeps the last decision (at start: on), never darkness by accident.
        if (!_lightSensor!.TryReadLux(out float lux)) return;
        _lux = lux;
        // Hysteresis: the lamp's own light on the sensor must not switch it off again.
        if (_photocellOn && lux > PhotocellOffLux) _photocellOn = false;
        else if (!_photocellOn && lux < PhotocellOnLux) _photocellOn = true;
    }

    /// <summary>Writes the lamp counters when they changed (called at most every <see cref="CountersWriteMs"/>, and before a planned reboot by the app).</summary>
    public void SaveCounters()
    {
        LampMonitor m = Controller.Monitor;
        if (m.BurningSeconds == _writtenBurning && m.SwitchOnCount == _writtenSwitches
            && m.EnergyMilliwattSeconds == _writtenEnergy && m.ActiveFaults == _writtenFaults) return;
        _counters[0] = CountersMagic;
        WriteLong(1, m.BurningSeconds);
        WriteLong(9, m.SwitchOnCount);
        WriteLong(17, m.EnergyMilliwattSeconds);
        int faults = (int)m.ActiveFaults;
        for (int i = 0; i < 4; i++) _counters[25 + i] = (byte)(faults >> (8 * i));
        _storage.Write(CountersKey, _counters, CountersBytes);
        _writtenBurning = m.BurningSeconds;
        _writtenSwitches = m.SwitchOnCount;
        _writtenEnergy = m.EnergyMilliwattSeconds;
        _writtenFaults = m.ActiveFaults;
    }

    private void RestoreCounters(LampMonitor monitor)
    {
        if (_storage.Read(CountersKey, _counters) != CountersBytes || _counters[0] != CountersMagic) return;
        int faults = 0;
        for (int i = 3; i >= 0; i--) faults = (faults << 8) | _counters[25 + i];
        try
        {
            monitor.Restore(ReadLong(1), ReadLong(9), ReadLong(17), (LampFault)faults);
        }
        catch (ArgumentOutOfRangeException)
        {
            return; // a damaged record: start counting from zero rather than from nonsense
        }
        _writtenBurning = monitor.BurningSeconds;
        _writtenSwitches = monitor.SwitchOnCount;
        _writtenEnergy = monitor.EnergyMilliwattSeconds;
        _writtenFaults = monitor.ActiveFaults;
    }

    private void WriteLong(int at, long v)
    {
        for (int i = 0; i < 8; i++) _counters[at + i] = (byte)(v >> (8 * i));
    }

    private long ReadLong(int at)
    {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | _counters[at + i];
        return v;
    }

    private void Identify(long nowMs)
    {
        if (nowMs >= _identifyUntilMs)
        {
            _identifyActive = false;
            _pwm.SetDutyCycle(_requestedDuty);
            return;
        }
        _pwm.SetDutyCycle((nowMs / 500) % 2 == 0 ? 1f : 0f);
    }

    private void PublishTelemetry(long utc)
    {
        LampMonitor m = Controller.Monitor;
        _reportedSource = Source(utc);
        _reportedLevel = Round(Controller.Level);
        var w = Runtime.BeginMessage();
        TelemetryEncoder.WriteStreetLight(w, Runtime.Now, Runtime.Ids.Boot, Runtime.Ids.NextSeq(), _reportedLevel, _reportedSource,
            _watts, _volts, m.EnergyMilliwattSeconds / 3600000, m.BurningSeconds / 360 / 10.0, m.SwitchOnCount, _lux, m.ActiveFaults);
        Runtime.Commit(Outbox.Telemetry);
    }

    private string Source(long utc)
    {
        if (!_usingScheduled) return "default";
        LevelOverride? held = Controller.Overrides.ActiveAt(utc);
        if (held != null) return held.FromRule ? "rule" : "override";
        if (_photocell) return "lux";
        return _configured ? "schedule" : "default";
    }

    private static int Round(float level) { return level < 0 ? 0 : (int)(level + 0.5f); }

    // ---- the controller's hardware, passed through ---------------------------------------------------

    void IPwmOutput.SetDutyCycle(float duty)
    {
        _requestedDuty = duty;
        if (!_identifyActive) _pwm.SetDutyCycle(duty);
    }

    bool IPowerMeter.TryRead(out float watts, out float volts)
    {
        if (!_meter.TryRead(out watts, out volts) || _identifyActive) return false; // blinking is not a fault
        _watts = watts;
        _volts = volts;
        return true;
    }

    void ILampFaultSink.FaultChanged(LampFault fault, bool active, long atUtc)
    {
        var w = Runtime.BeginMessage();
        EventEncoder.WriteLampFault(w, Runtime.Time.ClockSet ? atUtc : 0, Runtime.Ids.Boot, Runtime.Ids.NextSeq(), fault, active, Round(Controller.Level), _watts, _volts, "");
        Runtime.Commit(Outbox.Event);
    }
}
