using Edge.Firmware.Runtime;

namespace Edge.Firmware.Host.Hardware;

/// <summary>
/// The time server of a node whose clock runs simulated time (faster than real time, a demo at <c>--speed 60</c>, or from
/// another start instant): it answers with the
/// clock's own simulated time (<see cref="HostClock.SimulationUtcMilliseconds"/>), the way an SNTP server answers a real
/// node. A synced node takes no gateway <c>time</c> for 12 hours of its own time (protocol §12.2), and the gateway's
/// time is real time: taking it would step the accelerated clock back to the present at every birth and hourly.
/// A clock at real speed from now gets none (a host's own clock is NTP-disciplined; the gateway's time is right for it).
/// </summary>
public sealed class SimulationTimeServer : ISntpClient
{
    private readonly HostClock _clock;

    public SimulationTimeServer(HostClock clock) { _clock = clock; }

    public bool TryQuery(string server, out long utcSeconds, out int milliseconds)
    {
        long ms = _clock.SimulationUtcMilliseconds;
        utcSeconds = ms / 1000;
        milliseconds = (int)(ms % 1000);
        return true;
    }
}
