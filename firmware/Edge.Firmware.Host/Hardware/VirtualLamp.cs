using System;
using System.Collections.Generic;
using Edge.Firmware.Lighting;

namespace Edge.Firmware.Host.Hardware;

/// <summary>What is wrong with a <see cref="VirtualLamp"/> (the faults of protocol §7.2, made to happen).</summary>
public enum LampMode
{
    /// <summary>Power follows the duty cycle.</summary>
    Normal,
    /// <summary>The lamp is dead: the driver draws next to nothing whatever the level.</summary>
    Fail,
    /// <summary>The lamp goes out and comes back every <see cref="VirtualLamp.CycleSeconds"/> (a failing HID lamp or a thermal cut-out).</summary>
    Cycle,
    /// <summary>A stuck relay or driver: full power even when dimmed to 0 (a day burner).</summary>
    BurnByDay,
    /// <summary>The supply is gone: 0 V, 0 W.</summary>
    SupplyLoss,
}

/// <summary>A duty change of a <see cref="VirtualLamp"/>: set at node time <see cref="AtUtc"/>; the tick before it started at <see cref="AfterUtc"/>.</summary>
public readonly record struct DutyChange(long AfterUtc, long AtUtc, float Duty);

/// <summary>
/// A street lamp and its power meter: the PWM duty sets the light, the meter reads power that follows
/// duty × rated watts with a little noise, as an INA219 on the driver's DC side would (protocol §6.2).
/// </summary>
public sealed class VirtualLamp : IPwmOutput, IPowerMeter
{
    private const float StandbyWatts = 0.4f;
    private readonly Func<long> _nowSeconds;
    private readonly Random _random;
    private float _duty;
    private const int MaxChanges = 1000;
    private readonly List<DutyChange> _changes = new();
    private long _tickUtc;
    private long _previousTickUtc;

    /// <param name="nowSeconds">The node clock (for cycling).</param>
    public VirtualLamp(Func<long> nowSeconds, float ratedWatts = 40f, float supplyVolts = 230f, float noise = 0.02f, int seed = 0)
    {
        if (!(ratedWatts > 0)) throw new ArgumentOutOfRangeException(nameof(ratedWatts), ratedWatts, "rated watts must be > 0");
        if (!(noise >= 0 && noise < 0.5f)) throw new ArgumentOutOfRangeException(nameof(noise), noise, "noise must be in 0..0.5");
        _nowSeconds = nowSeconds;
        RatedWatts = ratedWatts;
        SupplyVolts = supplyVolts;
        Noise = noise;
        _random = new Random(seed);
    }

    public float RatedWatts { get; }
    public float SupplyVolts { get; }
    public float Noise { get; }

    /// <summary>Can change while the node runs (the simulator injects faults).</summary>
    public LampMode Mode { get; set; } = LampMode.Normal;

    /// <summary>Half-period of <see cref="LampMode.Cycle"/>: on this long, then off this long.</summary>
    public int CycleSeconds { get; set; } = 30;

    /// <summary>The duty cycle last set by the firmware, 0..1.</summary>
    public float Duty => _duty;

    /// <summary>Whether the lamp gives light now (for a simulator's map).</summary>
    public bool Lit => TrueWatts() > RatedWatts * 0.05f;

    public void SetDutyCycle(float duty)
    {
        _duty = duty < 0 ? 0 : duty > 1 ? 1 : duty;
        lock (_changes)
        {
            _changes.Add(new DutyChange(_previousTickUtc, _nowSeconds(), _duty));
            if (_changes.Count > MaxChanges) _changes.RemoveAt(0);
        }
    }

    /// <summary>The host starts a control tick of the node at node time <paramref name="nodeUtc"/> (<see cref="Changes"/>).</summary>
    public void BeginTick(long nodeUtc)
    {
        _previousTickUtc = _tickUtc;
        _tickUtc = nodeUtc;
    }

    /// <summary>
    /// The last duty changes (at most 1000), each with the node time it was set and the start of the control tick before
    /// it: that tick still computed the old level, so the change became due in (<see cref="DutyChange.AfterUtc"/>,
    /// <see cref="DutyChange.AtUtc"/>] however fast or unevenly the host ticks. What a schedule test compares with a sun
    /// reference.
    /// </summary>
    public IReadOnlyList<DutyChange> Changes()
    {
        lock (_changes) return _changes.ToArray();
    }

    public bool TryRead(out float watts, out float volts)
    {
        float w = TrueWatts();
        volts = Mode == LampMode.SupplyLoss ? 0f : SupplyVolts * (1f + Jitter(0.005f));
        watts = w <= 0 ? 0f : Math.Max(0f, w * (1f + Jitter(Noise)));
        return true;
    }

    private float TrueWatts()
    {
        switch (Mode)
        {
            case LampMode.Fail:
                return 0.5f;
            case LampMode.SupplyLoss:
                return 0f;
            case LampMode.BurnByDay:
                return RatedWatts;
            case LampMode.Cycle:
                bool outNow = (_nowSeconds() / Math.Max(1, CycleSeconds)) % 2 == 1;
                return outNow ? StandbyWatts : Follow();
            default:
                return Follow();
        }
    }

    private float Follow() => _duty <= 0 ? StandbyWatts : StandbyWatts + _duty * RatedWatts;

    private float Jitter(float amplitude) => amplitude == 0 ? 0 : (float)((_random.NextDouble() * 2 - 1) * amplitude);
}
