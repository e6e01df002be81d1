using System;
using System.Collections.Generic;
using System.Text;
using Edge.Firmware.Hydro;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Tests.Hydro;

/// <summary>Storage that keeps one preallocated buffer per key, so writing allocates nothing after the first write.</summary>
internal sealed class FakeStorage : IStorage
{
    private readonly Dictionary<string, byte[]> _buffers = new();
    private readonly Dictionary<string, int> _lengths = new();

    public int Read(string key, byte[] buffer)
    {
        if (!_lengths.TryGetValue(key, out int length)) return -1;
        if (length <= buffer.Length) Array.Copy(_buffers[key], buffer, length);
        return length;
    }

    public void Write(string key, byte[] buffer, int count)
    {
        if (!_buffers.TryGetValue(key, out var stored) || stored.Length < count)
        {
            stored = new byte[Math.Max(count, 2048)];
            _buffers[key] = stored;
        }
        Array.Copy(buffer, stored, count);
        _lengths[key] = count;
    }

    public void Corrupt(string key, int index) { _buffers[key][index] ^= 0x5A; }
}

internal sealed record GaugeEvent(long Time, string Text);

/// <summary>Records every event as text (allocates: not for the allocation test).</summary>
internal sealed class RecordingEvents : IGaugeEvents
{
    public readonly List<GaugeEvent> All = new();
    public readonly List<(long Time, FloodState From, FloodState To, int Level, StateChangeReason Reason)> States = new();
    public readonly List<(long Time, bool Active, int Rise)> Rates = new();
    public readonly List<(long Time, SensorHealth From, SensorHealth To)> Health = new();

    public void StateChanged(long time, FloodState from, FloodState to, int levelMm, StateChangeReason reason)
    {
        States.Add((time, from, to, levelMm, reason));
        All.Add(new GaugeEvent(time, $"state {from}->{to} {levelMm} {reason}"));
    }

    public void RateOfRiseChanged(long time, bool active, int riseMm, int levelMm)
    {
        Rates.Add((time, active, riseMm));
        All.Add(new GaugeEvent(time, $"rate {active} {riseMm} {levelMm}"));
    }

    public void SensorHealthChanged(long time, SensorHealth from, SensorHealth to)
    {
        Health.Add((time, from, to));
        All.Add(new GaugeEvent(time, $"health {from}->{to}"));
    }

    public FloodState[] StateSequence()
    {
        var seq = new List<FloodState> { FloodState.Normal };
        foreach (var s in States) seq.Add(s.To);
        return seq.ToArray();
    }
}

/// <summary>Counts events without allocating.</summary>
internal sealed class CountingEvents : IGaugeEvents
{
    public int StateChanges, RateChanges, HealthChanges;
    public void StateChanged(long time, FloodState from, FloodState to, int levelMm, StateChangeReason reason) { StateChanges++; }
    public void RateOfRiseChanged(long time, bool active, int riseMm, int levelMm) { RateChanges++; }
    public void SensorHealthChanged(long time, SensorHealth from, SensorHealth to) { HealthChanges++; }
}

internal static class GaugeConfigs
{
    /// <summary>A stream gauge 3 m above the bed; thresholds 500/800/1100 mm.</summary>
    public const string Stream = """
    {
      "mode": "stream",
      "mountingHeightMm": 3000,
      "datumOffsetMm": 0,
      "sensor": { "minRangeMm": 300, "maxRangeMm": 5000, "noEchoMm": 5000, "burstSize": 5, "stuckWindowS": 1800, "absentAfterSamples": 3 },
      "spike": { "maxRateMmPerMin": 200, "confirmSamples": 1 },
      "thresholds": {
        "watch":   { "level": 500,  "hysteresisMm": 50, "dwellS": 600 },
        "warning": { "level": 800,  "hysteresisMm": 50, "dwellS": 600 },
        "alarm":   { "level": 1100, "hysteresisMm": 50, "dwellS": 900 }
      },
      "rateOfRise": { "riseMm": 100, "windowS": 600, "clearMm": 50 },
      "sampling": { "calmIntervalS": 900, "fastIntervalS": 60, "risingMm": 30 },
      "battery": { "capacityMah": 19000, "emptyMv": 3000, "fullMv": 3600, "activeCurrentMa": 40, "activeMsPerSample": 3000, "sleepCurrentUa": 60 }
    }
    """;

