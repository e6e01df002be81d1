using Edge.Firmware.Hydro;
using Edge.Firmware.Protocol;

namespace Edge.Firmware.Runtime;

/// <summary>
/// A water-level node: <see cref="Gauge"/> on the wire. Samples when the gauge says
/// (<see cref="Gauge.NextSampleAt"/>), publishes telemetry after every sample, and events for flood
/// state, rate-of-rise and sensor-health changes. Commands: <c>sample-now</c>, <c>identify</c> (status
/// LED, when there is one), <c>siren</c> (when a relay is fitted). Without a config (protocol §9.6) it
/// does not sample: the level needs the mounting height from docs/water-gauge.md.
/// With <see cref="SleepSettings"/> it is a battery node (protocol §4.6): after the sample, the drained
/// outbox and a short listen for commands it deep-sleeps until <see cref="Gauge.NextSampleAt"/>; boot and
/// seq live on in retained memory. The battery voltage is read after every sample; below 20 % of the
/// configured <c>battery</c> range (docs/water-gauge.md) it raises <c>hw.fault</c> <c>battery</c>, cleared above 25 %.
/// </summary>
public sealed class WaterLevelNode : INodeApp, IGaugeEvents
{
    private readonly IStorage _storage;
    private readonly IDistanceSensor _sensor;
    private readonly IRelay? _siren;
    private readonly IRelay? _led;
    private readonly IBatteryMonitor? _battery;
    private readonly SleepSettings? _sleep;
    private readonly long _wakeMs;
    private readonly byte[] _batteryRecord = new byte[1];
    private bool _batteryLow;
    private Gauge? _gauge;
    private bool _sampleNow;
    private long _sirenOffMs = long.MaxValue;
    private bool _sirenOn;
    private long _identifyUntilMs;

    public WaterLevelNode(NodeOptions options, IMessageLink link, IStorage storage, IClock clock, IPlatform platform,
        ISntpClient? sntp, IDistanceSensor sensor, IRelay? siren, IRelay? statusLed)
        : this(options, link, storage, null, clock, platform, sntp, sensor, siren, statusLed, null, null)
    {
    }

    /// <param name="retained">RTC memory kept across deep sleep (on a host, the same storage will do).</param>
    /// <param name="battery">Battery voltage, or null on mains power.</param>
    /// <param name="sleep">Deep-sleep behaviour, or null for a node that stays awake.</param>
    public WaterLevelNode(NodeOptions options, IMessageLink link, IStorage storage, IStorage? retained, IClock clock, IPlatform platform,
        ISntpClient? sntp, IDistanceSensor sensor, IRelay? siren, IRelay? statusLed, IBatteryMonitor? battery, SleepSettings? sleep)
    {
        _storage = storage;
        _sensor = sensor;
        _siren = siren;
        _led = statusLed;
        _battery = battery;
        _sleep = sleep;
        _wakeMs = clock.MonotonicMs;
        _batteryLow = storage.Read(BatteryLowKey, _batteryRecord) == 1 && _batteryRecord[0] == 1;
        Runtime = new NodeRuntime(options, this, link, storage, clock, platform, sntp, retained);
        Runtime.Start();
    }

    /// <summary>Storage record of the raised battery fault, so a wake-up does not raise it again.</summary>
    public const string BatteryLowKey = "hydro.batlow";

    public bool BatteryLow { get { return _batteryLow; } }

    public NodeRuntime Runtime { get; }

    /// <summary>The gauge of the applied config; null until one is applied.</summary>
    public Gauge? Gauge { get { return _gauge; } }

    public void Tick() { Runtime.Tick(); }

    public string NodeType { get { return Wire.TypeWaterLevel; } }

    public bool WantsDisplay { get { return false; } }

    public void ApplyDefaults() { _gauge = null; }

    public bool TryApplyConfig(NodeConfig config, out string error)
    {
        // The gauge restores its persisted state, so a new config continues from the last sample.
        _gauge = new Gauge(config.Water!, _storage, this);
        error = "";
        return true;
    }

    public void OnDisplay(byte[] payload, int offset, int count)
    {
    }

    public void OnShutdown()
    {
    }

    public void FillStatus(NodeStatus status)
    {
    }

    public bool Supports(string kind)
    {
        return kind == CommandDecoder.KindSampleNow
            || (kind == CommandDecoder.KindIdentify && _led != null)
            || (kind == CommandDecoder.KindSiren && _siren != null);
    }

    public CommandResult Execute(CommandMessage command, out string failure)
    {
        failure = "";
        long nowMs = Runtime.Clock.MonotonicMs;
        if (command.Kind == CommandDecoder.KindSampleNow)
        {
            if (_gauge == null)
            {
                failure = "no config yet: the gauge cannot compute a level";
                return CommandResult.Failed;
            }
            _sampleNow = true;
        }
        else if (command.Kind == CommandDecoder.KindSiren)
        {
            _siren!.Set(command.On);
            _sirenOn = command.On;
            _sirenOffMs = command.On && command.DurationS > 0 ? nowMs + command.DurationS * 1000 : long.MaxValue;
        }
        else if (command.Kind == CommandDecoder.KindIdentify)
        {
            _identifyUntilMs = nowMs + command.DurationS * 1000;
        }
        return CommandResult.Ok;
    }

