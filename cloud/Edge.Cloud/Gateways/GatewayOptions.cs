using System.Collections.Generic;

namespace Edge.Cloud.Gateways;

/// <summary>Bound from the <c>Gateways</c> section. <see cref="Seed"/> registers gateways at start-up when
/// they do not exist yet (the demo and tests use it; production registers through the admin API).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateways";

    public List<GatewaySeed> Seed { get; set; } = new();

    /// <summary>How often at most a gateway's clock error and uplink report are written while nothing in them changes
    /// that an operator acts on (<see cref="GatewayBookkeeping"/>); 0 writes every batch's.</summary>
    public int ReportIntervalMs { get; set; } = 1000;
}

public sealed class GatewaySeed
{
    public string Id { get; set; } = "";
    public string? Name { get; set; }
    /// <summary>The bearer token the gateway is configured with; only its hash is stored.</summary>
    public string Token { get; set; } = "";
}
