using System.Collections.Generic;
using Edge.Firmware.Host.Configuration;
using Microsoft.Extensions.Logging;

namespace Edge.Firmware.Host.Hosting;

/// <summary>Makes the running nodes of node.json.</summary>
public static class HostedNodeFactory
{
    public static IReadOnlyList<IHostedNode> CreateAll(IReadOnlyList<NodeSettings> nodes, ILoggerFactory loggers)
    {
        var result = new List<IHostedNode>(nodes.Count);
        foreach (NodeSettings settings in nodes) result.Add(new RuntimeHostedNode(settings, loggers));
        return result;
    }
}
