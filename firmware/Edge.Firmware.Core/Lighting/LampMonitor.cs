using System;

namespace Edge.Firmware.Lighting;

/// <summary>
/// Watches one lamp through periodic power readings: keeps its burning hours, switch-on count and
/// energy, and detects lamp failure, day burner, cycling, dimming failure and supply loss, reporting
/// each fault once when it starts and once when it ends to an <see cref="ILampFaultSink"/>.
/// The street-light controller calls <see cref="Update"/> once per reading (every few seconds) with
/// what it is commanding and what the meter measured. Allocates nothing after construction.
/// </summary>
public sealed class LampMonitor
{
    // A commanded level that moves by less than this between readings still counts as steady
    // (float noise from the dimming curve must not keep restarting the settle time).
    private const float SteadyLevelBand = 0.005f;

    private readonly ILampFaultSink _sink;

    private readonly float _ratedWatts;
    private readonly float _driverFloorWatts;
    private readonly float _litAboveWatts;
    private readonly float _darkBelowWatts;
    private readonly long _switchGraceSeconds;
    private readonly float _lampFailureBelowFraction;
    private readonly long _cyclingWindowSeconds;
    private readonly float _dimmingToleranceWatts;
    private readonly long _dimmingSettleSeconds;
    private readonly bool _supplyMonitored;
    private readonly float _supplyLossBelowVolts;
    private readonly long _maxReadingGapSeconds;

    private readonly FaultConfirmation _supplyLoss;
    private readonly FaultConfirmation _lampFailure;
    private readonly FaultConfirmation _dayBurner;
    private readonly FaultConfirmation _dimmingFailure;
    private readonly TransitionHistory _transitions;

    private bool _started;
    private long _previousUtc;
    private bool _lit;
    private bool _commandOn;
    private long _commandSwitchedUtc;
    private bool _supplyEverLow;
    private long _supplyLowUtc;
    private float _steadyLevel;
    private long _steadySinceUtc;
    private bool _cycling;
    private long _cyclingQuietSeconds;

    private long _burningSeconds;
    private long _switchOnCount;
    private long _energyMilliwattSeconds;
    private long _ignoredReadings;
    private LampFault _activeFaults;

    /// <summary>Throws ArgumentException naming the bad setting when <paramref name="settings"/> is invalid.</summary>
    public LampMonitor(LampMonitorSettings settings, ILampFaultSink sink)
    {
        if (settings == null) throw new ArgumentNullException(nameof(settings));
        if (sink == null) throw new ArgumentNullException(nameof(sink));
        settings.ThrowIfInvalid();
        _sink = sink;

        // Copied, so that changing the settings object later cannot leave the monitor half-reconfigured
        // (the transition ring is sized from it); reconfiguring means a new monitor plus Restore.
        _ratedWatts = settings.RatedWatts;
        _driverFloorWatts = settings.DriverFloorWatts;
        _litAboveWatts = settings.LitAboveWatts;
        _darkBelowWatts = settings.DarkBelowWatts;
        _switchGraceSeconds = settings.SwitchGraceSeconds;
        _lampFailureBelowFraction = settings.LampFailureBelowFraction;
        _cyclingWindowSeconds = settings.CyclingWindowSeconds;
        _dimmingToleranceWatts = settings.DimmingToleranceFraction * settings.RatedWatts;
        _dimmingSettleSeconds = settings.DimmingSettleSeconds;
        _supplyMonitored = settings.SupplyLossBelowVolts > 0f;
        _supplyLossBelowVolts = settings.SupplyLossBelowVolts;
        _maxReadingGapSeconds = settings.MaxReadingGapSeconds;

        _supplyLoss = new FaultConfirmation(settings.SupplyLossConfirmSeconds);
        _lampFailure = new FaultConfirmation(settings.LampFailureConfirmSeconds);
        _dayBurner = new FaultConfirmation(settings.DayBurnerConfirmSeconds);
        _dimmingFailure = new FaultConfirmation(settings.DimmingFailureConfirmSeconds);
        _transitions = new TransitionHistory(settings.CyclingTransitions);
    }

    /// <summary>Seconds the lamp measurably drew power (lit) with the supply present.</summary>
    public long BurningSeconds { get { return _burningSeconds; } }

    /// <summary><see cref="BurningSeconds"/> in hours (computed; for display and reports).</summary>
    public double BurningHours { get { return _burningSeconds / 3600.0; } }

    /// <summary>Measured off→on transitions (not commands). The state at the first reading is not counted.</summary>
    public long SwitchOnCount { get { return _switchOnCount; } }

    /// <summary>Energy the lamp drew, exactly as integrated: each reading's power (rounded to mW) times the seconds since the previous one.</summary>
    public long EnergyMilliwattSeconds { get { return _energyMilliwattSeconds; } }

