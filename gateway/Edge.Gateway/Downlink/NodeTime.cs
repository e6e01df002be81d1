using System;

namespace Edge.Gateway.Downlink;

/// <summary>
/// The clock that the times the gateway writes for its nodes are read against by those nodes: a command's
/// <c>issued</c>, <c>expires</c> and an override's <c>until</c> (protocol.md §10), a banner document's validity, and the
/// expiry checks of commands still waiting for their node. On a site that is the gateway's own clock (the host's
/// <see cref="TimeProvider"/>); a demo whose node clocks run simulated time (edge-sim <c>--speed</c>, <c>--start</c>)
/// registers theirs, or a node an hour a minute ahead would find every command expired on arrival. The <c>time</c>
/// message stays the gateway's real time: it is what the gateway offers as a time source (§12.2).
/// </summary>
public sealed class NodeTime(TimeProvider clock)
{
    public TimeProvider Clock { get; } = clock;

    public DateTimeOffset Now => Clock.GetUtcNow();

    public long UnixSeconds => Clock.GetUtcNow().ToUnixTimeSeconds();
}
