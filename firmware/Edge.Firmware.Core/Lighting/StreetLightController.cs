using System;

namespace Edge.Firmware.Lighting;

/// <summary>
/// The street light's control loop: every tick it asks the dimming engine for the commanded level,
/// drives the PWM output through the profile's dimming curve, and at the reading interval feeds the
/// power meter into lamp monitoring. It runs from the node's own clock and last schedule, so the pole
/// keeps following its profile with no network at all. Steady-state ticks allocate nothing.
/// </summary>
public sealed class StreetLightController
{
    private readonly OverrideSet _overrides;
    private readonly IPwmOutput _pwm;
    private readonly IPowerMeter _meter;
    private readonly LampMonitor _monitor;
    private readonly int _readingInterval;
    private DimmingEngine _engine;
    private long _nextReading = long.MinValue;
    private float _level = -1;
    private float _output = -1;
    private long _meterFailures;

    public StreetLightController(DimmingEngine engine, OverrideSet overrides, IPwmOutput pwm, IPowerMeter meter,
        LampMonitor monitor, int readingIntervalSeconds)
    {
        if (readingIntervalSeconds < 1) throw new ArgumentOutOfRangeException("readingIntervalSeconds");
        _engine = engine;
        _overrides = overrides;
        _pwm = pwm;
        _meter = meter;
        _monitor = monitor;
        _readingInterval = readingIntervalSeconds;
    }

    /// <summary>Level in percent commanded at the last tick.</summary>
    public float Level { get { return _level; } }

    /// <summary>Driver output (0–1) set at the last tick.</summary>
    public float Output { get { return _output; } }

    public DimmingEngine Engine { get { return _engine; } }

    public OverrideSet Overrides { get { return _overrides; } }

    public LampMonitor Monitor { get { return _monitor; } }

    /// <summary>Readings the power meter failed to deliver (reported in telemetry).</summary>
    public long MeterFailures { get { return _meterFailures; } }

    /// <summary>
    /// Swaps in a new schedule engine (a new config was applied). Building the engine is where a bad
    /// document is rejected, so a node that is sent a broken config simply keeps the one it has.
    /// </summary>
    public void UseEngine(DimmingEngine engine)
    {
        _engine = engine;
    }

    /// <summary>
    /// Applies a new lighting schedule document for the same place and time zone. A document that
    /// fails validation throws (JsonFormatException or ScheduleFormatException, saying what and where)
    /// and the controller keeps the schedule it had: a pole never goes dark over a bad config.
    /// </summary>
    public void ApplySchedule(byte[] utf8)
    {
        var schedule = LightingScheduleParser.Parse(utf8);
        _engine = new DimmingEngine(schedule, _engine.Latitude, _engine.Longitude, _engine.Zone);
    }

    public void Tick(long nowUtc)
    {
        _overrides.RemoveExpired(nowUtc);
        float level = _engine.LevelAt(nowUtc, _overrides, out DimmingCurve curve);
        float output = DimmingCurves.ToOutput(level, curve);
        _level = level;
        if (output != _output)
        {
            _pwm.SetDutyCycle(output);
            _output = output;
        }

        if (nowUtc >= _nextReading)
        {
            _nextReading = nowUtc + _readingInterval;
            if (_meter.TryRead(out float watts, out float volts)) _monitor.Update(nowUtc, output, watts, volts);
            else _meterFailures++;
        }
    }
}