    /// <summary><see cref="EnergyMilliwattSeconds"/> in watt-hours (computed).</summary>
    public double EnergyWh { get { return _energyMilliwattSeconds / 3600000.0; } }

    /// <summary>Readings ignored because a value was not a number (NaN or infinite).</summary>
    public long IgnoredReadings { get { return _ignoredReadings; } }

    /// <summary>Whether the lamp currently counts as lit (measured, with the lit/dark hysteresis).</summary>
    public bool IsLit { get { return _lit; } }

    /// <summary>Every fault active now.</summary>
    public LampFault ActiveFaults { get { return _activeFaults; } }

    public bool IsActive(LampFault fault)
    {
        return (_activeFaults & fault) != 0;
    }

    /// <summary>
    /// Restores what the node persisted before a restart: the counters, and the faults that were active
    /// (so a fault that is still there is not raised a second time). Only before the first reading.
    /// </summary>
    public void Restore(long burningSeconds, long switchOnCount, long energyMilliwattSeconds, LampFault activeFaults)
    {
        if (_started) throw new InvalidOperationException("Restore must be called before the first reading");
        if (burningSeconds < 0) throw new ArgumentOutOfRangeException(nameof(burningSeconds), "must not be negative");
        if (switchOnCount < 0) throw new ArgumentOutOfRangeException(nameof(switchOnCount), "must not be negative");
        if (energyMilliwattSeconds < 0) throw new ArgumentOutOfRangeException(nameof(energyMilliwattSeconds), "must not be negative");
        const LampFault all = LampFault.LampFailure | LampFault.DayBurner | LampFault.Cycling
            | LampFault.DimmingFailure | LampFault.SupplyLoss;
        if ((activeFaults & ~all) != 0) throw new ArgumentOutOfRangeException(nameof(activeFaults), "unknown fault flags");

        _burningSeconds = burningSeconds;
        _switchOnCount = switchOnCount;
        _energyMilliwattSeconds = energyMilliwattSeconds;
        _activeFaults = activeFaults;
        _supplyLoss.Active = (activeFaults & LampFault.SupplyLoss) != 0;
        _lampFailure.Active = (activeFaults & LampFault.LampFailure) != 0;
        _dayBurner.Active = (activeFaults & LampFault.DayBurner) != 0;
        _dimmingFailure.Active = (activeFaults & LampFault.DimmingFailure) != 0;
        _cycling = (activeFaults & LampFault.Cycling) != 0;
    }

    /// <summary>
    /// One power reading.
    /// </summary>
    /// <param name="nowUtc">Time of the reading, seconds since the Unix epoch, UTC.</param>
    /// <param name="expectedOutput">PWM duty 0..1 the controller drives right now (after minimum level and dimming curve); 0 = commanded off.</param>
    /// <param name="watts">Measured active power of the lamp.</param>
    /// <param name="volts">Measured supply voltage (ignored when supply monitoring is off).</param>
    public void Update(long nowUtc, float expectedOutput, float watts, float volts)
    {
        if (!IsNumber(expectedOutput) || !IsNumber(watts) || (_supplyMonitored && !IsNumber(volts)))
        {
            _ignoredReadings++;
            return;
        }
        if (expectedOutput < 0f) expectedOutput = 0f;
        else if (expectedOutput > 1f) expectedOutput = 1f;
        if (watts < 0f) watts = 0f; // meter offset around zero

        // The interval since the previous reading, if it can be trusted: not too long (meter or node
        // was away) and not negative (clock corrected). Otherwise nothing is integrated over it and no
        // confirmation runs across it.
        long interval = 0;
        bool first = !_started;
        if (!first)
        {
            interval = nowUtc - _previousUtc;
            if (interval < 0 || interval > _maxReadingGapSeconds)
            {
                interval = 0;
                RestartConfirmations(nowUtc);
            }
        }
        _started = true;
        _previousUtc = nowUtc;

        TrackCommand(nowUtc, expectedOutput, first);
        bool transition = TrackLit(watts, first);

        bool supplyLow = _supplyMonitored && volts < _supplyLossBelowVolts;
        if (supplyLow)
        {
            _supplyEverLow = true;
            _supplyLowUtc = nowUtc;
        }
        Apply(LampFault.SupplyLoss, _supplyLoss,
            supplyLow ? FaultEvidence.Faulty : FaultEvidence.Healthy, nowUtc);
        // While the supply is low (or not yet confirmed back), a dark lamp says nothing about the lamp.
        bool supplyDown = supplyLow || _supplyLoss.Active;

        // Counters. The reading stands for the interval that ends at it.
        _energyMilliwattSeconds += (long)(watts * 1000f + 0.5f) * interval;
        if (_lit && !supplyDown)
            _burningSeconds += interval;

        // After a command, and after the supply dipped, the lamp needs time to (re)light or go dark.
        bool pastGrace = nowUtc - _commandSwitchedUtc >= _switchGraceSeconds
            && (!_supplyEverLow || nowUtc - _supplyLowUtc >= _switchGraceSeconds);
        JudgeLamp(nowUtc, expectedOutput, watts, supplyDown, pastGrace);
        JudgeCycling(nowUtc, interval, transition, supplyDown, pastGrace);
    }

