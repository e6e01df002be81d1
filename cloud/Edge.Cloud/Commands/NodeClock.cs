using System;

namespace Edge.Cloud.Commands;

/// <summary>
/// The clock a command's <c>issued</c>, <c>expires</c> and an override's <c>until</c> are written in, and its expiry
/// judged by: the time of the node that will check them (protocol.md §10.4). On a real site that is the cloud's own
/// clock (nodes are synchronised); a demo whose node clocks run simulated time (edge-sim <c>--speed</c>,
/// <c>--start</c>) registers theirs, or a node hours ahead would ack every command <c>expired</c>.
/// </summary>
public sealed class NodeClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;
}
