namespace Edge.Firmware.Hydro;

/// <summary>
/// Receives what a gauge must report at once (the node publishes these as MQTT events before it sleeps
/// again). Called synchronously from <see cref="Gauge.Submit"/>, with plain values only so the node
/// allocates nothing.
/// </summary>
public interface IGaugeEvents
{
    /// <summary>The flood state changed from <paramref name="from"/> to <paramref name="to"/> at <paramref name="time"/> (Unix seconds).</summary>
    void StateChanged(long time, FloodState from, FloodState to, int levelMm, StateChangeReason reason);

    /// <summary>
    /// The rate-of-rise alarm turned on or off. <paramref name="riseMm"/> is the rise over the configured
    /// window that decided it.
    /// </summary>
    void RateOfRiseChanged(long time, bool active, int riseMm, int levelMm);

    /// <summary>The sensor became stuck or absent, or recovered.</summary>
    void SensorHealthChanged(long time, SensorHealth from, SensorHealth to);
}