    private void TrackCommand(long nowUtc, float expectedOutput, bool first)
    {
        bool commandOn = expectedOutput > 0f;
        if (first || commandOn != _commandOn)
        {
            _commandOn = commandOn;
            _commandSwitchedUtc = nowUtc;
        }
        float change = expectedOutput - _steadyLevel;
        if (first || change > SteadyLevelBand || change < -SteadyLevelBand)
        {
            _steadyLevel = expectedOutput;
            _steadySinceUtc = nowUtc;
        }
    }

    /// <summary>Updates the measured lit state; returns true on a measured on/off transition.</summary>
    private bool TrackLit(float watts, bool first)
    {
        if (first)
        {
            _lit = watts > _litAboveWatts;
            return false;
        }
        if (!_lit && watts > _litAboveWatts)
        {
            _lit = true;
            _switchOnCount++;
            return true;
        }
        if (_lit && watts < _darkBelowWatts)
        {
            _lit = false;
            return true;
        }
        return false;
    }

    private void JudgeLamp(long nowUtc, float expectedOutput, float watts, bool supplyDown, bool pastGrace)
    {
        FaultEvidence lampFailure = FaultEvidence.Unknown;
        FaultEvidence dayBurner = FaultEvidence.Unknown;
        FaultEvidence dimmingFailure = FaultEvidence.Unknown;

        if (!supplyDown && pastGrace)
        {
            if (_commandOn)
            {
                float expectedWatts = _ratedWatts * expectedOutput;
                if (expectedWatts < _driverFloorWatts) expectedWatts = _driverFloorWatts;
                bool tooLittle = watts < _lampFailureBelowFraction * expectedWatts;
                lampFailure = tooLittle ? FaultEvidence.Faulty : FaultEvidence.Healthy;

                // A lamp that is out is a lamp failure, not a dimming failure: judge dimming only on a
                // lit lamp whose command has stopped moving.
                if (!tooLittle && _lit && nowUtc - _steadySinceUtc >= _dimmingSettleSeconds)
                {
                    float deviation = watts - expectedWatts;
                    if (deviation < 0f) deviation = -deviation;
                    dimmingFailure = deviation > _dimmingToleranceWatts ? FaultEvidence.Faulty : FaultEvidence.Healthy;
                }
            }
            else
            {
                dayBurner = _lit ? FaultEvidence.Faulty : FaultEvidence.Healthy;
            }
        }

        Apply(LampFault.LampFailure, _lampFailure, lampFailure, nowUtc);
        Apply(LampFault.DayBurner, _dayBurner, dayBurner, nowUtc);
        Apply(LampFault.DimmingFailure, _dimmingFailure, dimmingFailure, nowUtc);
    }

    private void JudgeCycling(long nowUtc, long interval, bool transition, bool supplyDown, bool pastGrace)
    {
        // Transitions right after a command, or while and after the supply comes and goes, are expected.
        if (transition && pastGrace && !supplyDown)
        {
            _transitions.Record(nowUtc);
            _cyclingQuietSeconds = 0;
            if (!_cycling && _transitions.FullWithin(nowUtc, _cyclingWindowSeconds))
            {
                _cycling = true;
                Notify(LampFault.Cycling, true, nowUtc);
            }
            return;
        }
        // Quiet only counts while the lamp is commanded on with supply: a cycling lamp is quiet all day
        // because it is off, and that proves nothing.
        if (_cycling && _commandOn && pastGrace && !supplyDown)
        {
            _cyclingQuietSeconds += interval;
            if (_cyclingQuietSeconds >= _cyclingWindowSeconds)
            {
                _cycling = false;
                Notify(LampFault.Cycling, false, nowUtc);
            }
        }
    }

    private void Apply(LampFault fault, FaultConfirmation confirmation, FaultEvidence evidence, long nowUtc)
    {
        if (confirmation.Observe(evidence, nowUtc))
            Notify(fault, confirmation.Active, confirmation.ChangedAtUtc);
    }

    private void Notify(LampFault fault, bool active, long atUtc)
    {
        if (active) _activeFaults |= fault;
        else _activeFaults &= ~fault;
        _sink.FaultChanged(fault, active, atUtc);
    }

    private void RestartConfirmations(long nowUtc)
    {
        _supplyLoss.Restart();
        _lampFailure.Restart();
        _dayBurner.Restart();
        _dimmingFailure.Restart();
        // What the command did during the gap is unknown: the level's settle time starts again.
        _steadySinceUtc = nowUtc;
    }

    private static bool IsNumber(float value)
    {
        return !float.IsNaN(value) && !float.IsInfinity(value);
    }
}
