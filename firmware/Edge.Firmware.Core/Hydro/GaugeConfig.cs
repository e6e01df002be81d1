namespace Edge.Firmware.Hydro;

/// <summary>
/// Everything a water-level gauge needs to know about its site, sensor, thresholds, sampling and
/// battery. Built by <see cref="GaugeConfigReader"/> from the JSON described in docs/water-gauge.md,
/// which validates every field; the constructor only fills in the defaults.
/// </summary>
public sealed class GaugeConfig
{
    public const int DefaultBurstSize = 5;
    public const int MaxBurstSize = 15;

    public GaugeConfig(int mountingHeightMm, ThresholdConfig watch, ThresholdConfig warning, ThresholdConfig alarm)
    {
        MountingHeightMm = mountingHeightMm;
        Watch = watch;
        Warning = warning;
        Alarm = alarm;
    }

    // ---- site ----
    public GaugeMode Mode { get; set; } = GaugeMode.Stream;

    /// <summary>Stream: sensor face above the stream bed. Tank: sensor face above the tank bottom.</summary>
    public int MountingHeightMm { get; set; }

    /// <summary>Stream only: height of the reporting datum (e.g. the gauge-board zero) above the bed.</summary>
    public int DatumOffsetMm { get; set; }

    // ---- sensor ----
    /// <summary>Blind zone: readings closer than this are not water.</summary>
    public int SensorMinRangeMm { get; set; } = 300;

    public int SensorMaxRangeMm { get; set; } = 5000;

    /// <summary>The value the sensor reports when it hears no echo (e.g. MaxBotix reports its maximum range), or -1 for none.</summary>
    public int NoEchoMm { get; set; } = -1;

    /// <summary>Readings per sample, reduced by their median.</summary>
    public int BurstSize { get; set; } = DefaultBurstSize;

    /// <summary>The same distance for this long means the sensor is stuck; 0 turns the check off (calm tanks).</summary>
    public int StuckWindowS { get; set; } = 21600;

    /// <summary>This many consecutive bursts without echo mean the sensor is absent.</summary>
    public int AbsentAfterSamples { get; set; } = 3;

    // ---- spike filter ----
    /// <summary>Fastest plausible change of the level; faster jumps wait for confirmation.</summary>
    public int SpikeMaxRateMmPerMin { get; set; } = 200;

    /// <summary>How many following samples must agree before a held jump counts.</summary>
    public int SpikeConfirmSamples { get; set; } = 1;

    // ---- thresholds ----
    public ThresholdConfig Watch { get; set; }
    public ThresholdConfig Warning { get; set; }
    public ThresholdConfig Alarm { get; set; }

    // ---- rate of rise ----
    /// <summary>The rate-of-rise alarm turns on when the level rises at least this much within <see cref="RiseWindowS"/>.</summary>
    public int RiseMm { get; set; } = 100;

    public int RiseWindowS { get; set; } = 600;

    /// <summary>… and off again when the rise within the window is at most this.</summary>
    public int RiseClearMm { get; set; } = 50;

    // ---- sampling ----
    public int CalmIntervalS { get; set; } = 900;
    public int FastIntervalS { get; set; } = 60;

    /// <summary>A rise of at least this much within the rate-of-rise window switches to fast sampling.</summary>
    public int RisingMm { get; set; } = 30;

    // ---- battery (optional) ----
    public bool HasBattery { get; set; }
    public int BatteryCapacityMah { get; set; }
    public int BatteryEmptyMv { get; set; }
    public int BatteryFullMv { get; set; }

    /// <summary>Current while awake for one sample (sensor, radio), and how long a sample keeps the node awake.</summary>
    public int ActiveCurrentMa { get; set; }
    public int ActiveMsPerSample { get; set; }
    public int SleepCurrentUa { get; set; }

    /// <summary>The threshold that enters <paramref name="state"/> (Watch, Warning or Alarm).</summary>
    public ThresholdConfig Threshold(FloodState state)
    {
        if (state == FloodState.Watch) return Watch;
        if (state == FloodState.Warning) return Warning;
        return Alarm;
    }

    /// <summary>The level at the sensor face (distance 0): every level is this minus the distance.</summary>
    public int LevelBasisMm { get { return LevelFromDistance(0); } }

    /// <summary>The reported level for a distance from the sensor face.</summary>
    public int LevelFromDistance(int distanceMm)
    {
        return MountingHeightMm - distanceMm - (Mode == GaugeMode.Tank ? 0 : DatumOffsetMm);
    }

    /// <summary>The highest level the sensor can measure (water at the edge of its blind zone).</summary>
    public int HighestMeasurableLevelMm { get { return LevelFromDistance(SensorMinRangeMm); } }

    /// <summary>The farthest reading that can be water: the bed/bottom or the sensor's range, whichever is nearer.</summary>
    public int FarthestPlausibleDistanceMm
    {
        get { return MountingHeightMm < SensorMaxRangeMm ? MountingHeightMm : SensorMaxRangeMm; }
    }
}
