using Edge.Firmware.Hydro;
using Edge.Firmware.Protocol;

namespace Edge.Firmware.Runtime;

/// <summary>
/// A water-level node: <see cref="Gauge"/> on the wire. Samples when the gauge says
/// (<see cref="Gauge.NextSampleAt"/>), publishes telemetry after every sample, and events for flood
/// state, rate-of-rise and sensor-health changes. Commands: <c>sample-now</c>, <c>identify</c> (status
/// LED, when there is one), <c>siren</c> (when a relay is fitted). Without a config (protocol §9.6) it
/// does not sample: the level needs the mounting height from docs/water-gauge.md.
/// </summary>
public sealed class WaterLevelNode : INodeApp, IGaugeEvents
{
    private readonly IStorage _storage;
    private readonly IDistanceSensor _sensor;
    private readonly IRelay? _siren;
    private readonly IRelay? _led;
    private Gauge? _gauge;
    private bool _sampleNow;
    private long _sirenOffMs = long.MaxValue;
    private long _identifyUntilMs;

    public WaterLevelNode(NodeOptions options, IMessageLink link, IStorage storage, IClock clock, IPlatform platform,
        ISntpClient? sntp, IDistanceSensor sensor, IRelay? siren, IRelay? statusLed)
    {
        _storage = storage;
        _sensor = sensor;
        _siren = siren;
        _led = statusLed;
        Runtime = new NodeRuntime(options, this, link, storage, clock, platform, sntp);
        Runtime.Start();
    }

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
            _sirenOffMs = long.MaxValue;
        }
        if (_led != null && _identifyUntilMs != 0)
        {
            bool on = nowMs < _identifyUntilMs && (nowMs / 500) % 2 == 0;
            _led.Set(on);
            if (nowMs >= _identifyUntilMs) _identifyUntilMs = 0;
        }
        Gauge? gauge = _gauge;
        if (gauge == null || !Runtime.Time.ClockSet) return;
        long utc = Runtime.Clock.UtcSeconds;
        if (!_sampleNow && utc < gauge.NextSampleAt) return;
        _sampleNow = false;
        gauge.Sample(utc, _sensor);
        var w = Runtime.BeginMessage();
        TelemetryEncoder.WriteWaterLevel(w, Runtime.Now, Runtime.Ids.Boot, Runtime.Ids.NextSeq(), gauge);
        Runtime.Commit(Outbox.Telemetry);
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
