namespace Edge.Firmware.Lighting;

/// <summary>
/// Receives lamp fault changes from <see cref="LampMonitor"/>: exactly one call when a fault starts and
/// one when it ends. Called synchronously from <see cref="LampMonitor.Update"/>, so implementations on
/// the node must not allocate (queue into a preallocated buffer, publish later).
/// </summary>
public interface ILampFaultSink
{
    /// <param name="fault">A single fault (one flag).</param>
    /// <param name="active">True when the fault starts, false when it ends.</param>
    /// <param name="atUtc">
    /// Seconds since the Unix epoch, UTC: the reading at which the change was first seen, i.e. the start
    /// of the confirmation period (the event itself is delivered once the change is confirmed).
    /// </param>
    void FaultChanged(LampFault fault, bool active, long atUtc);
}
