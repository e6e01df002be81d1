namespace Edge.Firmware.Hydro;

/// <summary>How the gauge turns a distance into a level.</summary>
public enum GaugeMode
{
    /// <summary>A stream: level = mounting height − distance − datum offset (may go below the datum).</summary>
    Stream = 0,

    /// <summary>A tank: level from the bottom = mounting height − distance (the sensor-to-bottom distance).</summary>
    Tank = 1,
}

/// <summary>Flood states, in order of severity (the numeric order is used for comparisons).</summary>
public enum FloodState
{
    Normal = 0,
    Watch = 1,
    Warning = 2,
    Alarm = 3,
}

/// <summary>Health of the distance sensor as the gauge sees it.</summary>
public enum SensorHealth
{
    Ok = 0,

    /// <summary>The same distance for longer than the stuck window: readings are ignored until it changes.</summary>
    Stuck = 1,

    /// <summary>Consecutive bursts without echo (unplugged, drowned, broken): the state is held, not reset.</summary>
    Absent = 2,
}

/// <summary>Why a reading or a sample was not used. The first three count raw readings, the rest count samples.</summary>
public enum RejectReason
{
    /// <summary>A reading of zero or less, or the sensor's own "no target" value: no echo or a timeout.</summary>
    NoEcho = 0,

    /// <summary>Closer than the sensor's minimum range (its blind zone): a spider's web, a leaf, condensation.</summary>
    TooClose = 1,

    /// <summary>Farther than the mounting height or the sensor's maximum range: nothing can be there.</summary>
    TooFar = 2,

    /// <summary>A burst whose valid readings were not a majority: no sample taken.</summary>
    TooFewReadings = 3,

    /// <summary>A sample that jumped faster than plausible and was not confirmed by the next sample(s).</summary>
    Spike = 4,

    /// <summary>A sample taken while the sensor repeated the same distance for longer than the stuck window.</summary>
    Stuck = 5,
}

/// <summary>Why the flood state changed.</summary>
public enum StateChangeReason
{
    /// <summary>The level reached the threshold of the new state (escalation is never delayed).</summary>
    LevelReachedThreshold = 0,

    /// <summary>The level stayed below the old state's threshold minus its hysteresis for its dwell time.</summary>
    LevelBelowReleaseForDwell = 1,
}

/// <summary>What became of one sample.</summary>
public enum SampleOutcome
{
    /// <summary>The sample's level is the gauge's level now.</summary>
    Accepted = 0,

    /// <summary>An implausible jump, held until the next sample(s) confirm or refute it.</summary>
    Held = 1,

    /// <summary>No usable level (too few valid readings, stuck sensor).</summary>
    Rejected = 2,
}
