using System;

namespace Edge.Sim.Demo;

/// <summary>
/// The demo's node time as a <see cref="TimeProvider"/>. With <see cref="DemoOptions.Speed"/> 1 and no
/// <see cref="DemoOptions.ClockStart"/> it is real time. Otherwise it is simulated: it stands at the start instant (or
/// real time) until the nodes start (<see cref="Run"/>), then runs from there at the demo's speed. Every node clock
/// starts on it, the gateway writes command times and banner validity in it (Edge.Gateway.Downlink.NodeTime), and the
/// stand-in transit feed dates its departures in it, so an accelerated site agrees with itself.
/// </summary>
public sealed class NodeClockTime : TimeProvider
{
    private readonly double _speed;
    private readonly DateTimeOffset? _start;
    private DateTimeOffset _runFrom;
    private long _runTimestamp;
    private volatile bool _running;

    public NodeClockTime(double speed, DateTimeOffset? start)
    {
        _speed = speed;
        _start = start;
        Simulated = speed != 1 || start.HasValue;
    }

    /// <summary>True when node time is not real time: nodes then keep their own time (docs/host-node.md).</summary>
    public bool Simulated { get; }

    /// <summary>Node time starts running (called as the nodes start, so a night at 3600× is not spent starting up).</summary>
    public void Run()
    {
        if (_running) return;
        _runFrom = _start ?? System.GetUtcNow();
        _runTimestamp = System.GetTimestamp();
        _running = true;
    }

    public override DateTimeOffset GetUtcNow()
    {
        if (!Simulated) return System.GetUtcNow();
        if (!_running) return _start ?? System.GetUtcNow();
        return _runFrom + System.GetElapsedTime(_runTimestamp) * _speed;
    }
}
