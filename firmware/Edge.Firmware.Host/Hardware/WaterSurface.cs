using System;
using System.Collections.Generic;
using Edge.Firmware.Hydro;

namespace Edge.Firmware.Host.Hardware;

/// <summary>One point of a scripted water level: <see cref="LevelMm"/> reached <see cref="AtSeconds"/> after the start.</summary>
public readonly record struct LevelPoint(long AtSeconds, int LevelMm);

/// <summary>
/// A stream under an ultrasonic sensor: the level follows a scripted piecewise-linear curve (or a named
/// scenario), and each reading is the distance from the sensor face to the surface with noise, an
/// occasional spike (a leaf, a wave, rain on the sensor) and an occasional missing echo.
/// </summary>
public sealed class WaterSurface : IDistanceSensor
{
    private readonly LevelPoint[] _curve;
    private readonly Func<long> _nowSeconds;
    private readonly long _startSeconds;
    private readonly Random _random;

    public WaterSurface(Func<long> nowSeconds, int mountMm, IReadOnlyList<LevelPoint> curve, int noiseMm = 4,
        double spikeRate = 0.02, double noEchoRate = 0.01, int seed = 0)
    {
        if (curve.Count == 0) throw new ArgumentException("the level curve needs at least one point", nameof(curve));
        for (int i = 1; i < curve.Count; i++)
        {
            if (curve[i].AtSeconds <= curve[i - 1].AtSeconds)
                throw new ArgumentException("curve[" + i + "]: time " + curve[i].AtSeconds + " s must be after " + curve[i - 1].AtSeconds + " s", nameof(curve));
        }
        _nowSeconds = nowSeconds;
        _startSeconds = nowSeconds();
        MountMm = mountMm;
        _curve = new LevelPoint[curve.Count];
        for (int i = 0; i < curve.Count; i++) _curve[i] = curve[i];
        NoiseMm = noiseMm;
        SpikeRate = spikeRate;
        NoEchoRate = noEchoRate;
        _random = new Random(seed);
    }

    public int MountMm { get; }
    public int NoiseMm { get; }
    public double SpikeRate { get; }
    public double NoEchoRate { get; }

    /// <summary>When set, every reading is a missing echo (a dead or iced-over sensor).</summary>
    public bool SensorDead { get; set; }

    /// <summary>The true level now, without noise.</summary>
    public int LevelMm => LevelAt(_nowSeconds() - _startSeconds);

    public int ReadDistanceMm()
    {
        if (SensorDead || _random.NextDouble() < NoEchoRate) return 0;
        int distance = MountMm - LevelMm;
        if (NoiseMm > 0) distance += _random.Next(-NoiseMm, NoiseMm + 1);
        if (_random.NextDouble() < SpikeRate) distance += _random.Next(2) == 0 ? -400 : 400;
        return Math.Max(1, distance);
    }

    /// <summary>The scripted level <paramref name="elapsedSeconds"/> after the start (held before the first and after the last point).</summary>
    public int LevelAt(long elapsedSeconds)
    {
        if (elapsedSeconds <= _curve[0].AtSeconds) return _curve[0].LevelMm;
        for (int i = 1; i < _curve.Length; i++)
        {
            if (elapsedSeconds <= _curve[i].AtSeconds)
            {
                LevelPoint a = _curve[i - 1], b = _curve[i];
                return a.LevelMm + (int)((b.LevelMm - a.LevelMm) * (elapsedSeconds - a.AtSeconds) / (b.AtSeconds - a.AtSeconds));
            }
        }
        return _curve[^1].LevelMm;
    }

    /// <summary>Named curves for demos, in millimetres above the stream bed.</summary>
    public static IReadOnlyList<LevelPoint>? Scenario(string name) => name switch
    {
        // A dry-season stream: a few centimetres.
        "calm" => new[] { new LevelPoint(0, 120) },
        // A winter storm: rain for an hour, a fast rise through watch/warning into alarm, a slow fall.
        "storm" => new[]
        {
            new LevelPoint(0, 150), new LevelPoint(3600, 400), new LevelPoint(5400, 1000),
            new LevelPoint(6600, 1900), new LevelPoint(8400, 2000), new LevelPoint(14400, 900),
            new LevelPoint(28800, 250),
        },
        // A flash flood: 1.8 m in twenty minutes, gone again in two hours.
        "flash" => new[]
        {
            new LevelPoint(0, 100), new LevelPoint(600, 120), new LevelPoint(1800, 1900),
            new LevelPoint(2400, 1950), new LevelPoint(9600, 200),
        },
        _ => null,
    };

    public static readonly string[] ScenarioNames = { "calm", "storm", "flash" };
}
