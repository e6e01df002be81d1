using System;
using System.Collections.Generic;
using Edge.Firmware.Host.Configuration;

namespace Edge.Firmware.Host.Hosting;

/// <summary>What the host runs: the nodes of node.json and how often their loops tick.</summary>
public sealed class NodeHostOptions
{
    public IReadOnlyList<NodeSettings> Nodes { get; set; } = Array.Empty<NodeSettings>();

    /// <summary>Real time between two ticks of every node (the device loop runs every 100 ms–1 s).</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Real time a clean host stop waits for the nodes' planned offline states before cutting them off.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
