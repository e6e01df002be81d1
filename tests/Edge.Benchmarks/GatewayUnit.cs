using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Edge.Benchmarks;

/// <summary>
/// What deploy/edge-gateway.service puts in the gateway's environment: its <c>Environment=NAME=value</c> lines, read from
/// the repository above the running binaries. The benchmark starts the gateway with them (as shipped) and the gateway
/// tests check they take effect (linked into Edge.Gateway.Tests).
/// </summary>
internal static class GatewayUnit
{
    public static Dictionary<string, string> Environment()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "deploy", "edge-gateway.service"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException("deploy/edge-gateway.service not found above " + AppContext.BaseDirectory + "; run from the repository");
        return File.ReadLines(Path.Combine(dir.FullName, "deploy", "edge-gateway.service"))
            .Where(l => l.StartsWith("Environment=", StringComparison.Ordinal))
            .Select(l => l["Environment=".Length..].Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
    }
}
