namespace Edge.Firmware.Hydro;

/// <summary>
/// Estimated days a battery node has left at a given sampling interval: charge left (linear between
/// the configured empty and full voltages) divided by the average current of one wake-sleep cycle.
/// A rough but honest number for telemetry; it moves with the sampling rate, so a storm's fast
/// sampling shows up as fewer days at once.
/// </summary>
public static class BatteryEstimator
{
    /// <summary>Days remaining, or -1 when the config has no battery section.</summary>
    public static float DaysRemaining(GaugeConfig config, int millivolts, int intervalS)
    {
        if (!config.HasBattery) return -1;
        float fraction = (float)(millivolts - config.BatteryEmptyMv) / (config.BatteryFullMv - config.BatteryEmptyMv);
        if (fraction < 0) fraction = 0;
        if (fraction > 1) fraction = 1;
        float remainingMah = config.BatteryCapacityMah * fraction;
        if (intervalS < 1) intervalS = 1;
        float activeS = config.ActiveMsPerSample / 1000f;
        if (activeS > intervalS) activeS = intervalS;
        float milliampSecondsPerCycle = config.ActiveCurrentMa * activeS + config.SleepCurrentUa / 1000f * (intervalS - activeS);
        float averageMa = milliampSecondsPerCycle / intervalS;
        return remainingMah / averageMa / 24f;
    }
}