    public void Tick(long nowMs)
    {
        if (nowMs >= _sirenOffMs)
        {
            _siren!.Set(false);
            _sirenOn = false;
            _sirenOffMs = long.MaxValue;
        }
        if (_led != null && _identifyUntilMs != 0)
        {
            bool on = nowMs < _identifyUntilMs && (nowMs / 500) % 2 == 0;
            _led.Set(on);
            if (nowMs >= _identifyUntilMs) _identifyUntilMs = 0;
        }
        Gauge? gauge = _gauge;
        bool ready = gauge != null && Runtime.Time.ClockSet;
        if (ready && (_sampleNow || Runtime.Clock.UtcSeconds >= gauge!.NextSampleAt))
        {
            _sampleNow = false;
            long utc = Runtime.Clock.UtcSeconds;
            gauge!.Sample(utc, _sensor);
            ReadBattery(gauge, utc);
            var w = Runtime.BeginMessage();
            TelemetryEncoder.WriteWaterLevel(w, Runtime.Now, Runtime.Ids.Boot, Runtime.Ids.NextSeq(), gauge);
            Runtime.Commit(Outbox.Telemetry);
        }
        if (_sleep != null) MaybeSleep(nowMs, ready ? gauge : null);
    }

    private void ReadBattery(Gauge gauge, long utc)
    {
        if (_battery == null || !_battery.TryReadMillivolts(out int mv)) return;
        gauge.UpdateBattery(mv);
        var c = gauge.Config;
        if (!c.HasBattery) return;
        int span = c.BatteryFullMv - c.BatteryEmptyMv;
        bool low = _batteryLow ? mv < c.BatteryEmptyMv + span / 4 : mv < c.BatteryEmptyMv + span / 5;
        if (low == _batteryLow) return;
        _batteryLow = low;
        _batteryRecord[0] = low ? (byte)1 : (byte)0;
        _storage.Write(BatteryLowKey, _batteryRecord, 1);
        var w = Runtime.BeginMessage();
        EventEncoder.WriteHardwareFault(w, utc, Runtime.Ids.Boot, Runtime.Ids.NextSeq(), "battery", low, low ? "battery low" : "battery recovered");
        Runtime.Commit(Outbox.Event);
    }

    /// <summary>Ends the wake-up when its work is done (protocol §4.6), or when it has lasted too long.</summary>
    private void MaybeSleep(long nowMs, Gauge? gauge)
    {
        SleepSettings s = _sleep!;
        if (Runtime.ShutdownPending || _sirenOn || _identifyUntilMs != 0) return; // a relay or LED in use needs the node awake
        long awakeMs = nowMs - _wakeMs;
        if (gauge == null)
        {
            if (awakeMs >= s.UnconfiguredAwakeS * 1000L) Runtime.BeginSleep(s.UnconfiguredSleepS);
            return;
        }
        long since = Runtime.Connection.OnlineSinceMs;
        bool done = Runtime.Outbox.Count == 0 && since >= 0 && nowMs - since >= s.ListenS * 1000L && !_sampleNow;
        if (!done && awakeMs < s.MaxAwakeS * 1000L) return;
        long seconds = gauge.NextSampleAt - Runtime.Clock.UtcSeconds;
        Runtime.BeginSleep(seconds < s.MinSleepS ? s.MinSleepS : seconds);
    }

    // ---- gauge events → protocol events --------------------------------------------------------

    void IGaugeEvents.StateChanged(long time, FloodState from, FloodState to, int levelMm, StateChangeReason reason)
    {
        var w = Runtime.BeginMessage();
        EventEncoder.WriteFloodState(w, time, Runtime.Ids.Boot, Runtime.Ids.NextSeq(), from, to, reason, levelMm);
        Runtime.Commit(Outbox.Event);
    }

    void IGaugeEvents.RateOfRiseChanged(long time, bool active, int riseMm, int levelMm)
    {
        var w = Runtime.BeginMessage();
        EventEncoder.WriteFloodRate(w, time, Runtime.Ids.Boot, Runtime.Ids.NextSeq(), active, riseMm, levelMm);
        Runtime.Commit(Outbox.Event);
    }

    void IGaugeEvents.SensorHealthChanged(long time, SensorHealth from, SensorHealth to)
    {
        var w = Runtime.BeginMessage();
        EventEncoder.WriteHardwareFault(w, time, Runtime.Ids.Boot, Runtime.Ids.NextSeq(), "ultrasonic", to != SensorHealth.Ok,
            to == SensorHealth.Ok ? "sensor recovered" : (to == SensorHealth.Stuck ? "sensor stuck" : "sensor absent"));
        Runtime.Commit(Outbox.Event);
    }
}
