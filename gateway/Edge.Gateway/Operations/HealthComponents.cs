using System.Collections.Generic;

namespace Edge.Gateway.Operations;

/// <summary>
/// A part of the gateway that reports its own condition in /health under <c>components</c> (uplink, downlink,
/// siren driver). It does not change readiness: nodes keep being served whatever the cloud or a relay does.
/// </summary>
public interface IHealthComponent
{
    string Name { get; }

    ComponentHealth Report();
}

/// <summary><paramref name="Status"/>: <c>ok</c>, <c>degraded</c>, <c>unavailable</c> or <c>off</c>; details are free-form.</summary>
public sealed record ComponentHealth(string Status, string? Detail, IReadOnlyDictionary<string, object?>? Data = null);