    public static GaugeConfig Parse(string json) => GaugeConfigReader.Parse(Encoding.UTF8.GetBytes(json));
}

/// <summary>
/// A synthetic storm on a stream, as a function of time (minutes after the start): base flow, a slow
/// onset as the rain starts, a flash rise of 1 m in 20 minutes, a peak, an exponential recession; plus
/// the things a real gauge sees: birds under the sensor, a spider's web in the blind zone, a stray far
/// echo, a stuck period and a dropout.
/// </summary>
internal sealed class StormSensor
{
    public const int MountingHeightMm = 3000;
    public const double Base = 200, OnsetEnd = 350, Peak = 1350;
    public const double OnsetStart = 360, RiseStart = 390, RiseEnd = 410, RecessionStart = 440, RecessionTauMin = 60;
    public const double StuckFrom = 180, StuckTo = 240;
    public const double DropoutFrom = 415, DropoutTo = 425;
    public static readonly double[] Birds = { 120, 490 };
    public const double SpiderWeb = 60, FarEcho = 75;

    private readonly long _t0;

    public StormSensor(long t0) { _t0 = t0; }

    /// <summary>The noiseless true level (mm above the bed) at <paramref name="minute"/>.</summary>
    public static double TrueLevel(double minute)
    {
        if (minute < OnsetStart) return Base;
        if (minute < RiseStart) return Base + (OnsetEnd - Base) * (minute - OnsetStart) / (RiseStart - OnsetStart);
        if (minute < RiseEnd) return OnsetEnd + (Peak - OnsetEnd) * (minute - RiseStart) / (RiseEnd - RiseStart);
        if (minute < RecessionStart) return Peak;
        return Base + (Peak - Base) * Math.Exp(-(minute - RecessionStart) / RecessionTauMin);
    }

    /// <summary>Ripples of ±8 mm, deterministic per (time, reading).</summary>
    public static int Noise(long t, int i)
    {
        uint h = (uint)(t * 2654435761L) ^ (uint)(i * 40503);
        h ^= h >> 13; h *= 0x5bd1e995; h ^= h >> 15;
        return (int)(h % 17) - 8;
    }

    /// <summary>Fills a burst of raw readings taken at <paramref name="t"/>.</summary>
    public void Burst(long t, int[] readings, int count)
    {
        double minute = (t - _t0) / 60.0;
        for (int i = 0; i < count; i++)
        {
            if (minute >= StuckFrom && minute < StuckTo)
            {
                // The sensor's output froze at one value (a little off the true distance, as a frozen echo is).
                readings[i] = MountingHeightMm - (int)Math.Round(TrueLevel(StuckFrom)) + 23;
                continue;
            }
            if (minute >= DropoutFrom && minute < DropoutTo) { readings[i] = 0; continue; }
            int reading = MountingHeightMm - (int)Math.Round(TrueLevel(minute)) + Noise(t, i);
            foreach (double bird in Birds)
            {
                if (minute >= bird && minute < bird + 0.5) reading = 800; // a bird sitting under the sensor for the whole burst
            }
            if (minute == SpiderWeb && i < 2) reading = 150;           // web strands inside the blind zone
            if (minute == FarEcho && i == 0) reading = 3400;           // beyond the stream bed
            readings[i] = reading;
        }
    }

    /// <summary>Runs a node through the storm: it samples when the gauge asks to, until <paramref name="endMinute"/>.</summary>
    public static List<(long Time, long Next, SampleOutcome Outcome)> Run(Func<Gauge> gauge, long t0, double endMinute, Action<long>? afterSample = null)
    {
        var sensor = new StormSensor(t0);
        var log = new List<(long, long, SampleOutcome)>();
        var readings = new int[5];
        long now = t0;
        while (now < t0 + (long)(endMinute * 60))
        {
            var g = gauge();
            sensor.Burst(now, readings, readings.Length);
            var outcome = g.Submit(now, readings, readings.Length);
            log.Add((now, g.NextSampleAt, outcome));
            afterSample?.Invoke(now);
            now = g.NextSampleAt;
        }
        return log;
    }
}
