using Edge.Firmware.Protocol;

namespace Edge.Firmware.Runtime;

/// <summary>
/// One node type's behaviour as <see cref="NodeRuntime"/> drives it: config, commands, its own loop and
/// its part of <c>state</c>. Implemented by StreetLightNode, WaterLevelNode and BusStopNode.
/// </summary>
public interface INodeApp : IConfigTarget, ICommandTarget
{
    /// <summary><c>streetlight</c>, <c>waterlevel</c> or <c>busstop</c>.</summary>
    string NodeType { get; }

    /// <summary>Whether the node subscribes to <c>display</c> (bus stops, protocol §3.2).</summary>
    bool WantsDisplay { get; }

    /// <summary>No usable config: run the built-in defaults (protocol §9.6).</summary>
    void ApplyDefaults();

    /// <summary>A non-empty <c>display</c> payload arrived.</summary>
    void OnDisplay(byte[] payload, int offset, int count);

    /// <summary>Runs the node's brain once; publishes through the runtime. Must not allocate in steady state.</summary>
    void Tick(long nowMs);

    /// <summary>A planned reboot or deep sleep is about to happen: write what must survive it.</summary>
    void OnShutdown();

    /// <summary>Adds the node type's members to <c>state</c> (e.g. displayVersion).</summary>
    void FillStatus(NodeStatus status);
}
